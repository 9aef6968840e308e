#!/usr/bin/env node
/**
 * `npm run bundle` (also part of `npm run build`, so of `npm ci` / `npm install` through `prepare`):
 * bundles the programs scripts/run.cjs runs (scripts/bundled.cjs: the npm scripts synth, report,
 * impact, verify and the cdktf app) into one plain JavaScript file each, dist/bundle/scripts/<name>.js, with esbuild: the package's
 * TypeScript and the packages it loads (cdktf, the provider classes, zod, ...) in one file.
 * One file is what makes the synth program fast: no module resolution (about 700 files
 * otherwise, each resolved, stat'ed, read and compiled), and one V8 code cache for all of it
 * (scripts/run.cjs).
 *
 * Beside each bundle, <name>.inputs.json lists the files it was built from (esbuild's
 * metafile): scripts/run.cjs runs the bundle only while none of them is newer than it.
 *
 * `--if-stale` (what `npm test` runs): builds nothing when every bundle is current (the check
 * scripts/run.cjs makes, with this file and scripts/bundled.cjs as inputs too), so the bundles
 * and their V8 code caches (scripts/run.cjs) outlive a test run that changed no source.
 *
 * Plain JavaScript (no tsx): it runs on a fresh `npm ci`, before anything is compiled.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const ROOT = path.join(__dirname, "..");
const OUT = path.join(ROOT, "dist", "bundle");
/** The programs with a bundle (scripts/bundled.cjs): the ones users and the tests run often; the rest run from source with tsx. */
const { BUNDLED, bundleOf, staleReason, writeInputs } = require("./bundled.cjs");

/**
 * The bundles' copy of cdktf 0.21.0 lib/private/fs.js, changed in two places. Each change must
 * still apply to the installed file, or the build stops for someone to review it.
 * - `archiveSync` zips an ARCHIVE asset by running its own file as a script
 *   (`execSync(\`node ${__filename} ${src} ${dest}\`)`). In a bundle `__filename` would be the
 *   bundle: point it at cdktf's own file, resolved from the bundle at run time.
 * - `archiver` is required when the module loads, though only that script calls it (`runArchive`,
 *   when the file is the main module), which the bundle's copy never is. Required when first
 *   called instead: archiver and its dependencies were about 25 ms of every synth program run
 *   (7% of the default config's, 20 runs alternated).
 */
function patchCdktfPrivateFs(text, file) {
  const edits = [
    ["node ${__filename} ", 'node ${require.resolve("cdktf/lib/private/fs.js")} '],
    ['const archiver = require("archiver");', 'const archiver = (...args) => require("archiver")(...args);'],
  ];
  let patched = text;
  for (const [from, to] of edits) {
    if (!patched.includes(from)) throw new Error(`${file}: no longer has ${JSON.stringify(from)}: review the bundle's patch of it`);
    patched = patched.replace(from, to);
  }
  return patched;
}

const cdktfPrivateFs = {
  name: "cdktf-private-fs",
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/ }, (args) => ({
      contents: patchCdktfPrivateFs(fs.readFileSync(args.path, "utf8"), args.path),
      loader: "js",
    }));
  },
};

async function main(argv) {
  const unknown = argv.filter((a) => a !== "--if-stale");
  if (unknown.length > 0) {
    process.stderr.write(`bundle: unknown argument ${JSON.stringify(unknown[0])} (usage: node scripts/bundle.cjs [--if-stale])\n`);
    process.exit(2);
  }
  const builder = ["scripts/bundle.cjs", "scripts/bundled.cjs"];
  if (argv.includes("--if-stale") && Object.keys(BUNDLED).every((name) => !staleReason(ROOT, bundleOf(ROOT, name), builder))) return;
  fs.rmSync(OUT, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.entries(BUNDLED).map(([name, entry]) => ({ in: entry, out: `scripts/${name}` })),
    outbase: ".",
    // dist/bundle/scripts/<name>.js: three levels below the root, as dist/lib/<dir>/<file>.js,
    // so the package's files found from __dirname (lib/constructs/arc-crds.ts, lib/verify/scrape.ts)
    // resolve from a bundle as from dist/lib.
    outdir: OUT,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // Class and function names as in the sources: without it, esbuild names a class that
    // refers to itself `_App`, `_TerraformStack`..., which an error may show (constructs'
    // "There is already a Construct with name ... in App"). Its cost is within the bench's noise.
    keepNames: true,
    metafile: true,
    logLevel: "warning",
    plugins: [cdktfPrivateFs],
  });
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!out.endsWith(".js")) continue;
    writeInputs(path.join(ROOT, out), meta.inputs);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`bundle: ${e.message}\n`);
    process.exit(1);
  });
}

module.exports = { patchCdktfPrivateFs };
