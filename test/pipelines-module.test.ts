/**
 * The Dagger module's static contract, checked without an engine: it type-checks against the
 * real SDK, its versions match the default engine, its functions and arguments are documented
 * and typed the way the Dagger CLI needs, and the workflows only use labels the default config
 * produces.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
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

interface Param {
  name: string;
  type: string;
  optional: boolean;
  doc: string;
  decorators: string[];
}
interface Fn {
  name: string;
  returns: string;
  doc: string;
  params: Param[];
  decorator: string;
}

function parseModule(): { className: string; decorated: boolean; fns: Fn[] } {
  const file = path.join(ROOT, "pipelines/src/index.ts");
  const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const docOf = (n: ts.Node) =>
    [...ts.getJSDocCommentsAndTags(n)]
      .filter(ts.isJSDoc)
      .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
      .join(" ")
      .trim();
  const decoratorsOf = (n: ts.Node) => (ts.canHaveDecorators(n) ? ts.getDecorators(n) ?? [] : []).map((d) => d.expression.getText(sf));
  let className = "";
  let decorated = false;
  const fns: Fn[] = [];
  sf.forEachChild((node) => {
    if (!ts.isClassDeclaration(node) || !node.name) return;
    className = node.name.text;
    decorated = decoratorsOf(node).some((d) => d.startsWith("object("));
    for (const m of node.members) {
      if (!ts.isMethodDeclaration(m)) continue;
      const decorator = decoratorsOf(m).find((d) => d.startsWith("func(")) ?? "";
      fns.push({
        name: m.name.getText(sf),
        returns: m.type?.getText(sf) ?? "",
        doc: docOf(m),
        decorator,
        params: m.parameters.map((p) => ({
          name: p.name.getText(sf),
          type: p.type?.getText(sf) ?? "",
          optional: !!p.questionToken || !!p.initializer,
          doc: docOf(p),
          decorators: decoratorsOf(p),
        })),
      });
    }
  });
  return { className, decorated, fns };
}

describe("module functions", () => {
  const mod = parseModule();
  const fn = (name: string) => {
    const f = mod.fns.find((x) => x.name === name);
    if (!f) throw new Error(`no function ${name}`);
    return f;
  };

  test("the main object is the module name in PascalCase and is an @object", () => {
    expect(mod.className).toBe("Pipelines");
    expect(mod.decorated).toBe(true);
  });

  test.each([
    ["lint", "Container"],
    ["test", "Container"],
    ["synth", "Directory"],
    ["plan", "Promise<string>"],
    ["deploy", "Promise<string>"],
    ["ci", "Promise<string>"],
    ["nodeEnv", "Container"],
    ["nodeBuild", "Directory"],
    ["nodeTest", "Container"],
    ["pythonEnv", "Container"],
    ["pythonBuild", "Directory"],
    ["pythonTest", "Container"],
    ["goEnv", "Container"],
    ["goBuild", "Directory"],
    ["goTest", "Container"],
  ])("%s is a documented @func returning %s", (name, returns) => {
    const f = fn(name);
    expect(f.decorator).not.toBe("");
    expect(f.returns).toBe(returns);
    expect(f.doc.length).toBeGreaterThan(20);
  });

  test("every argument of every function is documented", () => {
    const undocumented = mod.fns.flatMap((f) => f.params.filter((p) => p.doc.length < 8).map((p) => `${f.name}.${p.name}`));
    expect(undocumented).toEqual([]);
  });

  test("every credential-like argument is a Secret, never a string", () => {
    const credentialLike = mod.fns.flatMap((f) =>
      f.params.filter((p) => /credential|token|password|secret|privatekey|apikey/i.test(p.name)).map((p) => ({ f: f.name, ...p })),
    );
    expect(credentialLike.map((p) => `${p.f}.${p.name}`)).toEqual(
      expect.arrayContaining(["plan.googleCredentials", "deploy.googleCredentials", "deploy.githubAppPrivateKey", "deploy.githubToken", "deploy.daggerCloudToken"]),
    );
    for (const p of credentialLike) expect(`${p.f}.${p.name}: ${p.type}`).toBe(`${p.f}.${p.name}: Secret`);
    // And no function takes a plain string that could carry one.
    for (const f of mod.fns) for (const p of f.params) if (p.type === "string") expect(p.name).not.toMatch(/key|token|pass|cred/i);
  });

  test("plan and deploy are never cached; the required credentials are required", () => {
    expect(fn("plan").decorator).toBe('func({ cache: "never" })');
    expect(fn("deploy").decorator).toBe('func({ cache: "never" })');
    expect(fn("plan").params.find((p) => p.name === "googleCredentials")?.optional).toBe(false);
    expect(fn("deploy").params.find((p) => p.name === "googleCredentials")?.optional).toBe(false);
  });

  test("this repository's functions default --source to the repository root", () => {
    for (const name of ["lint", "test", "synth", "plan", "deploy", "ci"]) {
      const source = fn(name).params.find((p) => p.name === "source");
      expect(source?.type).toBe("Directory");
      expect(source?.decorators.join(" ")).toMatch(/argument\(\{ defaultPath: "\/", ignore: \[.*"\*\*\/node_modules".*\] \}\)/);
    }
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

  test("every action is pinned by a full commit SHA", () => {
    const uses = Object.values(wf).flatMap((w) => Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.uses).filter(Boolean)));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });
});
