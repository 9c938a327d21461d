/**
 * Part of the build: the reference corpus keeps its large inputs gzip'd in git (reference/data/*.gz,
 * such as the 1.3 MB scaled.hkl); the cases, the loops, the bench and the C itself read them under
 * their own names, so each is unpacked beside its .gz (gitignored) when missing or older.
 */

import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const data = fileURLToPath(new URL("../reference/data", import.meta.url));
for (const name of existsSync(data) ? readdirSync(data) : []) {
  if (!name.endsWith(".gz")) continue;
  const packed = join(data, name);
  const plain = packed.slice(0, -3);
  if (existsSync(plain) && statSync(plain).mtimeMs >= statSync(packed).mtimeMs) continue;
  const temporary = `${plain}.${process.pid}.tmp`;
  writeFileSync(temporary, gunzipSync(readFileSync(packed)));
  renameSync(temporary, plain);
}
