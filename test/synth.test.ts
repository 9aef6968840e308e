/**
 * `npm run synth` synthesizes in-process: it must write exactly what `cdktf synth` writes (the
 * CLI runs main.ts with CDKTF_OUTDIR), remove orphaned stack directories as the CLI does, and
 * print each warning once.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthDeployment } from "../lib/app";
import { parseConfig } from "../lib/config/load";
import { fileTree, runCommand, runScript, scratchDirs, ScriptResult } from "./util";

/** The report's clock (seconds): 2026-04-01, 5 days after the pinned runner's release (test/runner-release.test.ts). */
const SYNTH_DAY = String(Date.parse("2026-04-01T00:00:00Z") / 1000);

// renameSync and cpSync observed (and still done) to tell a move from a copy.
jest.mock("node:fs", () => {
  const actual = jest.requireActual("node:fs");
  return { ...actual, renameSync: jest.fn(actual.renameSync), cpSync: jest.fn(actual.cpSync) };
});

const ROOT = path.join(__dirname, "..");
const tmp = scratchDirs("synth-test-");

const tree = (dir: string) => fileTree(dir, "utf8");

/** `cdktf synth --output <dir>` as users run it. */
const cdktfSynth = (outdir: string, config: string) =>
  runCommand(path.join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", outdir], { RUNNERS_CONFIG: config, CHECKPOINT_DISABLE: "1", CI: "true" });

describe.each([
  ["the built-in default", ""],
  ["examples/private-nat-engine-pool.yaml", "examples/private-nat-engine-pool.yaml"],
])("npm run synth and cdktf synth: %s", (_name, config) => {
  const cli = tmp();
  const ours = tmp();
  let ran: [ScriptResult, ScriptResult];
  beforeAll(async () => {
    // The CLI's output directory holds the pictures of an earlier synth: the CLI must neither
    // trip over them nor leave them stale.
    fs.writeFileSync(path.join(cli, "deployment.svg"), "<svg>earlier</svg>\n");
    fs.writeFileSync(path.join(cli, "deployment.mmd"), "flowchart LR\n");
    ran = await Promise.all([cdktfSynth(cli, config), runScript("scripts/synth.ts", [], { RUNNERS_CONFIG: config, CDKTF_OUTDIR: ours, SOURCE_DATE_EPOCH: SYNTH_DAY })]);
  }, 120_000);

  test("write the same files, byte for byte", () => {
    expect(ran.map((r) => r.code)).toEqual([0, 0]);
    const [a, b] = [tree(cli), tree(ours)];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const f of Object.keys(a)) expect([f, b[f]]).toEqual([f, a[f]]);
  });

  test("the picture is beside the stacks: deployment.svg and deployment.mmd name every label; the manifest names stacks only", () => {
    const files = tree(ours);
    expect(Object.keys(files).filter((f) => !f.startsWith("stacks/")).sort()).toEqual(["deployment-plan.json", "deployment.mmd", "deployment.svg", "manifest.json"]);
    const labels = Object.keys(JSON.parse(files["deployment-plan.json"]).runnerLabels);
    expect(labels.length).toBeGreaterThan(0);
    expect(files["deployment.svg"]).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(files["deployment.mmd"]).toMatch(/^flowchart LR\n/);
    for (const l of labels) {
      expect(files["deployment.svg"].split(`>${l}</text>`)).toHaveLength(2);
      expect(files["deployment.mmd"].split(`(["${l}"])`)).toHaveLength(2);
    }
    expect(files["manifest.json"]).not.toMatch(/deployment\.(svg|mmd)/);
    expect(ran[1].stdout).toContain(`(picture: ${path.relative(ROOT, path.join(ours, "deployment.svg"))})`);
  });

  test("npm run synth prints the report with each warning once, and nothing on stderr", () => {
    const [, r] = ran;
    expect(r.stderr).toBe("");
    const warnings = r.stdout.split("\n").filter((l) => l.startsWith("  ! "));
    expect(new Set(warnings).size).toBe(warnings.length);
    // two placeholders, no credentials, a public control plane; on SYNTH_DAY the pinned runner is
    // 5 days old (no age warning)
    if (config === "") expect(warnings).toHaveLength(4);
    expect(r.stdout).toContain("Runner: 2.333.1, released 2026-03-27 (5 days ago;");
    expect(r.stdout).toMatch(/^Config: /);
  });
});

test("a stack the new config no longer has is removed, as the CLI removes it", async () => {
  const out = tmp();
  // The earlier output, written in-process by the synthesis the script runs (the process
  // boundary matters for the run that must remove the orphan, below).
  const first = parseConfig({});
  synthDeployment(first.config, first.plan, out);
  expect(fs.readdirSync(path.join(out, "stacks")).sort()).toEqual(["dagger-runners-cluster", "dagger-runners-runners"]);
  const second = await runScript("scripts/synth.ts", [], { RUNNERS_CONFIG: "examples/existing-cluster.yaml", CDKTF_OUTDIR: out });
  expect(second.code).toBe(0);
  expect(fs.readdirSync(path.join(out, "stacks"))).toEqual(["dagger-runners-runners"]);
  // The picture is the new config's: the existing cluster, no GKE pool.
  expect(fs.readFileSync(path.join(out, "deployment.mmd"), "utf8")).toContain('pool1["existing cluster<br/>nodes not declared"]');
});

describe("the results move into the output directory", () => {
  const first = parseConfig({});
  const files = (dir: string) => Object.keys(tree(dir)).sort();

  beforeEach(() => jest.clearAllMocks());

  test("by rename from a scratch directory beside it, which is gone afterwards", () => {
    const parent = tmp();
    const out = path.join(parent, "out");
    const rename = jest.mocked(fs.renameSync);
    const copy = jest.mocked(fs.cpSync);
    synthDeployment(first.config, first.plan, out);
    expect(fs.readdirSync(parent)).toEqual(["out"]);
    expect(files(out)).toContain("manifest.json");
    const moved = rename.mock.calls.map(([from, to]) => [path.relative(parent, String(from)).replace(/^\.out\.synth-\w+/, "<scratch>"), path.relative(parent, String(to))]);
    expect(moved).toContainEqual(["<scratch>/manifest.json", "out/manifest.json"]);
    expect(moved).toContainEqual(["<scratch>/stacks/dagger-runners-runners", "out/stacks/dagger-runners-runners"]);
    expect(copy).not.toHaveBeenCalled();
  });

  // An output directory whose parent does not exist yet gets its scratch directory in the OS temp
  // dir; on another filesystem (/dev/shm here) the rename fails with EXDEV and the files are copied.
  const shm = "/dev/shm";
  const otherFs = fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(os.tmpdir()).dev;
  (otherFs ? test : test.skip)("across filesystems by copy: the same files", () => {
    const base = fs.mkdtempSync(path.join(shm, "synth-test-"));
    try {
      const out = path.join(base, "missing-parent", "out");
      const copy = jest.mocked(fs.cpSync);
      synthDeployment(first.config, first.plan, out);
      expect(copy.mock.calls.map(([, to]) => path.relative(out, String(to)))).toContain("manifest.json");
      const here = tmp();
      synthDeployment(first.config, first.plan, here);
      expect(files(out)).toEqual(files(here));
      expect(tree(out)["manifest.json"]).toBe(tree(here)["manifest.json"]);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});

test("a config error is one line, once, and nothing is written", async () => {
  const out = tmp();
  const r = await runScript("scripts/synth.ts", [], { RUNNERS_CONFIG: "test/fixtures/bad/version-two-parts.yaml", CDKTF_OUTDIR: out });
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n").filter(Boolean)).toEqual([expect.stringMatching(/^error: dagger\.versions\[\d\]: "0\.20" is not a full version/)]);
  expect(fs.readdirSync(out)).toEqual([]);
});
