/**
 * `npm run bench`: wall time and peak memory of the synth program (the command the `synth` npm
 * script runs, timed without npm's own start-up) against the floor, an empty cdktf app
 * (`new App(); new TerraformStack(app, "x"); app.synth()`) run by plain `node`:
 *   (a) the floor, (b) the synth program on the default config, (c) on a large config (12
 *   versions x 3 sizes, scripts/bench-config.ts), and (d) `npm run synth` end to end, npm's
 *   own start-up included, on the default config.
 * Each run is a fresh process, so module loading is measured as a user pays it; the scenarios
 * are interleaved (drift in the machine's speed hits all of them alike) and medians reported.
 * Targets (issue 16): b/a <= 1.5, c/a <= 1.8, peak memory of c under 200 MB, d/a <= 3.
 *
 * The synth program is `node scripts/run.cjs synth`: the bundle of scripts/synth.ts when it is
 * current, else the source through tsx (scripts/run.cjs); the bench says which one it timed.
 * The first, unmeasured round warms the file cache and writes the bundle's code cache.
 *
 * BENCH_RUNS (default 5) sets the runs per scenario; BENCH_SYNTH replaces the synth program's
 * command for (b) and (c), and drops (d) (e.g. `node --require tsx/cjs scripts/synth.ts`, the program before it
 * was bundled, or `tsx scripts/synth.ts`, to compare with an earlier one).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LARGE_CONFIG } from "./bench-config";

const ROOT = path.join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SYNTH: string = process.env.BENCH_SYNTH ?? JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.synth;
// (d) runs `npm run synth` as it is: not with BENCH_SYNTH's command, so not when that is set.
const scenarios = process.env.BENCH_SYNTH ? ["empty", "default", "large"] : ["empty", "default", "large", "npm"];

const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));
const largeConfig = path.join(work, "large.json");
fs.writeFileSync(largeConfig, JSON.stringify(LARGE_CONFIG));
const peakFile = path.join(work, "peak");
// Preloaded into every run: writes the process's peak RSS (MB) when it exits.
const peakReporter = path.join(work, "peak.js");
fs.writeFileSync(peakReporter, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS / 1024)));\n`);
const emptyApp = `const { App, TerraformStack } = require("cdktf"); const app = new App({ outdir: process.env.CDKTF_OUTDIR }); new TerraformStack(app, "x"); app.synth();`;

interface Sample {
  wallMs: number;
  peakMb: number;
}

/** The command of a scenario: [file, args], `node` (and the `tsx` CLI) from node_modules/.bin or this node. */
function command(scenario: string): [string, string[]] {
  if (scenario === "empty") return [process.execPath, ["--require", peakReporter, "-e", emptyApp]];
  // As a user types it: npm's own CLI (the one running this bench, else the one on PATH).
  if (scenario === "npm") return process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath, "run", "synth"]] : ["npm", ["run", "synth"]];
  const [bin, ...args] = SYNTH.split(" ");
  if (bin === "node") return [process.execPath, ["--require", peakReporter, ...args]];
  // A CLI (`tsx`) runs the program in a child process: its peak is the CLI's own, not measured.
  return [path.join(ROOT, "node_modules", ".bin", bin), args];
}

/** What scripts/run.cjs said it ran for (b) (RUNNERS_DEBUG_LAUNCH), when the command is the launcher. */
let ran = "";

function runOnce(scenario: string): Sample {
  const outdir = path.join(work, `out-${scenario}`);
  fs.rmSync(peakFile, { force: true });
  const [file, args] = command(scenario);
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", CDKTF_OUTDIR: outdir, RUNNERS_CONFIG: scenario === "large" ? largeConfig : "", RUNNERS_DEBUG_LAUNCH: "1" },
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`bench ${scenario} failed:\n${r.stderr}`);
  if (scenario === "default") ran = /^run\.cjs: (bundle|tsx) .*$/m.exec(r.stderr)?.[0] ?? ran;
  fs.rmSync(outdir, { recursive: true, force: true });
  return { wallMs, peakMb: fs.existsSync(peakFile) ? Number(fs.readFileSync(peakFile, "utf8")) : NaN };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm the file cache (tsx's transform cache included), then interleave the scenarios.
for (const s of scenarios) runOnce(s);
const samples: Record<string, Sample[]> = Object.fromEntries(scenarios.map((s) => [s, []]));
for (let i = 0; i < RUNS; i++) for (const s of scenarios) samples[s].push(runOnce(s));
const results: Record<string, Sample> = Object.fromEntries(
  scenarios.map((s) => [s, { wallMs: median(samples[s].map((x) => x.wallMs)), peakMb: Math.max(...samples[s].map((x) => x.peakMb)) }]),
);

const a = results.empty;
const b = results.default;
const c = results.large;
const d = results.npm as Sample | undefined;
const rb = b.wallMs / a.wallMs;
const rc = c.wallMs / a.wallMs;
const rd = d ? d.wallMs / a.wallMs : NaN;
const mb = (x: Sample) => (Number.isNaN(x.peakMb) ? "-" : x.peakMb.toFixed(0)).padStart(6);
const row = (name: string, x: Sample) => `${name.padEnd(44)} ${x.wallMs.toFixed(0).padStart(7)} ms ${mb(x)} MB`;
console.log(`median of ${RUNS} interleaved runs each, fresh process per run (node ${process.version}); synth program: ${SYNTH}${ran ? ` (${ran})` : ""}`);
console.log(row("(a) empty cdktf app, plain node (the floor)", a));
console.log(row("(b) synth program, default config", b));
console.log(row("(c) synth program, 12 versions x 3 sizes", c));
if (d) console.log(row("(d) npm run synth, default config", d));
console.log(`b/a = ${rb.toFixed(2)} (target <= 1.5) ${rb <= 1.5 ? "ok" : "OVER"}`);
console.log(`c/a = ${rc.toFixed(2)} (target <= 1.8) ${rc <= 1.8 ? "ok" : "OVER"}`);
if (d) console.log(`d/a = ${rd.toFixed(2)} (target <= 3) ${rd <= 3 ? "ok" : "OVER"}`);
console.log(`peak memory of c = ${c.peakMb.toFixed(0)} MB (target < 200) ${c.peakMb < 200 ? "ok" : "OVER"}`);
