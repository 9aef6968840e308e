/**
 * scripts/run.cjs, what `npm run synth` (report, impact) runs: the bundle (scripts/bundle.cjs)
 * while it is current, else the TypeScript source through tsx, so it never runs stale code.
 * Real processes in a copy of the repository (its own dist/, copied with the sources and npm's
 * lock file with their mtimes, so current when this repository's bundles are; the packages
 * themselves linked from this one's node_modules): the path taken is what the launcher
 * prints with RUNNERS_DEBUG_LAUNCH=1, and an edited source must show in the output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileTree, runCommand, scratchDirs, ScriptResult } from "./util";

const ROOT = path.join(__dirname, "..");
const tmp = scratchDirs("launcher-test-");

const tree = (dir: string) => fileTree(dir);

let copy: string;
/** `node <args>` in the copy (its cwd), with the launcher's debug line on. */
const inCopy = (args: string[], env: Record<string, string> = {}) =>
  runCommand(process.execPath, args, { RUNNERS_DEBUG_LAUNCH: "1", SOURCE_DATE_EPOCH: "1775001600", ...env }, copy);
const launched = (r: ScriptResult) => r.stderr.split("\n").filter((l) => l.startsWith("run.cjs: "));

beforeAll(async () => {
  copy = tmp();
  // The sources and this repository's bundles (`npm test` has just brought them up to date),
  // with their mtimes, less the bundles' code caches: the copy's bundles are current exactly
  // when this repository's are, and `--if-stale` below builds them only when they are not.
  const keepTimes = { recursive: true, preserveTimestamps: true };
  for (const f of ["lib", "scripts", "main.ts", "package.json", "tsconfig.json", "cdktf.json"]) fs.cpSync(path.join(ROOT, f), path.join(copy, f), keepTimes);
  if (fs.existsSync(path.join(ROOT, "dist", "bundle"))) {
    fs.cpSync(path.join(ROOT, "dist", "bundle"), path.join(copy, "dist", "bundle"), { ...keepTimes, filter: (f) => !f.endsWith(".cache") });
  }
  // The packages by link; npm's lock file (which the launcher compares) a file of the copy's own.
  fs.mkdirSync(path.join(copy, "node_modules"));
  for (const e of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (e === ".package-lock.json") fs.cpSync(path.join(ROOT, "node_modules", e), path.join(copy, "node_modules", e), keepTimes);
    else if (e !== ".cache") fs.symlinkSync(path.join(ROOT, "node_modules", e), path.join(copy, "node_modules", e));
  }
  const built = await inCopy(["scripts/bundle.cjs", "--if-stale"]);
  expect(built).toMatchObject({ code: 0, stderr: "" });
}, 60_000);

describe("a current bundle runs, with its code cache from the second run on, and writes what the source writes", () => {
  const outs = { first: "", second: "", source: "" };
  let runs: ScriptResult[];
  beforeAll(async () => {
    for (const k of Object.keys(outs) as (keyof typeof outs)[]) outs[k] = tmp();
    runs = [];
    runs.push(await inCopy(["scripts/run.cjs", "synth"], { CDKTF_OUTDIR: outs.first }));
    runs.push(await inCopy(["scripts/run.cjs", "synth"], { CDKTF_OUTDIR: outs.second }));
    runs.push(await inCopy(["--require", "tsx/cjs", "scripts/synth.ts"], { CDKTF_OUTDIR: outs.source }));
  }, 60_000);

  test("the bundle, without and then with the code cache", () => {
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(launched(runs[0])).toEqual(["run.cjs: bundle dist/bundle/scripts/synth.js", "run.cjs: code cache absent"]);
    expect(launched(runs[1])).toEqual(["run.cjs: bundle dist/bundle/scripts/synth.js", "run.cjs: code cache used"]);
    expect(launched(runs[2])).toEqual([]);
    expect(fs.readdirSync(path.join(copy, "dist", "bundle", "scripts")).filter((f) => f.startsWith("synth.js.") && f.endsWith(".cache"))).toHaveLength(1);
  });

  test("npm test's `bundle.cjs --if-stale` builds nothing while the bundles are current: the bundle and its code cache stay", async () => {
    const dir = path.join(copy, "dist", "bundle", "scripts");
    const before = Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    expect(Object.keys(before).filter((f) => f.endsWith(".cache"))).toHaveLength(1);
    const r = await inCopy(["scripts/bundle.cjs", "--if-stale"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]))).toEqual(before);
  });

  test("the same files and the same report as the TypeScript source", () => {
    const source = tree(outs.source);
    expect(Object.keys(source).length).toBeGreaterThan(5);
    for (const out of [outs.first, outs.second]) {
      const bundled = tree(out);
      expect(Object.keys(bundled).sort()).toEqual(Object.keys(source).sort());
      for (const f of Object.keys(source)) expect([f, bundled[f]]).toEqual([f, source[f]]);
    }
    const report = (r: ScriptResult, out: string) => r.stdout.split(path.relative(copy, out)).join("<out>");
    expect(report(runs[0], outs.first)).toBe(report(runs[2], outs.source));
    expect(report(runs[1], outs.second)).toBe(report(runs[2], outs.source));
  });
});

describe("a stale or missing bundle: the source runs through tsx", () => {
  // `npm run report`: the same launcher, a cheaper program.
  const report = () => inCopy(["scripts/run.cjs", "report"]);

  test("an npm install after the build (node_modules/.package-lock.json newer): tsx; the lock file older again: the bundle", async () => {
    const lock = path.join(copy, "node_modules", ".package-lock.json");
    const later = new Date(fs.statSync(path.join(copy, "dist", "bundle", "scripts", "report.js")).mtimeMs + 5000);
    fs.utimesSync(lock, later, later);
    const stale = await report();
    expect(stale.code).toBe(0);
    expect(launched(stale)).toEqual(["run.cjs: tsx scripts/report.ts (node_modules/.package-lock.json is newer than the bundle)"]);
    expect(stale.stdout).toMatch(/^Stacks: /m);
    fs.utimesSync(lock, new Date(0), new Date(0));
    const current = await report();
    expect(launched(current)[0]).toBe("run.cjs: bundle dist/bundle/scripts/report.js");
    expect(current.stdout).toBe(stale.stdout);
  }, 60_000);

  test("a source edited after the build: tsx, and the edit is in the output", async () => {
    const file = path.join(copy, "lib", "report.ts");
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain("`Stacks: ${");
    fs.writeFileSync(file, text.replace("`Stacks: ${", "`Stacks (edited): ${"));
    expect(fs.statSync(file).mtimeMs).toBeGreaterThan(fs.statSync(path.join(copy, "dist", "bundle", "scripts", "report.js")).mtimeMs);
    const r = await report();
    expect(r.code).toBe(0);
    expect(launched(r)).toEqual(["run.cjs: tsx scripts/report.ts (lib/report.ts is newer than the bundle)"]);
    expect(r.stdout).toMatch(/^Stacks \(edited\): /m);
  }, 60_000);

  test("no bundle (a clone never built): tsx; a config error is still one line, once, before cdktf loads", async () => {
    fs.rmSync(path.join(copy, "dist"), { recursive: true, force: true });
    const out = tmp();
    const loaded = path.join(tmp(), "loaded.txt");
    const r = await inCopy(["scripts/run.cjs", "synth"], {
      RUNNERS_CONFIG: path.join(ROOT, "test/fixtures/bad/version-two-parts.yaml"),
      CDKTF_OUTDIR: out,
      NODE_OPTIONS: `--require ${JSON.stringify(path.join(ROOT, "test/fixtures/loaded-packages.cjs"))}`,
      LOADED_PACKAGES: loaded,
    });
    // The config was read (zod, yaml), the synthesizing code never loaded.
    const packages = fs.readFileSync(loaded, "utf8").split("\n");
    expect(packages).toEqual(expect.arrayContaining(["tsx", "yaml", "zod"]));
    expect(packages.filter((p) => /^(cdktf|constructs|@cdktf\/)/.test(p))).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n").filter(Boolean)).toEqual([
      "run.cjs: tsx scripts/synth.ts (no dist/bundle/scripts/synth.js (npm run build))",
      expect.stringMatching(/^error: dagger\.versions\[\d\]: "0\.20" is not a full version/),
    ]);
    expect(fs.readdirSync(out)).toEqual([]);
    // The bundler's arguments: an unknown one is one line.
    expect(await inCopy(["scripts/bundle.cjs", "--all"])).toEqual({ code: 2, stdout: "", stderr: 'bundle: unknown argument "--all" (usage: node scripts/bundle.cjs [--if-stale])\n' });
  }, 60_000);
});

test("an unknown program: a one-line usage error", async () => {
  const r = await runCommand(process.execPath, ["scripts/run.cjs", "no-such-program"]);
  expect(r).toEqual({ code: 2, stdout: "", stderr: 'error: usage: node scripts/run.cjs NAME [args...] (NAME: synth, report, impact, verify, app); got "no-such-program"\n' });
});

describe("scripts/test.cjs, npm test's runner: the type-check and jest at once", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runBoth } = require("../scripts/test.cjs") as { runBoth: (check: string[], main: string[], out: { write(s: string): void }) => Promise<number> };
  const node = (code: string) => [process.execPath, "-e", code];
  const run = async (check: string, main: string) => {
    let printed = "";
    const code = await runBoth(node(check), node(main), { write: (s) => (printed += s) });
    return { code, printed };
  };

  test("either failing fails the run: jest's code first, else the type-check's, whose output is printed only when it fails", async () => {
    const [checkFails, mainFails, bothFail, bothPass] = await Promise.all([
      run('console.log("lib/x.ts(1,1): error TS2322"); process.exit(2)', "process.exit(0)"),
      run('console.log("quiet")', "process.exit(1)"),
      run("process.exit(2)", "process.exit(1)"),
      run('console.log("quiet")', "process.exit(0)"),
    ]);
    expect(checkFails).toEqual({ code: 2, printed: `lib/x.ts(1,1): error TS2322\n${process.execPath} -e console.log("lib/x.ts(1,1): error TS2322"); process.exit(2): exit 2\n` });
    expect(mainFails).toEqual({ code: 1, printed: "" });
    expect(bothFail.code).toBe(1);
    expect(bothPass).toEqual({ code: 0, printed: "" });
  });
});

describe("the bundles' copy of cdktf's lib/private/fs.js (scripts/bundle.cjs patchCdktfPrivateFs)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { patchCdktfPrivateFs } = require("../scripts/bundle.cjs") as { patchCdktfPrivateFs: (text: string, file: string) => string };
  const file = require.resolve("cdktf/lib/private/fs.js");

  test("loads without archiver; an archive still runs cdktf's own file as the zip script", () => {
    const patched = patchCdktfPrivateFs(fs.readFileSync(file, "utf8"), file);
    // The patched module run as a bundle would run it: another __filename, its requires recorded,
    // execSync recorded instead of run.
    const required: string[] = [];
    const commands: string[] = [];
    const fakeRequire = Object.assign(
      (id: string) => {
        required.push(id);
        if (id === "child_process") return { execSync: (command: string) => commands.push(command) };
        return require(id === "../errors" ? "cdktf/lib/errors" : id);
      },
      { resolve: (id: string) => require.resolve(id) },
    );
    const mod = { exports: {} as { archiveSync: (src: string, dest: string) => void } };
    new Function("exports", "require", "module", "__filename", "__dirname", patched)(mod.exports, fakeRequire, mod, "/bundle/synth.js", "/bundle");
    expect(required.sort()).toEqual(["../errors", "child_process", "crypto", "fs", "path"]);
    mod.exports.archiveSync("SRC", "DEST");
    expect(commands).toEqual([`node ${file} SRC DEST`]);
  });

  test("a cdktf whose file no longer has what the patch changes stops the build with one line", () => {
    expect(() => patchCdktfPrivateFs('const archiver = require("archiver");', "fs.js")).toThrow(
      new Error('fs.js: no longer has "node ${__filename} ": review the bundle\'s patch of it'),
    );
  });
});
