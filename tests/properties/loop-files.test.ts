/**
 * Property: whatever a loop file holds (random YAML values in the loop's shape or anywhere, random
 * text, random bytes), nbloop loads it or refuses it with an input error naming the file and the
 * position: never another error. Checked in-process on many files, and through the command (a dry
 * run, which runs nothing) on a sample: exit 0 or 2, `nbloop: error:` first, no stack trace.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseLoopDocument } from "../../src/runner/load/load-loop.js";
import { InputError } from "../../src/util/input-error.js";
import { PROPERTY_SEED } from "../support/property-seed.js";
import { makeWorkspace } from "../support/workspace.js";

const EDGE = fc.constantFrom(
  0,
  -0,
  1e308,
  -1e308,
  Number.NaN,
  2 ** 53 + 2,
  "",
  "{bundle}/../..",
  "../x",
  "{env:HOME}",
  "@preset",
  "{latest:p}",
);
const VALUE = fc.oneof(EDGE, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const STEP = fc.record(
  {
    id: fc.oneof(fc.constantFrom("a", "b"), fc.string()),
    run: fc.oneof(fc.array(VALUE, { maxLength: 3 }), VALUE),
    script: VALUE,
    cwd: VALUE,
    shell: VALUE,
  },
  { requiredKeys: ["id"] },
);
const PHASE = fc.record(
  {
    summary: VALUE,
    do_now: fc.oneof(fc.array(STEP, { maxLength: 2 }), VALUE),
    artifacts: fc.array(fc.record({ path: VALUE, schema: VALUE }, { requiredKeys: [] }), { maxLength: 2 }),
    mapped_tests: fc.array(VALUE, { maxLength: 2 }),
    metrics: fc.record({ from: VALUE, keys: fc.array(VALUE, { maxLength: 2 }) }),
    if_blocked: fc.record({ capture: fc.array(VALUE, { maxLength: 2 }), note: VALUE }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const LOOP = fc.record(
  {
    item: VALUE,
    title: VALUE,
    bundle: VALUE,
    phases: fc.dictionary(fc.constantFrom("p", "q", ""), PHASE, { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);
const TEXT = fc.oneof(
  LOOP.map((loop) => stringify(loop)),
  fc.anything().map((value) => stringify(value) ?? ""),
  fc.string({ unit: "binary", maxLength: 400 }),
);

function loads(text: string): void {
  try {
    parseLoopDocument(text, "loop.yaml");
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.message).toMatch(/^loop\.yaml(:\d+:\d+)?: /);
  }
}

describe("nbloop on random loop files", () => {
  it("loads or refuses with a positioned input error: 5000 files in-process", () => {
    fc.assert(fc.property(TEXT, loads), { numRuns: 5000, seed: PROPERTY_SEED });
  });

  it("exit 0 or 2 with nbloop: error first, never a stack trace: 80 dry runs", { timeout: 600_000 }, () => {
    const ws = makeWorkspace();
    fc.assert(
      fc.property(
        fc.oneof(
          TEXT,
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        ),
        (text) => {
          writeFileSync(join(ws.dir, "loop.yaml"), text);
          const r = ws.nbloop(["run", "loop.yaml", "p", "--dry-run"]);
          const said = `exit ${r.code}: ${r.stderr}`;
          expect([0, 2], said).toContain(r.code);
          if (r.code === 2) expect(r.stderr.startsWith("nbloop: error: "), said).toBe(true);
          expect(r.stderr, said).not.toMatch(/\n\s+at /);
        },
      ),
      { numRuns: 80, seed: PROPERTY_SEED },
    );
  });
});
