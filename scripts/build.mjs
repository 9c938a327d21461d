/**
 * The bundles in dist/. The simulator and its render worker are CommonJS: Node starts a CommonJS
 * script and a worker running one sooner than ES modules (about 4 ms each, a tenth of a small run's
 * start-up), and import.meta.url, which the worker and the GPU runtime use to find files, is given to
 * them from __filename. nbloop and the bench stay ES modules, with a require for their CommonJS
 * dependencies.
 */

import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  outbase: ".",
  outdir: "dist",
  logLevel: "warning",
};

await Promise.all([
  build({
    ...common,
    entryPoints: ["src/cli/nanoBragg.ts", "src/cli/launch.ts", "src/backends/cpu-worker.ts"],
    format: "cjs",
    outExtension: { ".js": ".cjs" },
    define: { "import.meta.url": "__importMetaUrl" },
    banner: {
      js: '"use strict";\nconst __importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
  }),
  build({
    ...common,
    entryPoints: ["src/cli/nbloop.ts", "src/runner/execute/zx-script.ts", "bench/run.ts"],
    format: "esm",
    banner: {
      js: 'import { createRequire as __nbCreateRequire } from "node:module"; const require = __nbCreateRequire(import.meta.url);',
    },
  }),
]);
