/**
 * `npm run bench`: wall time and peak memory of (a) an empty cdktf app synthesized in-process
 * (the floor), (b) the default config, (c) a large config (12 versions x 3 sizes). Each run is
 * a fresh process (`node --import tsx scripts/bench-child.ts <scenario>`), so module loading is
 * measured as a user pays it; the median of several runs is reported.
 * Targets: b/a <= 1.5, c/a <= 2.0, peak memory of c under 250 MB.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const scenarios = ["empty", "default", "large"] as const;

interface Sample {
  wallMs: number;
  peakMb: number;
}

function runOnce(scenario: string): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "bench-child.ts"), scenario], {
    encoding: "utf8",
    env: { ...process.env, RUNNERS_CONFIG: "" },
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`bench ${scenario} failed:\n${r.stderr}`);
  const { peakMb } = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { wallMs, peakMb };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm the file cache (tsx's transform cache included), then interleave the scenarios so that
// drift in the machine's speed hits all of them alike.
for (const s of scenarios) runOnce(s);
const samples: Record<string, Sample[]> = Object.fromEntries(scenarios.map((s) => [s, []]));
for (let i = 0; i < RUNS; i++) for (const s of scenarios) samples[s].push(runOnce(s));
const results: Record<string, Sample> = Object.fromEntries(
  scenarios.map((s) => [s, { wallMs: median(samples[s].map((x) => x.wallMs)), peakMb: Math.max(...samples[s].map((x) => x.peakMb)) }]),
);

const a = results.empty;
const b = results.default;
const c = results.large;
const rb = b.wallMs / a.wallMs;
const rc = c.wallMs / a.wallMs;
const row = (name: string, x: Sample) => `${name.padEnd(34)} ${x.wallMs.toFixed(0).padStart(7)} ms ${x.peakMb.toFixed(0).padStart(6)} MB`;
console.log(`median of ${RUNS} interleaved runs each, fresh process per run (node ${process.version})`);
console.log(row("(a) empty cdktf app", a));
console.log(row("(b) default config", b));
console.log(row("(c) large config (12 versions x 3 sizes)", c));
console.log(`b/a = ${rb.toFixed(2)} (target <= 1.5) ${rb <= 1.5 ? "ok" : "OVER"}`);
console.log(`c/a = ${rc.toFixed(2)} (target <= 2.0) ${rc <= 2.0 ? "ok" : "OVER"}`);
console.log(`peak memory of c = ${c.peakMb.toFixed(0)} MB (target < 250) ${c.peakMb < 250 ? "ok" : "OVER"}`);
