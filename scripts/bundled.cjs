/**
 * The programs that run from a bundle (scripts/bundle.cjs builds them, scripts/run.cjs runs
 * them): launcher name -> TypeScript entry point. `app` is the cdktf app (cdktf.json), the
 * others are npm scripts.
 */
"use strict";
const path = require("node:path");

const BUNDLED = {
  synth: "scripts/synth.ts",
  report: "scripts/report.ts",
  impact: "scripts/impact.ts",
  verify: "scripts/verify.ts",
  app: "main.ts",
};

/**
 * dist/bundle/scripts/<name>.js: every bundle in one directory, as deep in the package as lib's
 * compiled files (dist/lib/<dir>/), so the paths lib computes from `__dirname` to its assets
 * (lib/arc-crds/, lib/verify/monitoring-crds/) hold in both.
 */
const bundleOf = (root, name) => path.join(root, "dist", "bundle", "scripts", `${name}.js`);

module.exports = { BUNDLED, bundleOf };
