/**
 * The Dagger module's static contract, checked without an engine: it type-checks against the
 * real SDK, its versions match the default engine, its functions and arguments are documented
 * and typed the way the Dagger CLI needs, and the workflows pass a schema check and route each
 * event (push, pull request, a fork's pull request) to the runner, cache namespace and
 * permissions the rules say.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseConfig } from "../lib/config/load";
import { validateWorkflow } from "@action-validator/core";
import { Value, condition, evaluate, interpolate } from "./gh-expr";
import { runCommand, ScriptResult } from "./util";

const ROOT = path.resolve(__dirname, "..");
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), "utf8");
const json = (p: string) => JSON.parse(read(p));
const { plan } = parseConfig({});
const latest = plan.runners.latest;
const minorOf = (v: string) => /^v?(\d+\.\d+)\.\d+$/.exec(v)?.[1];

/**
 * The build info `npm run typecheck` keeps for this project (package.json): after it, this run
 * re-checks only what changed. tsc still reports every error of the program (an incremental
 * run keeps the diagnostics of unchanged files and reports them again).
 */
const INCREMENTAL = ["--incremental", "--tsBuildInfoFile", "node_modules/.cache/tsc/pipelines.tsbuildinfo"];

// The type-check and the introspection (two processes, each building a TypeScript program of the
// module) start together when this file loads; each describe waits for its own.
const typeCheck = runCommand(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "pipelines/tsconfig.json", "--noEmit", "--listFiles", ...INCREMENTAL]);
const introspection = runCommand(path.join(ROOT, "node_modules", ".bin", "tsx"), ["--tsconfig", "pipelines/tsconfig.json", "pipelines/test/introspect.ts"]);

describe("type-checks against the real SDK", () => {
  let files: string[] = [];
  let result: ScriptResult;
  beforeAll(async () => {
    result = await typeCheck;
    files = result.stdout.split("\n").map((f) => path.relative(ROOT, f.trim()));
  }, 120_000);

  test("tsc -p pipelines/tsconfig.json --noEmit passes", () => {
    const errors = result.stdout.split("\n").filter((l) => /error TS\d+/.test(l));
    expect(errors).toEqual([]);
    expect(result.code).toBe(0);
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
  beforeAll(async () => {
    const r = await introspection;
    if (r.code !== 0) throw new Error(`introspection failed (${r.code}): ${r.stderr}`);
    intro = JSON.parse(r.stdout) as Introspection;
  }, 120_000);
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
      modelPipeline: "string",
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
    const credentialLike = all.filter((a) => /credential|token|password|secret|privatekey|apikey|requesturl/i.test(a.at.split(".")[1]));
    const secrets = ["googleCredentials", "oidcRequestUrl", "oidcRequestToken", "githubAppPrivateKey", "githubToken", "daggerCloudToken"];
    expect(credentialLike.map((a) => a.at)).toEqual([
      ...secrets.map((a) => `plan.${a}`),
      "plan.prCommentToken",
      ...secrets.map((a) => `deploy.${a}`),
      "modelPipeline.hfToken",
      "modelPipeline.registryPassword",
    ]);
    for (const a of credentialLike) expect(`${a.at}: ${a.type}`).toBe(`${a.at}: Secret`);
    // And no plain string or list argument could carry one.
    for (const a of all.filter((x) => x.type === "string" || x.type === "[string]")) expect(a.at).not.toMatch(/key|token|pass|cred/i);
  });

  test("plan and deploy are never cached; Google credentials are a key file or GitHub OIDC, both optional to the CLI", () => {
    const caches = Object.fromEntries(Object.entries(main().functions).map(([n, f]) => [n, f.cache]));
    // modelPipeline publishes an image: a side effect, like deploy.
    expect(Object.entries(caches).filter(([, c]) => c !== null)).toEqual([
      ["plan", "never"],
      ["deploy", "never"],
      ["modelPipeline", "never"],
    ]);
    // Which of the two is given is checked by the function (one line), see pipelines-plan.test.ts.
    for (const f of ["plan", "deploy"]) {
      for (const a of ["googleCredentials", "oidcRequestUrl", "oidcRequestToken", "workloadIdentityProvider", "serviceAccount", "config"]) {
        expect({ f, a, optional: fn(f).args[a].optional }).toEqual({ f, a, optional: true });
      }
    }
    expect(fn("plan").args.githubApiUrl.default).toBe("https://api.github.com");
    expect(fn("plan").args.pullRequest.type).toBe("integer");
  });

  test("every function that mounts a cache takes a cacheNamespace", () => {
    const without = Object.entries(main().functions)
      .filter(([, f]) => !("cacheNamespace" in f.args))
      .map(([n]) => n);
    expect(without).toEqual([]);
    for (const f of Object.values(main().functions)) expect(f.args.cacheNamespace).toMatchObject({ type: "string", default: "local" });
  });

  test("this repository's functions default --source to the repository root, ignoring exactly repo.ts REPO_IGNORE", () => {
    // The one ignore list lives in pipelines/src/repo.ts; index.ts repeats it in each decorator
    // because the introspector evaluates the decorator's text (see REPO_IGNORE's comment).
    const literal = /export const REPO_IGNORE = (\[[^\]]*\]);/.exec(read("pipelines/src/repo.ts"))![1];
    const repoIgnore = JSON.parse(literal.replace(/,\s*\]$/, "]")) as string[];
    expect(repoIgnore).toEqual(expect.arrayContaining([".git", "**/node_modules", "**/cdktf.out", "**/.gen", "**/.terraform", "**/*.tfstate*"]));
    for (const name of ["lint", "test", "synth", "plan", "deploy", "ci"]) {
      const source = fn(name).args.source;
      expect({ name, type: source.type, defaultPath: source.defaultPath, ignore: source.ignore }).toEqual({ name, type: "Directory", defaultPath: "/", ignore: repoIgnore });
    }
  });

  test("the reusable functions take the caller's --source (no default path) and show their defaults", () => {
    for (const name of ["nodeEnv", "nodeBuild", "nodeTest", "pythonEnv", "pythonBuild", "pythonTest", "modelPipeline", "goEnv", "goBuild", "goTest"]) {
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
    // The gate's threshold is a float, and required: SDK 0.20.0's introspector would register a
    // default of 0.9 as 0 (parseInt), a gate that passes everything. The GPU model pipeline uses
    // the Python defaults.
    expect(fn("modelPipeline").args.threshold).toMatchObject({ type: "float", optional: false, default: null });
    expect(fn("modelPipeline").args.image.default).toBe(image("python"));
    for (const a of ["hfToken", "registryUsername", "registryPassword"]) expect(fn("modelPipeline").args[a].optional).toBe(true);
  });
});

// ------------------------------------------------------------------------------ workflows

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on": string;
  if?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": unknown };
  jobs: Record<string, Job>;
}

/**
 * Event contexts the rules are evaluated in (payload fields as in docs.github.com webhook
 * events: pull_request.head.repo is null when the fork was deleted).
 */
const REPO = "my-org/infra";
const prFrom = (headRepo: string | null) => ({
  event_name: "pull_request",
  ref: "refs/pull/7/merge",
  repository: REPO,
  event: { pull_request: { number: 7, head: { sha: "abc", repo: headRepo === null ? null : { full_name: headRepo, fork: headRepo !== REPO } } } },
});
const CONTEXTS: Record<string, Record<string, Value>> = {
  pushMain: { github: { event_name: "push", ref: "refs/heads/main", repository: REPO, event: {} }, vars: { RUNNERS_CONFIG_FILE: "deploy/runners.yaml" } },
  dispatchBranch: { github: { event_name: "workflow_dispatch", ref: "refs/heads/feature", repository: REPO, event: {} }, vars: { RUNNERS_CONFIG_FILE: "deploy/runners.yaml" } },
  samePr: { github: prFrom(REPO), vars: { RUNNERS_CONFIG_FILE: "deploy/runners.yaml" } },
  // GitHub compares strings case-insensitively: a differently cased name is the same repository.
  samePrCase: { github: prFrom("My-Org/Infra"), vars: { RUNNERS_CONFIG_FILE: "deploy/runners.yaml" } },
  forkPr: { github: prFrom("someone/infra"), vars: { RUNNERS_CONFIG_FILE: "deploy/runners.yaml" } },
  deletedForkPr: { github: prFrom(null), vars: { RUNNERS_CONFIG_FILE: "deploy/runners.yaml" } },
  hostedOverride: { github: { event_name: "push", ref: "refs/heads/main", repository: REPO, event: {} }, vars: { USE_HOSTED_RUNNERS: "true", RUNNERS_CONFIG_FILE: "x" } },
  samePrNoConfig: { github: prFrom(REPO), vars: {} },
};
const HOSTED = "ubuntu-24.04";

describe("workflows", () => {
  const dir = path.join(ROOT, ".github", "workflows");
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  const text = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
  const wf: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(text(f))]));
  const configLabels = Object.keys(plan.runnerLabels);
  const runsOn = (f: string, job: string, ctx: string) => interpolate(wf[f].jobs[job]["runs-on"], CONTEXTS[ctx]);
  const runs = (f: string, job: string, ctx: string) => condition(wf[f].jobs[job].if, CONTEXTS[ctx]);

  test("the two workflows a team copies", () => {
    expect(files.sort()).toEqual(["ci.yml", "deploy.yml"]);
  });

  test("ci: pull requests from forks run on a GitHub-hosted runner, automatically; everything else on dagger-v0.20", () => {
    const where = Object.fromEntries(Object.keys(CONTEXTS).map((c) => [c, runsOn("ci.yml", "ci", c)]));
    expect(where).toEqual({
      pushMain: "dagger-v0.20",
      dispatchBranch: "dagger-v0.20",
      samePr: "dagger-v0.20",
      samePrCase: "dagger-v0.20",
      forkPr: HOSTED,
      deletedForkPr: HOSTED,
      hostedOverride: HOSTED,
      samePrNoConfig: "dagger-v0.20",
    });
  });

  test("cache namespaces: main, this repository's pull requests and forks' are separate", () => {
    const ns = (c: string) => interpolate(wf["ci.yml"].jobs.ci.env!.CACHE_NAMESPACE, CONTEXTS[c]);
    expect([ns("pushMain"), ns("samePr"), ns("forkPr"), ns("deletedForkPr")]).toEqual([REPO, `${REPO}/pr`, `${REPO}/untrusted`, `${REPO}/untrusted`]);
    expect(wf["ci.yml"].jobs.ci.steps.map((s) => s.run).filter(Boolean)).toEqual(['dagger call ci --source=. --cache-namespace="${CACHE_NAMESPACE}"']);
    const planStep = wf["ci.yml"].jobs.plan.steps.find((s) => s.run?.includes("dagger call plan"))!;
    expect(interpolate(planStep.env!.CACHE_NAMESPACE, CONTEXTS.samePr)).toBe(`${REPO}/pr`);
    expect(planStep.run).toContain('--cache-namespace="${CACHE_NAMESPACE}"');
    expect(wf["deploy.yml"].jobs.deploy.steps.find((s) => s.run?.includes("dagger call deploy"))!.run).toContain('--cache-namespace="${GITHUB_REPOSITORY}"');
  });

  test("plan runs for this repository's pull requests with a config, never for forks or pushes", () => {
    const when = Object.fromEntries(Object.keys(CONTEXTS).map((c) => [c, runs("ci.yml", "plan", c)]));
    expect(when).toEqual({
      pushMain: false,
      dispatchBranch: false,
      samePr: true,
      samePrCase: true,
      forkPr: false,
      deletedForkPr: false,
      hostedOverride: false,
      samePrNoConfig: false,
    });
    expect(runsOn("ci.yml", "plan", "samePr")).toBe("dagger-v0.20");
  });

  test("deploy runs only on main, on a GitHub-hosted runner (never on the runners it changes), one at a time", () => {
    const d = wf["deploy.yml"];
    expect(d.on.push).toEqual({ branches: ["main"] });
    expect(d.jobs.deploy["runs-on"]).toBe(HOSTED);
    expect(d.jobs.deploy.environment).toBe("production");
    expect(runs("deploy.yml", "deploy", "pushMain")).toBe(true);
    expect(runs("deploy.yml", "deploy", "dispatchBranch")).toBe(false);
    expect(d.concurrency).toEqual({ group: "deploy-${{ github.repository }}", "cancel-in-progress": false });
    expect(d.jobs.deploy.steps.map((s) => s.uses?.split("@")[0] ?? "run")).toEqual(["actions/checkout", "dagger/dagger-for-github", "run"]);
  });

  test("every self-hosted label a job can get is one the default config produces; others are GitHub-hosted", () => {
    const labels = new Set<string>();
    for (const f of files) for (const job of Object.keys(wf[f].jobs)) for (const c of Object.keys(CONTEXTS)) labels.add(String(runsOn(f, job, c)));
    expect([...labels].filter((l) => l !== HOSTED && !configLabels.includes(l))).toEqual([]);
    expect(labels).toContain("dagger-v0.20");
    expect(plan.runnerLabels["dagger-v0.20"]).toBe(latest.text);
  });

  test("the Dagger action installs the CLI on GitHub-hosted runners only, at the default engine version, pinned by commit", () => {
    // dagger/dagger-for-github action.yml inputs (v8): version, commit, dagger-flags, verb,
    // workdir, cloud-token, module, args, engine-stop, call; with only `version` it installs.
    for (const f of files) {
      for (const [name, job] of Object.entries(wf[f].jobs)) {
        for (const s of job.steps.filter((x) => x.uses?.startsWith("dagger/dagger-for-github@"))) {
          expect({ at: `${f}:${name}`, uses: s.uses, with: s.with }).toEqual({
            at: `${f}:${name}`,
            uses: expect.stringMatching(/^dagger\/dagger-for-github@[0-9a-f]{40}$/),
            with: { version: latest.text },
          });
          const hostedOnly = job["runs-on"] === HOSTED ? undefined : "runner.environment == 'github-hosted'";
          expect({ at: `${f}:${name}`, if: s.if }).toEqual({ at: `${f}:${name}`, if: hostedOnly });
          if (s.if) {
            expect(condition(s.if, { runner: { environment: "github-hosted" } })).toBe(true);
            expect(condition(s.if, { runner: { environment: "self-hosted" } })).toBe(false);
          }
        }
      }
    }
    // No other way of installing the CLI.
    for (const f of files) expect(text(f)).not.toMatch(/install\.sh|dl\.dagger\.io/);
  });

  test("least privilege: contents read everywhere; id-token only where Google is reached; pull-requests write only for the comment", () => {
    const perms = Object.fromEntries(files.flatMap((f) => Object.entries(wf[f].jobs).map(([n, j]) => [`${f}:${n}`, j.permissions ?? wf[f].permissions])));
    expect(perms).toEqual({
      "ci.yml:ci": { contents: "read" },
      "ci.yml:plan": { contents: "read", "id-token": "write", "pull-requests": "write" },
      "deploy.yml:deploy": { contents: "read", "id-token": "write" },
    });
    for (const f of files) expect(wf[f].permissions).toEqual({ contents: "read" });
  });

  test("no JSON key anywhere: Google is reached through GitHub OIDC", () => {
    for (const f of files) expect(text(f)).not.toMatch(/GOOGLE_CREDENTIALS|google-credentials|credentials_json|service[-_]account[-_]key/i);
    for (const [f, job, fn] of [["ci.yml", "plan", "plan"], ["deploy.yml", "deploy", "deploy"]] as const) {
      const run = wf[f].jobs[job].steps.find((s) => s.run?.includes(`dagger call ${fn}`))!.run!;
      expect(run).toContain("--oidc-request-url=env:ACTIONS_ID_TOKEN_REQUEST_URL");
      expect(run).toContain("--oidc-request-token=env:ACTIONS_ID_TOKEN_REQUEST_TOKEN");
      expect(run).toMatch(/--workload-identity-provider="\$\{WORKLOAD_IDENTITY_PROVIDER\}"/);
      expect(run).toMatch(/--service-account="\$\{(PLAN|DEPLOY)_SERVICE_ACCOUNT\}"/);
    }
  });

  test("secrets reach the pipeline only through env: secret arguments, never interpolated into a script", () => {
    const stepsRun = files.flatMap((f) => Object.values(wf[f].jobs).flatMap((j) => j.steps.filter((s) => s.run)));
    for (const s of stepsRun) {
      expect(s.run).not.toMatch(/\$\{\{/);
      for (const [name, value] of Object.entries(s.env ?? {})) {
        if (/secrets\./.test(value)) expect(s.run).toContain(`env:${name}`);
      }
    }
    const comment = wf["ci.yml"].jobs.plan.steps.find((s) => s.run?.includes("dagger call plan"))!;
    expect(comment.env!.PR_COMMENT_TOKEN).toBe("${{ secrets.GITHUB_TOKEN }}");
    expect(comment.run).toContain("--pr-comment-token=env:PR_COMMENT_TOKEN");
  });

  test.each(["ci.yml", "deploy.yml"])("%s passes the GitHub workflow JSON schema (@action-validator/core)", (f) => {
    expect(validateWorkflow(text(f)).errors).toEqual([]);
  });

  test("the schema check can fail", () => {
    const bad = text("ci.yml").replace("id-token: write", "id-token: writ");
    expect(validateWorkflow(bad).errors.length).toBeGreaterThan(0);
  });

  // Checks the schema leaves out: `needs` names a job, each step has exactly one of uses/run,
  // every `${{` is closed on its line, every action pinned by a full commit SHA.
  function extraProblems(f: string): string[] {
    const w = wf[f] as unknown as Record<string, any>;
    const out: string[] = [];
    for (const [id, job] of Object.entries((w.jobs ?? {}) as Record<string, Record<string, any>>)) {
      for (const n of [job.needs ?? []].flat()) if (!(n in w.jobs)) out.push(`${f}: jobs.${id}: needs unknown job ${n}`);
      (job.steps ?? []).forEach((s: Record<string, unknown>, i: number) => {
        if (("uses" in s) === ("run" in s)) out.push(`${f}: jobs.${id}.steps[${i}]: needs exactly one of uses and run`);
        if (typeof s.uses === "string" && !/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(s.uses)) out.push(`${f}: jobs.${id}.steps[${i}]: ${s.uses} is not pinned by commit`);
      });
    }
    text(f)
      .split("\n")
      .forEach((line, i) => {
        if ((line.match(/\$\{\{/g) ?? []).length !== (line.match(/\}\}/g) ?? []).length) out.push(`${f}:${i + 1}: unbalanced \${{ }}`);
      });
    return out;
  }

  test.each(["ci.yml", "deploy.yml"])("%s: needs, steps, expressions and pins", (f) => {
    expect(extraProblems(f)).toEqual([]);
  });

  test("the extra checks can fail", () => {
    const job = (wf["ci.yml"] as unknown as Record<string, any>).jobs.ci;
    const saved = job.steps[0];
    job.steps[0] = { ...saved, uses: "actions/checkout@v6", run: "x" };
    try {
      expect(extraProblems("ci.yml")).toEqual([
        "ci.yml: jobs.ci.steps[0]: needs exactly one of uses and run",
        "ci.yml: jobs.ci.steps[0]: actions/checkout@v6 is not pinned by commit",
      ]);
    } finally {
      job.steps[0] = saved;
    }
  });
});

describe("the expression evaluator the workflow tests use (test/gh-expr.ts)", () => {
  test("follows GitHub's semantics where the rules rely on them", () => {
    const ctx = { github: { repository: "My-Org/Infra", event: {} }, vars: {} };
    expect(evaluate("github.repository == 'my-org/infra'", ctx)).toBe(true); // case-insensitive
    expect(evaluate("vars.UNSET != ''", ctx)).toBe(false); // an unset variable equals ''
    expect(evaluate("github.event.pull_request.head.repo.full_name", ctx)).toBe(null);
    expect(evaluate("true && 'a' || 'b'", ctx)).toBe("a");
    expect(evaluate("false && 'a' || 'b'", ctx)).toBe("b");
    expect(evaluate("!(1 == 2)", ctx)).toBe(true);
    expect(interpolate("x-${{ github.repository }}${{ vars.NONE }}", ctx)).toBe("x-My-Org/Infra");
  });
  test("refuses what it does not implement instead of guessing", () => {
    expect(() => evaluate("contains(github.ref, 'main')", {})).toThrow("function contains() is not supported");
    expect(() => evaluate("github.ref >= 'a'", {})).toThrow();
  });
});
