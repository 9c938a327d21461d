/**
 * A real client reads our SMV files: fabio (Debian's python3-fabio) opens an image the engine wrote
 * and sees its size, header values and pixels. Skipped, with the reason, where no Python with fabio
 * can be found.
 */

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSmv } from "../../src/io/smv.js";
import { nanoBragg, scratchDir } from "../support/run.js";

const SCRIPT = `
import json, sys
import fabio
image = fabio.open(sys.argv[1])
d = image.data
print(json.dumps({"shape": list(d.shape), "header": {k: str(v) for k, v in image.header.items()},
                  "pixels": [int(d[0, 0]), int(d[10, 20]), int(d[31, 47]), int(d.max())]}))
`;

import { CUBIC_CRYSTAL } from "../support/crystals.js";

function pythonWithFabio(): string | null {
  for (const python of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(python, ["-c", "import fabio"], { encoding: "utf8" });
    if (r.status === 0) return python;
  }
  return null;
}

const PYTHON = pythonWithFabio();

describe.skipIf(PYTHON === null)(
  `fabio reads our SMV images${PYTHON === null ? " (skipped: no python3 with fabio; .ci/run installs python3-fabio)" : ""}`,
  () => {
    it("sees the size, the header and the pixels", () => {
      const dir = scratchDir("nb-fabio-");
      const args = [...CUBIC_CRYSTAL];
      const r = nanoBragg(
        [
          ...args,
          "-detpixels_x",
          "48",
          "-detpixels_y",
          "32",
          "-distance",
          "90",
          "-intfile",
          "int.img",
          "-nonoise",
          "-nopgm",
        ],
        dir,
      );
      expect(r.code, r.stderr).toBe(0);
      const ours = decodeSmv(readFileSync(join(dir, "int.img")), "int.img");
      const py = spawnSync(PYTHON as string, ["-c", SCRIPT, join(dir, "int.img")], { encoding: "utf8" });
      expect(py.status, py.stderr).toBe(0);
      const seen = JSON.parse(py.stdout);
      expect(seen.shape).toEqual([32, 48]);
      expect(seen.header.SIZE1).toBe("48");
      expect(seen.header.SIZE2).toBe("32");
      expect(seen.header.DISTANCE).toBe("90");
      expect(seen.header.WAVELENGTH).toBe("1");
      expect(seen.pixels).toEqual([
        ours.data[0],
        ours.data[10 * 48 + 20],
        ours.data[31 * 48 + 47],
        Math.max(...ours.data),
      ]);
      expect(seen.pixels[3]).toBeGreaterThan(40);
    });
  },
);
