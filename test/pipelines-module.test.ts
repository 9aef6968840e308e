/**
 * The Dagger module's static contract, checked without an engine: it type-checks against the
 * real SDK, its versions match the default engine, its functions and arguments are documented
 * and typed the way the Dagger CLI needs, and the workflows only use labels the default config
 * produces.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseConfig } from "../lib/config/load";

const ROOT = path.resolve(__dirname, "..");
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), "utf8");
const json = (p: string) => JSON.parse(read(p));
const { plan } = parseConfig({});
const latest = plan.runners.latest;
const minorOf = (v: string) => /^v?(\d+\.\d+)\.\d+$/.exec(v)?.[1];

describe("type-checks against the real SDK", () => {
  let files: string[] = [];
  let result: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    result = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "pipelines/tsconfig.json", "--noEmit", "--listFiles"],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    files = String(result.stdout).split("\n").map((f) => path.relative(ROOT, f.trim()));
  });

  test("tsc -p pipelines/tsconfig.json --noEmit passes", () => {
    const errors = String(result.stdout).split("\n").filter((l) => /error TS\d+/.test(l));
    expect(errors).toEqual([]);
    expect(result.status).toBe(0);
  });

  test("@dagger.io/dagger resolves to the installed package, not a generated ./sdk", () => {
    expect(files).toContain("node_modules/@dagger.io/dagger/dist/src/index.d.ts");
    expect(files.some((f) => f.startsWith("pipelines/sdk/"))).toBe(false);
    expect(files).toEqual(expect.arrayContaining(["pipelines/src/index.ts", "pipelines/src/builds.ts", "pipelines/src/repo.ts"]));
  });
});

describe("versions match the default engine", () => {
  const rootPkg = json("package.json");
  const modPkg = json("pipelines/package.json");
  const installed = json("node_modules/@dagger.io/dagger/package.json").version as string;
  const daggerJson = json("dagger.json");

  test("the default config's newest engine is the one the module targets", () => {
    expect(daggerJson.engineVersion).toBe(`v${latest.text}`);
    expect(plan.runners.versions.map((v) => v.text)).toContain(daggerJson.engineVersion.replace(/^v/, ""));
  });

  test("the SDK is pinned exactly, installed at that version, in the engine's minor", () => {
    const pinned = rootPkg.devDependencies["@dagger.io/dagger"];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pinned);
    expect(minorOf(pinned)).toBe(latest.minorText);
    expect(minorOf(daggerJson.engineVersion)).toBe(latest.minorText);
    expect(modPkg.devDependencies["@dagger.io/dagger"]).toBe(pinned);
  });

  test("the module package is an ES module whose only runtime dependency is Dagger's default TypeScript", () => {
    expect(modPkg.type).toBe("module");
    // TypeScript 5.9.3 is tsdistconsts.DefaultTypeScriptVersion of the TS SDK runtime
    // (dagger/dagger sdk/typescript/runtime/tsdistconsts/consts.go): with only that dependency
    // the runtime mounts its bundled copy and skips the package install.
    expect(modPkg.dependencies).toEqual({ typescript: "5.9.3" });
    expect(rootPkg.devDependencies.typescript).toBe("5.9.3");
  });
});

describe("dagger.json", () => {
  const daggerJson = json("dagger.json");
  test("lives at the repository root with its source in pipelines/", () => {
    expect(daggerJson).toEqual({
      name: "pipelines",
      engineVersion: expect.stringMatching(/^v\d+\.\d+\.\d+$/),
      sdk: { source: "typescript" },
      source: "pipelines",
    });
    expect(fs.existsSync(path.join(ROOT, "pipelines", "dagger.json"))).toBe(false);
    expect(fs.existsSync(path.join(ROOT, "pipelines", "src", "index.ts"))).toBe(true);
  });
});

// ------------------------------------------------------------------- function signatures

/**
 * What `dagger functions` and `dagger call <fn> --help` are built from: the SDK's own
 * introspector run over pipelines/src (pipelines/test/introspect.ts explains how it runs
 * without an engine).
 */
interface IntroArg {
  description: string;
  type: string;
  optional: boolean;
  default: unknown;
  defaultPath: string | null;
  ignore: string[] | null;
}
interface IntroFn {
  description: string;
  returns: string;
  cache: string | null;
  args: Record<string, IntroArg>;
}
interface Introspection {
  name: string;
  description: string;
  objects: Record<string, { description: string; functions: Record<string, IntroFn> }>;
}

describe("module functions, as the SDK's introspector sees them", () => {
  let intro: Introspection;
  beforeAll(() => {
    const r = spawnSync(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      ["--tsconfig", "pipelines/tsconfig.json", "pipelines/test/introspect.ts"],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    if (r.status !== 0) throw new Error(`introspection failed (${r.status}): ${r.stderr}`);
    intro = JSON.parse(r.stdout) as Introspection;
  });
  const main = () => intro.objects.Pipelines;
  const fn = (name: string) => {
    const f = main().functions[name];
    if (!f) throw new Error(`no function ${name}`);
    return f;
  };

  test("the module and its main object are described; the main object is the module name in PascalCase", () => {
    expect(intro.name).toBe("Pipelines");
    expect(Object.keys(intro.objects)).toEqual(["Pipelines"]);
    expect(intro.description).toMatch(/^Dagger pipelines for cdktf-dagger-runners\./);
    expect(main().description.length).toBeGreaterThan(40);
  });

  test("exactly the documented functions, each with its return type", () => {
    const got = Object.fromEntries(Object.entries(main().functions).map(([n, f]) => [n, f.returns]));
    expect(got).toEqual({
      lint: "Container",
      test: "Container",
      synth: "Directory",
      plan: "string",
      deploy: "string",
      ci: "string",
      nodeEnv: "Container",
      nodeBuild: "Directory",
      nodeTest: "Container",
      pythonEnv: "Container",
      pythonBuild: "Directory",
      pythonTest: "Container",
      goEnv: "Container",
      goBuild: "Directory",
      goTest: "Container",
    });
  });

  test("every function and every argument has a description", () => {
    const short = Object.entries(main().functions).flatMap(([n, f]) => [
      ...(f.description.length < 20 ? [n] : []),
      ...Object.entries(f.args)
        .filter(([, a]) => a.description.length < 8)
        .map(([a]) => `${n}.${a}`),
    ]);
    expect(short).toEqual([]);
  });

  test("every credential-like argument is a Secret, never a string", () => {
    const all = Object.entries(main().functions).flatMap(([n, f]) => Object.entries(f.args).map(([a, arg]) => ({ at: `${n}.${a}`, ...arg })));
    const credentialLike = all.filter((a) => /credential|token|password|secret|privatekey|apikey/i.test(a.at.split(".")[1]));
    expect(credentialLike.map((a) => a.at)).toEqual([
      "plan.googleCredentials",
      "deploy.googleCredentials",
      "deploy.githubAppPrivateKey",
      "deploy.githubToken",
      "deploy.daggerCloudToken",
    ]);
    for (const a of credentialLike) expect(`${a.at}: ${a.type}`).toBe(`${a.at}: Secret`);
    // And no plain string or list argument could carry one.
    for (const a of all.filter((x) => x.type === "string" || x.type === "[string]")) expect(a.at).not.toMatch(/key|token|pass|cred/i);
  });

  test("plan and deploy are never cached and require the Google credentials; the others use the default cache", () => {
    const caches = Object.fromEntries(Object.entries(main().functions).map(([n, f]) => [n, f.cache]));
    expect(Object.entries(caches).filter(([, c]) => c !== null)).toEqual([
      ["plan", "never"],
      ["deploy", "never"],
    ]);
    expect(fn("plan").args.googleCredentials.optional).toBe(false);
    expect(fn("deploy").args.googleCredentials.optional).toBe(false);
    expect(fn("deploy").args.githubToken.optional).toBe(true);
  });

  test("this repository's functions default --source to the repository root, without installs or outputs", () => {
    for (const name of ["lint", "test", "synth", "plan", "deploy", "ci"]) {
      const source = fn(name).args.source;
      expect({ name, type: source.type, defaultPath: source.defaultPath }).toEqual({ name, type: "Directory", defaultPath: "/" });
      expect(source.ignore).toEqual(expect.arrayContaining([".git", "**/node_modules", "cdktf.out", "**/.terraform"]));
    }
  });

  test("the reusable functions take the caller's --source (no default path) and show their defaults", () => {
    for (const name of ["nodeEnv", "nodeBuild", "nodeTest", "pythonEnv", "pythonBuild", "pythonTest", "goEnv", "goBuild", "goTest"]) {
      expect({ name, defaultPath: fn(name).args.source.defaultPath, optional: fn(name).args.source.optional }).toEqual({
        name,
        defaultPath: null,
        optional: false,
      });
    }
    // Defaults as `--help` shows them, equal to the builds' defaults (pipelines/src/builds.ts DEFAULT_IMAGE).
    const builds = read("pipelines/src/builds.ts");
    const image = (k: string) => new RegExp(`${k}: "([^"]+)"`).exec(builds)?.[1];
    expect(fn("nodeEnv").args.image.default).toBe(image("node"));
    expect(fn("pythonTest").args.image.default).toBe(image("python"));
    expect(fn("goBuild").args.image.default).toBe(image("go"));
    expect(fn("pythonTest").args.packageManager.default).toBe("uv");
    expect(fn("pythonTest").args.huggingFace).toMatchObject({ type: "boolean", default: false });
    expect(fn("goTest").args.packages).toMatchObject({ type: "[string]", default: ["./..."] });
  });
});

// ------------------------------------------------------------------------------ workflows

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on": string | string[] | { labels: string | string[] };
  if?: string;
  needs?: string | string[];
  environment?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

describe("workflows", () => {
  const dir = path.join(ROOT, ".github", "workflows");
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  const wf: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(fs.readFileSync(path.join(dir, f), "utf8"))]));
  const labelsOf = (j: Job): string[] => {
    const r = j["runs-on"];
    const v = typeof r === "object" && !Array.isArray(r) ? r.labels : r;
    return Array.isArray(v) ? v : [v];
  };
  const HOSTED_FALLBACK = "dagger-hosted.yml";
  const configLabels = Object.keys(plan.runnerLabels);

  test("the expected workflows exist", () => {
    expect(files.sort()).toEqual(["ci.yml", "dagger-hosted.yml", "deploy.yml"]);
  });

  test("every self-hosted runs-on label is one the default config produces", () => {
    const used = files
      .filter((f) => f !== HOSTED_FALLBACK)
      .flatMap((f) => Object.entries(wf[f].jobs).flatMap(([name, j]) => labelsOf(j).map((l) => ({ at: `${f}:${name}`, l }))));
    expect(used.length).toBeGreaterThan(0);
    for (const u of used) expect({ at: u.at, label: configLabels.includes(u.l) ? "ok" : u.l }).toEqual({ at: u.at, label: "ok" });
    expect(used.map((u) => u.l)).toContain("dagger-v0.20");
    expect(plan.runnerLabels["dagger-v0.20"]).toBe(latest.text);
  });

  test("ci.yml: pull requests and pushes to main, dagger call ci, no CLI install", () => {
    const ci = wf["ci.yml"];
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.on.push).toEqual({ branches: ["main"] });
    const job = ci.jobs.ci;
    expect(job["runs-on"]).toBe("dagger-v0.20");
    expect(job.steps.map((s) => s.run).filter(Boolean)).toEqual(["dagger call ci --source=."]);
    const text = read(".github/workflows/ci.yml");
    expect(text).not.toMatch(/dagger-for-github|install\.sh|dl\.dagger\.io/);
  });

  test("deploy.yml: plan then a gated deploy on main, secrets only through env: secret arguments", () => {
    const d = wf["deploy.yml"];
    expect(d.on.push).toEqual({ branches: ["main"] });
    expect(d.jobs.deploy.needs).toBe("plan");
    expect(d.jobs.deploy.environment).toBe("production");
    const runs = Object.values(d.jobs).flatMap((j) => j.steps.filter((s) => s.run));
    expect(runs.map((s) => s.run).join("\n")).toMatch(/dagger call plan --source=\. --google-credentials=env:GOOGLE_CREDENTIALS/);
    expect(runs.map((s) => s.run).join("\n")).toMatch(/dagger call deploy/);
    for (const s of runs) {
      // Secrets are never interpolated into a script: only into env, read by the CLI.
      expect(s.run).not.toMatch(/secrets\./);
      for (const [name, value] of Object.entries(s.env ?? {})) {
        if (/secrets\./.test(value)) expect(s.run).toContain(`env:${name}`);
      }
    }
  });

  test("the hosted fallback uses the official action pinned by commit, at the default engine version", () => {
    const job = wf[HOSTED_FALLBACK].jobs.ci;
    expect(labelsOf(job)).toEqual(["ubuntu-24.04"]);
    const step = job.steps.find((s) => s.uses?.startsWith("dagger/dagger-for-github@"));
    expect(step?.uses).toMatch(/^dagger\/dagger-for-github@[0-9a-f]{40}$/);
    expect(step?.with).toEqual({ version: latest.text, verb: "call", args: "ci --source=." });
  });

  test("the fallback and the self-hosted jobs are mutually exclusive", () => {
    expect(wf[HOSTED_FALLBACK].jobs.ci.if).toBe("vars.USE_HOSTED_RUNNERS == 'true'");
    expect(wf["ci.yml"].jobs.ci.if).toBe("vars.USE_HOSTED_RUNNERS != 'true'");
    expect(wf["deploy.yml"].jobs.plan.if).toBe("vars.USE_HOSTED_RUNNERS != 'true'");
  });

  // Workflow syntax (docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax),
  // the subset a valid workflow may use at each level; no network, so no schema download.
  const WORKFLOW_KEYS = ["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"];
  const JOB_KEYS = [
    "name", "permissions", "needs", "if", "runs-on", "snapshot", "environment", "concurrency", "outputs", "env", "defaults",
    "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services", "uses", "with", "secrets",
  ];
  const STEP_KEYS = ["id", "if", "name", "uses", "run", "shell", "working-directory", "with", "env", "continue-on-error", "timeout-minutes"];
  const EVENTS = ["pull_request", "push", "workflow_dispatch", "workflow_call", "schedule", "merge_group", "release"];
  const PERMISSIONS = ["read", "write", "none"];
  /** One line per syntax problem of workflow `f`. */
  function syntaxProblems(f: string): string[] {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    const w = wf[f] as unknown as Record<string, any>;
    const out: string[] = [];
    const extra = (at: string, obj: Record<string, unknown>, allowed: string[]) =>
      Object.keys(obj).filter((k) => !allowed.includes(k)).forEach((k) => out.push(`${at}: unknown key ${k}`));
    extra(f, w, WORKFLOW_KEYS);
    if (!w.on || typeof w.on !== "object") out.push(`${f}: on must be a map of events`);
    else extra(`${f}: on`, w.on, EVENTS);
    for (const [k, v] of Object.entries((w.permissions ?? {}) as Record<string, string>)) if (!PERMISSIONS.includes(v)) out.push(`${f}: permissions.${k}: ${v}`);
    if (!w.jobs || Object.keys(w.jobs).length === 0) out.push(`${f}: no jobs`);
    for (const [id, job] of Object.entries((w.jobs ?? {}) as Record<string, Record<string, any>>)) {
      const at = `${f}: jobs.${id}`;
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) out.push(`${at}: bad job id`);
      extra(at, job, JOB_KEYS);
      if (!job["runs-on"]) out.push(`${at}: no runs-on`);
      for (const n of [job.needs ?? []].flat()) if (!(n in w.jobs)) out.push(`${at}: needs unknown job ${n}`);
      if (job["timeout-minutes"] !== undefined && !Number.isInteger(job["timeout-minutes"])) out.push(`${at}: timeout-minutes`);
      if (!Array.isArray(job.steps) || job.steps.length === 0) out.push(`${at}: no steps`);
      (job.steps ?? []).forEach((s: Record<string, unknown>, i: number) => {
        extra(`${at}.steps[${i}]`, s, STEP_KEYS);
        if (("uses" in s) === ("run" in s)) out.push(`${at}.steps[${i}]: needs exactly one of uses and run`);
        if ("with" in s && !("uses" in s)) out.push(`${at}.steps[${i}]: with without uses`);
        for (const [k, v] of Object.entries({ ...(s.env as object), ...(s.with as object) })) {
          if (typeof v === "object" && v !== null) out.push(`${at}.steps[${i}]: ${k} must be a scalar`);
        }
      });
    }
    // Every expression is closed on its line.
    text.split("\n").forEach((line, i) => {
      if ((line.match(/\$\{\{/g) ?? []).length !== (line.match(/\}\}/g) ?? []).length) out.push(`${f}:${i + 1}: unbalanced \${{ }}`);
    });
    return out;
  }

  test.each(files)("%s is a valid GitHub Actions workflow (keys, events, jobs, steps, expressions)", (f) => {
    expect(syntaxProblems(f)).toEqual([]);
  });

  test("the syntax check can fail", () => {
    const ci = wf["ci.yml"] as unknown as Record<string, any>;
    const saved = ci.jobs.ci.steps[0];
    ci.jobs.ci.steps[0] = { ...saved, run: "x", runs: "y" };
    try {
      expect(syntaxProblems("ci.yml")).toEqual([
        "ci.yml: jobs.ci.steps[0]: unknown key runs",
        "ci.yml: jobs.ci.steps[0]: needs exactly one of uses and run",
      ]);
    } finally {
      ci.jobs.ci.steps[0] = saved;
    }
  });

  test("the hosted fallback only passes inputs the Dagger action declares", () => {
    // dagger/dagger-for-github action.yml inputs (v8): version, commit, dagger-flags, verb,
    // workdir, cloud-token, module, args, engine-stop, call.
    const inputs = ["version", "commit", "dagger-flags", "verb", "workdir", "cloud-token", "module", "args", "engine-stop", "call"];
    const step = wf[HOSTED_FALLBACK].jobs.ci.steps.find((s) => s.uses?.startsWith("dagger/dagger-for-github@"))!;
    expect(Object.keys(step.with ?? {}).filter((k) => !inputs.includes(k))).toEqual([]);
  });

  test("every action is pinned by a full commit SHA", () => {
    const uses = Object.values(wf).flatMap((w) => Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.uses).filter(Boolean)));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });
});
