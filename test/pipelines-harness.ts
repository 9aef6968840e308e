/**
 * Runs a harness of the Dagger module (pipelines/test/harness.ts, plan-harness.ts) as one
 * esbuild bundle with plain node, instead of through tsx.
 *
 * The module's code is the same either way: tsx transforms each file with esbuild too, and the
 * bundle is built with the module's tsconfig (experimentalDecorators) and `keepNames` (the SDK
 * names a query's object types after its classes). What the bundle saves is loading: the SDK and
 * its dependencies (OpenTelemetry, graphql, ...) are about 1,000 files, which node takes 1.8 s
 * to resolve and compile one by one, and tsx's loader hooks more (harness.ts: 3.0 s through tsx,
 * 1.3 s bundled). `typescript` stays a package of its own: it finds its lib files from its
 * `__dirname`.
 *
 * The bundle lives in node_modules/.cache/pipelines-harness/ and is rebuilt when a file it was
 * built from, this file or node_modules/.package-lock.json is newer (scripts/bundled.cjs
 * `staleReason`, the check of the synth launcher).
 */
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";

const ROOT = path.join(__dirname, "..");
const OUT = path.join(ROOT, "node_modules", ".cache", "pipelines-harness");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { staleReason, writeInputs } = require("../scripts/bundled.cjs") as {
  staleReason: (root: string, bundle: string, extra?: string[]) => string | undefined;
  writeInputs: (bundle: string, metafileInputs: Record<string, unknown>) => void;
};

/** The bundle of pipelines/test/<name>.ts, built when missing or stale. */
export function harnessBundle(name: "harness" | "plan-harness"): string {
  const bundle = path.join(OUT, `${name}.js`);
  if (!staleReason(ROOT, bundle, [path.relative(ROOT, __filename)])) return bundle;
  fs.mkdirSync(OUT, { recursive: true });
  // Written beside and renamed into place: a concurrent run reads a whole bundle or builds its own.
  const tmp = path.join(OUT, `${name}.${process.pid}.tmp.js`);
  const result = buildSync({
    absWorkingDir: ROOT,
    entryPoints: [`pipelines/test/${name}.ts`],
    outfile: tmp,
    tsconfig: "pipelines/tsconfig.json",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    keepNames: true,
    external: ["typescript"],
    // CommonJS packages inside an ES module bundle call require().
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    metafile: true,
    logLevel: "warning",
  });
  // An ES module in a `.js` file: the directory's package.json says so (renamed into place too:
  // another test file may be loading its own bundle from this directory).
  const pkg = path.join(OUT, "package.json");
  if (!fs.existsSync(pkg)) {
    fs.writeFileSync(`${pkg}.${process.pid}.tmp`, '{"type": "module"}\n');
    fs.renameSync(`${pkg}.${process.pid}.tmp`, pkg);
  }
  writeInputs(bundle, result.metafile!.inputs);
  fs.renameSync(tmp, bundle);
  return bundle;
}

/** Runs the harness `name` in the repository root, its JSON output on stdout. */
export function runHarness(name: "harness" | "plan-harness", env: NodeJS.ProcessEnv = process.env, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [harnessBundle(name)], { cwd: ROOT, encoding: "utf8", timeout, env, maxBuffer: 256 * 1024 * 1024 });
}
