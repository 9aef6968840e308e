/**
 * The bad-input sweep: every config in test/fixtures/bad/ must be refused with exactly the one
 * line recorded for it in test/fixtures/bad/cases.json.
 *
 * - Every case runs in-process through loadConfig (the code path of main.ts up to synth).
 * - Cases marked `"process": true` (one per way of failing: file, YAML, JSON, schema, plan, capacity; and every case whose error only appears
 *   at synth time, `"stage": "synth"`) also run the real app, `node --import tsx main.ts`, with
 *   RUNNERS_CONFIG and a fresh CDKTF_OUTDIR: non-zero exit, stderr exactly the one expected line
 *   (no stack trace), nothing on stdout, nothing written to the output directory. Two at a time,
 *   so the test stays fast on small machines.
 *
 * The expected lines are written by hand (an intentional message change edits cases.json too):
 * nothing here writes them from the code's own output.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, loadConfig } from "../lib/config/load";
import { runScript } from "./util";

interface BadCase {
  /** File in test/fixtures/bad/ (a missing one for the missing-file case). */
  readonly file: string;
  /** The exact stderr line. */
  readonly expect: string;
  /** Also run the real app. @default false */
  readonly process?: boolean;
  /** `synth`: the error comes from a construct validation, so only the real app sees it. @default "config" */
  readonly stage?: "config" | "synth";
  /** What the case covers. */
  readonly what: string;
}

const ROOT = path.resolve(__dirname, "..");
const DIR = "test/fixtures/bad";
const CASES_FILE = path.join(ROOT, DIR, "cases.json");
const cases: BadCase[] = JSON.parse(fs.readFileSync(CASES_FILE, "utf8"));
const rel = (file: string) => `${DIR}/${file}`;

function inProcess(file: string): string {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    loadConfig(rel(file));
    return "(no error)";
  } catch (e) {
    if (e instanceof ConfigError) return `error: ${e.message}`;
    return `(unexpected ${(e as Error).name}: ${(e as Error).message})`;
  } finally {
    process.chdir(cwd);
  }
}

interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly written: string[];
}

async function runApp(file: string): Promise<ProcessResult> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-input-"));
  try {
    const r = await runScript("main.ts", [], { RUNNERS_CONFIG: rel(file), CDKTF_OUTDIR: outdir });
    return { ...r, written: fs.readdirSync(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Runs `f` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

describe("bad-input fixtures", () => {
  test("the fixture set covers at least 40 configs, YAML and JSON, each listed once", () => {
    const onDisk = fs.readdirSync(path.join(ROOT, DIR)).filter((f) => f !== "cases.json");
    const listed = cases.map((c) => c.file);
    expect(new Set(listed).size).toBe(listed.length);
    // Every file on disk has an expectation, and every listed file exists but the missing-file case.
    expect(onDisk.filter((f) => !listed.includes(f))).toEqual([]);
    expect(cases.filter((c) => !onDisk.includes(c.file)).map((c) => c.file)).toEqual(["does-not-exist.yaml"]);
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(listed.filter((f) => f.endsWith(".json")).length).toBeGreaterThanOrEqual(5);
    for (const c of cases) {
      expect(c.expect).toMatch(/^error: \S/);
      expect(c.expect).not.toContain("\n");
    }
  });

  test("every error line quoted in the README's troubleshooting section is one a fixture produces", () => {
    // A quoted line matches when its pieces (split at "..." and at the placeholder file names
    // x.yaml / x.json) occur in order in some fixture's expected line.
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf("## Troubleshooting");
    const doc = readme.slice(start, readme.indexOf("\n## ", start + 5));
    const quoted = doc
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .flatMap((l) => [...l.split(" | ")[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect(quoted.length).toBeGreaterThanOrEqual(30);
    const produced = (q: string) => {
      const pieces = q
        .replace(/\b[x]\.(yaml|json)\b/g, "...")
        .split("...")
        .map((p) => p.trim())
        .filter(Boolean);
      return cases.some((c) => {
        let at = 0;
        for (const p of pieces) {
          const i = c.expect.indexOf(p, at);
          if (i < 0) return false;
          at = i + p.length;
        }
        return true;
      });
    };
    expect(quoted.filter((q) => !produced(q))).toEqual([]);
  });

  test.each(cases.filter((c) => c.stage !== "synth").map((c) => [c.file, c] as const))("%s", (_file, c) => {
    expect(inProcess(c.file)).toBe(c.expect);
  });

  test("the real app refuses each sampled config with one line, exit 1, and writes nothing", async () => {
    const sample = cases.filter((c) => c.process || c.stage === "synth");
    expect(sample.length).toBeGreaterThanOrEqual(8);
    const results = await pool(sample, 2, (c) => runApp(c.file));
    const got = results.map((r, i) => ({
      file: sample[i].file,
      code: r.code,
      stderr: r.stderr,
      stdout: r.stdout,
      written: r.written,
    }));
    const want = sample.map((c) => ({ file: c.file, code: 1, stderr: `${c.expect}\n`, stdout: "", written: [] }));
    expect(got).toEqual(want);
    for (const r of results) expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
