/**
 * The programs that run from a bundle (scripts/bundle.cjs builds them, scripts/run.cjs runs
 * them): launcher name -> TypeScript entry point. `app` is the cdktf app (cdktf.json), the
 * others are npm scripts.
 */
"use strict";
const fs = require("node:fs");
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

/** The list of files `bundle` was built from: `<name>.inputs.json` beside it. */
const inputsFileOf = (bundle) => bundle.replace(/\.js$/, ".inputs.json");

/** Writes the list of files `bundle` was built from: the inputs of esbuild's metafile (paths relative to its working directory). */
function writeInputs(bundle, metafileInputs) {
  fs.writeFileSync(inputsFileOf(bundle), JSON.stringify(Object.keys(metafileInputs).sort()) + "\n");
}

/**
 * Why the bundle cannot run (missing, or a file it was built from is newer), or undefined when it
 * is current: `<name>.inputs.json` beside it lists the files it was built from (the package's own
 * sources, the entry and what it imports, JSON included); the dependencies' own files keep the
 * mtimes of their tarballs, so npm's lock file (rewritten on every install) stands for them.
 * `extra`: more files (relative to `root`) that must not be newer. Only stat calls: about 100, a
 * few ms.
 */
function staleReason(root, bundle, extra = []) {
  let built;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    return `no ${path.relative(root, bundle)} (npm run build)`;
  }
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(inputsFileOf(bundle), "utf8"));
  } catch {
    return `no readable ${path.basename(bundle, ".js")}.inputs.json beside the bundle (npm run build)`;
  }
  const own = inputs.filter((f) => !f.startsWith("node_modules/"));
  for (const rel of [...own, ...extra, "node_modules/.package-lock.json"]) {
    let mtime;
    try {
      mtime = fs.statSync(path.join(root, rel)).mtimeMs;
    } catch {
      if (rel.startsWith("node_modules/")) continue; // installed without npm: nothing to compare
      return `${rel} is gone`;
    }
    if (mtime > built) return `${rel} is newer than the bundle`;
  }
  return undefined;
}

module.exports = { BUNDLED, bundleOf, staleReason, writeInputs };
