/**
 * The seed of the property tests. Under CI=true one fixed seed, so that a run lands or fails
 * the same way each time; elsewhere a new seed per run, so that each run explores new inputs
 * (fast-check prints the seed of a failure). NB_PROPERTY_SEED replays one.
 */
const FIXED_IN_CI = 20261206;

function chooseSeed(): number {
  const given = process.env.NB_PROPERTY_SEED;
  if (given !== undefined && given !== "") return Number.parseInt(given, 10);
  if (process.env.CI === "true") return FIXED_IN_CI;
  return (Math.random() * 2 ** 31) | 0;
}

export const PROPERTY_SEED = chooseSeed();
