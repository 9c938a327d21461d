// The C's side of a comparison, for a zx script step: the C program (NB_C_BIN) run with the argv
// after "--", its stdout written to --out; without NB_C_BIN, the reference corpus case's recorded
// trace (--reference DIR --case ID) stands in, as the C made it with that argv.
//   script: pipelines/scripts/c-side.mjs
//   args: [--out, FILE, --reference, DIR, --case, ID, --, C argv...]

const cArgv = argv._.map(String);
if (!argv.out) throw new Error("c-side.mjs: --out FILE is required");

if (process.env.NB_C_BIN) {
  const c = await $`${process.env.NB_C_BIN} ${cArgv}`;
  await fs.writeFile(argv.out, c.stdout);
} else {
  if (!argv.reference || !argv.case)
    throw new Error("c-side.mjs: without NB_C_BIN, --reference and --case are required");
  const recorded = path.join(argv.reference, "cases", argv.case, "trace.log");
  echo(`NB_C_BIN is not set: the C's side is the reference corpus's ${recorded}`);
  await fs.copy(recorded, argv.out);
}
