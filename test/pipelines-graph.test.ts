/**
 * The Dagger pipelines' operation graphs, checked without an engine.
 *
 * @dagger.io/dagger is an ES module and its decorators need `experimentalDecorators`, so the
 * module is not imported here (jest runs CommonJS through swc): pipelines/test/harness.ts
 * runs in its own node process (bundled with pipelines/tsconfig.json by
 * test/pipelines-harness.ts), calls every function with placeholder inputs
 * and prints the query trees the SDK built lazily, plus the GraphQL queries a fake client
 * received for ci. See the harness header for how that works. plan and deploy end to end:
 * test/pipelines-plan.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GITHUB_APP_PRIVATE_KEY_VARIABLE, GITHUB_TOKEN_VARIABLE } from "../lib/constructs/github-credentials";
import { DAGGER_CLOUD_TOKEN_VARIABLE } from "../lib/constructs/dagger-engines";
import { runHarness } from "./pipelines-harness";

interface Op {
  op: string;
  args: Record<string, unknown>;
}
interface Ref {
  $type: string;
  $ops: Op[];
}
interface CiRun {
  ok: boolean;
  result?: string;
  error?: string;
  maxSyncInFlight: number;
}
interface ModelRun {
  ok: boolean;
  result?: string;
  error?: string;
  published: boolean;
  queries: string[];
}
interface HarnessOutput {
  constants: {
    CACHE: Record<string, string>;
    CACHE_PATH: Record<string, string>;
    WORKDIR: string;
    SECRET_TF_VARIABLES: Record<string, string>;
    REPO_IGNORE: string[];
    PLAN_DIR: string;
    MODEL: { MODEL_DIR: string; SCORE_FILE: string; MODEL_LABELS: Record<string, string> };
  };
  graphs: Record<string, Op[]>;
  ciPass: CiRun;
  ciFail: CiRun;
  modelPass: ModelRun;
  modelAtThreshold: ModelRun;
  modelFail: ModelRun;
  modelNotANumber: ModelRun;
  modelHalfAuth: ModelRun;
  badPackageManager: string;
  badCacheNamespace: string;
}

const ROOT = path.resolve(__dirname, "..");
const SENTINELS = [
  "SENTINEL-GOOGLE-CREDENTIALS",
  "SENTINEL-GITHUB-APP-KEY",
  "SENTINEL-GITHUB-TOKEN",
  "SENTINEL-DAGGER-CLOUD-TOKEN",
  "SENTINEL-OIDC-REQUEST-URL",
  "SENTINEL-OIDC-REQUEST-TOKEN",
];

let out: HarnessOutput;

beforeAll(() => {
  const r = runHarness("harness");
  if (r.status !== 0) throw new Error(`harness failed (${r.status}): ${r.stderr}`);
  out = JSON.parse(r.stdout) as HarnessOutput;
});

const isRef = (v: unknown): v is Ref => typeof v === "object" && v !== null && "$type" in v;
const indexOf = (ops: Op[], pred: (o: Op) => boolean) => ops.findIndex(pred);
const execIndex = (ops: Op[], argv0: string[]) =>
  indexOf(ops, (o) => o.op === "withExec" && argv0.every((a, i) => (o.args.args as string[])[i] === a));
/** `withDirectory` of the source into the workdir with an include list (the manifests). */
const manifestCopy = (ops: Op[]) =>
  indexOf(ops, (o) => o.op === "withDirectory" && isRef(o.args.source) && Array.isArray(o.args.include));
/** `withDirectory` of the whole source (no include list). */
const sourceCopy = (ops: Op[]) =>
  indexOf(ops, (o) => o.op === "withDirectory" && isRef(o.args.source) && !("include" in o.args) && o.args.path === out.constants.WORKDIR);
const cacheMounts = (ops: Op[]) =>
  ops
    .filter((o) => o.op === "withMountedCache")
    .map((o) => {
      const cache = o.args.cache as Ref;
      const full = cache.$ops.find((c) => c.op === "cacheVolume")?.args.key as string;
      // `<namespace>:<name>` (pipelines/src/caches.ts cacheKey)
      const at = full.indexOf(":");
      return { path: o.args.path as string, key: full.slice(at + 1), namespace: full.slice(0, at) };
    });
/** Every op of a graph, nested objects included. */
function allOps(ops: Op[]): Op[] {
  const res: Op[] = [];
  for (const o of ops) {
    res.push(o);
    for (const v of Object.values(o.args)) {
      if (isRef(v)) res.push(...allOps(v.$ops));
      if (Array.isArray(v)) v.filter(isRef).forEach((r) => res.push(...allOps(r.$ops)));
    }
  }
  return res;
}

describe("dependency manifests are installed before the source is copied", () => {
  // [graph, install command prefix, manifests that must be in the include list]
  const cases: [string, string[], string[]][] = [
    ["nodeEnv", ["npm", "ci"], ["package.json", "package-lock.json"]],
    ["nodeBuild", ["npm", "ci"], ["package.json", "package-lock.json"]],
    ["nodeTest", ["npm", "ci"], ["package.json", "package-lock.json"]],
    ["pythonEnvUv", ["uv", "sync", "--locked", "--no-install-project"], ["pyproject.toml", "uv.lock"]],
    ["pythonEnvPip", ["pip", "install", "-r", "requirements.txt", "-r", "requirements-dev.txt"], ["requirements.txt", "requirements-dev.txt"]],
    ["pythonTestUv", ["uv", "sync", "--locked", "--no-install-project"], ["pyproject.toml", "uv.lock"]],
    ["pythonBuildPip", ["pip", "install", "-r", "requirements.txt"], ["requirements.txt"]],
    ["goEnv", ["go", "mod", "download"], ["go.mod", "go.sum"]],
    ["goBuild", ["go", "mod", "download"], ["go.mod", "go.sum"]],
    ["goTest", ["go", "mod", "download"], ["go.mod", "go.sum"]],
    ["lint", ["npm", "ci"], ["package.json", "package-lock.json"]],
    ["test", ["npm", "ci"], ["package.json", "package-lock.json"]],
    ["synth", ["npm", "ci"], ["package.json", "package-lock.json"]],
    ["plan", ["npm", "ci"], ["package.json", "package-lock.json"]],
    ["deploy", ["npm", "ci"], ["package.json", "package-lock.json"]],
  ];
  test.each(cases)("%s: manifests -> %j -> source", (name, install, manifests) => {
    const ops = out.graphs[name];
    const m = manifestCopy(ops);
    const i = execIndex(ops, install);
    const s = sourceCopy(ops);
    expect(m).toBeGreaterThanOrEqual(0);
    expect(i).toBeGreaterThan(m);
    expect(s).toBeGreaterThan(i);
    expect(ops[m].args.include).toEqual(expect.arrayContaining(manifests));
    // The manifest copy carries nothing but manifests: no source glob.
    for (const pattern of ops[m].args.include as string[]) {
      expect(pattern).not.toMatch(/^\*\*?$|\*\.(ts|js|py|go)$/);
    }
    // Nothing but the manifests reaches the container before the install.
    const before = ops.slice(0, i).filter((o) => o.op === "withDirectory" || o.op === "withMountedDirectory");
    expect(before).toEqual([ops[m]]);
  });

  test("the source copy excludes local installs, outputs and Terraform state (the one REPO_IGNORE list)", () => {
    const lint = out.graphs.lint;
    expect(lint[sourceCopy(lint)].args.exclude).toEqual(out.constants.REPO_IGNORE);
    expect(out.constants.REPO_IGNORE).toEqual(expect.arrayContaining([".git", "**/node_modules", "**/cdktf.out", "**/.gen", "**/.terraform", "**/*.tfstate*"]));
    const py = out.graphs.pythonEnvUv;
    expect(py[sourceCopy(py)].args.exclude).toEqual(expect.arrayContaining(["**/.venv", "**/__pycache__"]));
  });

  test.each(["nodeEnv", "lint", "synth", "deploy"])("%s: npm ci skips lifecycle scripts; after the source copy, npm rebuild and then the project's prepare run", (name) => {
    // This repository's prepare is `npm run build` (tsc over the source): before the source
    // copy it would fail, so `npm ci` alone would break every Node pipeline.
    const ops = out.graphs[name];
    const ci = indexOf(ops, (o) => o.op === "withExec" && (o.args.args as string[])[1] === "ci");
    expect(ops[ci].args.args).toContain("--ignore-scripts");
    const rebuild = indexOf(ops, (o) => o.op === "withExec" && JSON.stringify(o.args.args) === JSON.stringify(["npm", "rebuild"]));
    const prepare = indexOf(ops, (o) => o.op === "withExec" && JSON.stringify(o.args.args) === JSON.stringify(["npm", "run", "--if-present", "prepare"]));
    expect(rebuild).toBeGreaterThan(sourceCopy(ops));
    expect(prepare).toBeGreaterThan(rebuild);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
    expect(pkg.scripts.prepare).toBe("npm run build");
  });

  test("uv installs the project itself after the source copy", () => {
    const ops = out.graphs.pythonEnvUv;
    const full = indexOf(ops, (o) => o.op === "withExec" && JSON.stringify(o.args.args) === JSON.stringify(["uv", "sync", "--locked"]));
    expect(full).toBeGreaterThan(sourceCopy(ops));
  });
});

describe("package-manager caches are named cache volumes, mounted before the install", () => {
  const cases: [string, string[], string[]][] = [
    ["nodeEnv", ["npm"], ["npm", "ci"]],
    ["pythonEnvUv", ["uv"], ["uv", "sync"]],
    ["pythonEnvPip", ["pip", "huggingface-hub"], ["pip", "install"]],
    ["pythonTestUv", ["uv", "huggingface-hub"], ["uv", "sync"]],
    ["goEnv", ["go-mod", "go-build"], ["go", "mod", "download"]],
    ["goTest", ["go-mod", "go-build"], ["go", "mod", "download"]],
    ["lint", ["npm"], ["npm", "ci"]],
    ["plan", ["npm", "terraform-plugins"], ["npm", "ci"]],
  ];
  test.each(cases)("%s mounts %j", (name, keys, install) => {
    const ops = out.graphs[name];
    const mounts = cacheMounts(ops);
    expect(mounts.map((m) => m.key)).toEqual(expect.arrayContaining(keys));
    for (const m of mounts) {
      const entry = Object.entries(out.constants.CACHE).find(([, key]) => key === m.key);
      expect(entry).toBeDefined();
      expect(m.path).toBe(out.constants.CACHE_PATH[entry![0]]);
    }
    const firstMount = indexOf(ops, (o) => o.op === "withMountedCache");
    if (!["plan"].includes(name)) expect(firstMount).toBeLessThan(execIndex(ops, install));
  });

  test("the cache volume names are the documented ones", () => {
    expect(Object.values(out.constants.CACHE)).toEqual(
      expect.arrayContaining(["npm", "pip", "uv", "go-mod", "go-build", "huggingface-hub", "terraform-plugins"]),
    );
  });

  test("the package managers are told where their cache is", () => {
    const env = (name: string) =>
      Object.fromEntries(out.graphs[name].filter((o) => o.op === "withEnvVariable").map((o) => [o.args.name, o.args.value]));
    expect(env("nodeEnv").npm_config_cache).toBe("/root/.npm");
    expect(env("pythonEnvUv").UV_CACHE_DIR).toBe("/root/.cache/uv");
    expect(env("pythonEnvPip").PIP_CACHE_DIR).toBe("/root/.cache/pip");
    // The Hugging Face hub cache only: HF_HOME (which holds the login token) is never a shared volume.
    expect(env("pythonEnvPip").HF_HUB_CACHE).toBe("/root/.cache/huggingface/hub");
    expect(env("pythonEnvPip").HF_HOME).toBeUndefined();
    expect(cacheMounts(out.graphs.pythonEnvPip).find((m) => m.key === "huggingface-hub")?.path).toBe("/root/.cache/huggingface/hub");
    expect(env("goEnv")).toMatchObject({ GOMODCACHE: "/go/pkg/mod", GOCACHE: "/root/.cache/go-build" });
    // No Hugging Face cache unless asked for.
    expect(cacheMounts(out.graphs.pythonEnvUv).map((m) => m.key)).not.toContain("huggingface-hub");
  });

  test("cache volumes are namespaced: main, pull requests and forks never share one", () => {
    const ns = (name: string) => [...new Set(cacheMounts(out.graphs[name]).map((m) => m.namespace))];
    expect(ns("nodeEnv")).toEqual(["local"]);
    expect(ns("nodeEnvMain")).toEqual(["my-org/app"]);
    expect(ns("nodeEnvPr")).toEqual(["my-org/app/pr"]);
    expect(ns("goEnvUntrusted")).toEqual(["my-org/app/untrusted"]);
    expect(ns("plan")).toEqual(["my-org/infra/pr"]);
    expect(ns("deploy")).toEqual(["my-org/infra"]);
    expect(out.badCacheNamespace).toBe(
      'cacheNamespace: "my org/app" is not allowed (expected up to three "/"-separated parts of letters, digits, ".", "_" and "-", e.g. my-org/my-repo or my-org/my-repo/pr)',
    );
  });
});

describe("outputs are Directories callers can export", () => {
  test.each([
    ["synth", "/src/cdktf.out"],
    ["synthWithConfig", "/src/cdktf.out"],
    ["nodeBuild", "/src/dist"],
    ["goBuild", "/out"],
    ["pythonBuildPip", "/out"],
  ])("%s ends in directory(%s)", (name, dir) => {
    const ops = out.graphs[name];
    expect(ops[ops.length - 1]).toEqual({ op: "directory", args: { path: dir } });
  });

  test("synth runs npm run synth into CDKTF_OUTDIR; a config file becomes RUNNERS_CONFIG", () => {
    const plain = out.graphs.synth;
    expect(execIndex(plain, ["npm", "run", "synth"])).toBeGreaterThan(sourceCopy(plain));
    expect(plain.some((o) => o.op === "withEnvVariable" && o.args.name === "RUNNERS_CONFIG")).toBe(false);
    const withCfg = out.graphs.synthWithConfig;
    const file = indexOf(withCfg, (o) => o.op === "withFile" && o.args.path === "/config/runners.yaml");
    const env = indexOf(withCfg, (o) => o.op === "withEnvVariable" && o.args.name === "RUNNERS_CONFIG" && o.args.value === "/config/runners.yaml");
    expect(file).toBeGreaterThan(0);
    expect(env).toBeGreaterThan(0);
    expect(execIndex(withCfg, ["npm", "run", "synth"])).toBeGreaterThan(env);
  });

  test("go build writes into /out with -trimpath for the given packages", () => {
    const ops = out.graphs.goBuild;
    expect(ops[execIndex(ops, ["go", "build"])].args.args).toEqual(["go", "build", "-trimpath", "-o", "/out/", "./cmd/..."]);
  });
});

describe("secrets are passed as Secrets", () => {
  test("plan mounts the Google credentials as a secret file", () => {
    const ops = out.graphs.plan;
    const mount = ops.find((o) => o.op === "withMountedSecret");
    expect(mount?.args.path).toBe("/run/secrets/google-credentials.json");
    expect((mount?.args.source as Ref).$ops).toEqual([{ op: "loadSecretFromID", args: { id: "SENTINEL-GOOGLE-CREDENTIALS" } }]);
    const adc = ops.find((o) => o.op === "withEnvVariable" && o.args.name === "GOOGLE_APPLICATION_CREDENTIALS");
    expect(adc?.args.value).toBe("/run/secrets/google-credentials.json");
  });

  test("deploy passes every sensitive variable with withSecretVariable", () => {
    const vars = out.graphs.deploy.filter((o) => o.op === "withSecretVariable");
    expect(vars.map((o) => o.args.name).sort()).toEqual(Object.values(out.constants.SECRET_TF_VARIABLES).sort());
    for (const v of vars) expect((v.args.secret as Ref).$type).toBe("Secret");
    const exec = out.graphs.deploy[out.graphs.deploy.length - 1];
    expect(exec.op).toBe("withExec");
    expect((exec.args.args as string[]).slice(0, 2)).toEqual(["sh", "-c"]);
    expect((exec.args.args as string[]).slice(3)).toEqual(["deploy", "dagger-runners-runners"]);
  });

  test("a plan the pipeline did not get a variable for sets a named placeholder, not a secret", () => {
    const ph = out.graphs.plan.find((o) => o.op === "withEnvVariable" && o.args.name === "TF_VAR_github_app_private_key");
    expect(ph?.args.value).toBe("not-given-to-this-plan");
    expect(out.graphs.plan.some((o) => o.op === "withSecretVariable")).toBe(false);
  });

  test("the saved plan lives on a tmpfs mounted for the stack's exec, never in a layer", () => {
    for (const name of ["plan", "planOidc", "deploy"]) {
      const ops = out.graphs[name];
      const tmp = indexOf(ops, (o) => o.op === "withMountedTemp" && o.args.path === out.constants.PLAN_DIR);
      expect(tmp).toBeGreaterThan(indexOf(ops, (o) => o.op === "withExec" && (o.args.args as string[])[2] === "synth"));
      expect(ops.filter((o) => o.op === "withExec" && (o.args.args as string[])[0] === "sh")).toHaveLength(1);
      expect(ops[ops.length - 1].op).toBe("withExec");
    }
  });

  test("GitHub OIDC: the request secrets are mounted files, the credential file holds no secret, no key is mounted", () => {
    for (const name of ["planOidc", "deploy"]) {
      const ops = out.graphs[name];
      const mounts = ops.filter((o) => o.op === "withMountedSecret");
      expect(mounts.map((o) => [o.args.path, (o.args.source as Ref).$ops[0].args.id as string])).toEqual([
        ["/run/secrets/github-oidc-request-url", "SENTINEL-OIDC-REQUEST-URL"],
        ["/run/secrets/github-oidc-request-token", "SENTINEL-OIDC-REQUEST-TOKEN"],
      ]);
      const adc = ops.filter((o) => o.op === "withEnvVariable" && o.args.name === "GOOGLE_APPLICATION_CREDENTIALS").map((o) => o.args.value);
      expect(adc).toEqual(["/etc/pipelines/google-external-account.json"]);
      const file = ops.find((o) => o.op === "withNewFile" && o.args.path === adc[0])!;
      const cred = JSON.parse(file.args.contents as string);
      expect(cred.type).toBe("external_account");
      expect(cred.credential_source).toEqual({ file: "/run/github-oidc/token", format: { type: "text" } });
      expect(ops.some((o) => o.op === "withMountedTemp" && o.args.path === "/run/github-oidc")).toBe(true);
      // The token is minted right before each terraform command that talks to Google.
      const script = (ops[ops.length - 1].args.args as string[])[2];
      const tfLines = script.split("\n").filter((l) => / (init|plan|apply) -/.test(l));
      expect(tfLines.length).toBeGreaterThan(1);
      for (const l of tfLines) expect(l).toMatch(/^node \/usr\/local\/lib\/pipelines\/mint-oidc\.mjs > \/run\/github-oidc\/token; terraform /);
    }
  });

  test.each(["plan", "planOidc", "deploy"])("%s: a secret reaches the graph only as a Secret object", (name) => {
    for (const o of allOps(out.graphs[name])) {
      const allowed =
        (o.op === "withMountedSecret" && "source" in o.args) ||
        (o.op === "withSecretVariable" && "secret" in o.args) ||
        o.op === "loadSecretFromID";
      if (allowed) continue;
      const text = JSON.stringify(o.args);
      for (const s of SENTINELS) expect(text).not.toContain(s);
    }
    // No plain env variable carries a credential.
    for (const o of out.graphs[name].filter((x) => x.op === "withEnvVariable")) {
      if (/TOKEN|KEY|SECRET|PASSWORD|CREDENTIAL/i.test(String(o.args.name))) {
        // A mounted secret's path, the external-account configuration (no secret in it, see the
        // OIDC test) or the named placeholder of a variable a plan did not get.
        expect(String(o.args.value)).toMatch(/^(\/run\/secrets\/.*|\/etc\/pipelines\/google-external-account\.json|not-given-to-this-plan)$/);
      }
    }
    expect(out.graphs[name].some((o) => o.op === "setSecret")).toBe(false);
  });

  test("deploy's TF_VAR_ names are the sensitive Terraform variables the stacks declare", () => {
    expect(out.constants.SECRET_TF_VARIABLES).toEqual({
      githubAppPrivateKey: `TF_VAR_${GITHUB_APP_PRIVATE_KEY_VARIABLE}`,
      githubToken: `TF_VAR_${GITHUB_TOKEN_VARIABLE}`,
      daggerCloudToken: `TF_VAR_${DAGGER_CLOUD_TOKEN_VARIABLE}`,
    });
  });

  test("plan and deploy are never served from the cache", () => {
    for (const name of ["plan", "deploy"]) {
      const ops = out.graphs[name];
      const bust = indexOf(ops, (o) => o.op === "withEnvVariable" && o.args.name === "PIPELINES_RUN_AT");
      expect(bust).toBeGreaterThan(0);
      expect(bust).toBe(ops.length - 2); // right before the final exec
    }
  });
});

describe("ci", () => {
  test("runs lint, test and synth concurrently and passes when all pass", () => {
    expect(out.ciPass).toMatchObject({ ok: true, result: "ci passed: lint, test, synth" });
    // The fake engine held each sync until three were in flight: sequential code would peak at 1.
    expect(out.ciPass.maxSyncInFlight).toBe(3);
  });

  test("fails when any step fails, naming every failed step", () => {
    expect(out.ciFail.ok).toBe(false);
    expect(out.ciFail.error).toMatch(/^ci failed: lint, synth\n/);
    expect(out.ciFail.error).toContain("fake engine: lint exited with code 1");
    expect(out.ciFail.error).toContain("fake engine: synth exited with code 1");
    expect(out.ciFail.error).not.toContain("--- test");
    expect(out.ciFail.maxSyncInFlight).toBe(3);
  });

  test("lint, test and synth run the repository's own scripts", () => {
    expect(execIndex(out.graphs.lint, ["npm", "run", "typecheck"])).toBeGreaterThan(0);
    expect(execIndex(out.graphs.test, ["npx", "jest", "--ci"])).toBeGreaterThan(0);
  });
});

test("an unknown Python package manager is a one-line error naming the allowed values", () => {
  expect(out.badPackageManager).toBe('packageManager: "poetry" is not allowed (expected one of: pip, uv)');
});

describe("model pipeline (GPU engines): weights in the hub cache, evaluation on the GPU, a gate, publish above it", () => {
  const env = (ops: Op[]) => Object.fromEntries(ops.filter((o) => o.op === "withEnvVariable").map((o) => [o.args.name, o.args.value]));

  test("weights: snapshot_download into the namespaced huggingface-hub volume at HF_HUB_CACHE, copied out to /model", () => {
    const ops = out.graphs.modelWeights;
    const hub = cacheMounts(ops).find((m) => m.key === "huggingface-hub");
    expect(hub).toEqual({ path: "/root/.cache/huggingface/hub", key: "huggingface-hub", namespace: "my-org/ml" });
    expect(env(ops)).toMatchObject({ HF_HUB_CACHE: hub!.path, MODEL_ID: "acme/sst2", MODEL_REVISION: "0123abc", MODEL_DIR: "/model" });
    const mount = indexOf(ops, (o) => o.op === "withMountedCache" && (o.args.path as string) === hub!.path);
    const download = indexOf(ops, (o) => o.op === "withExec" && (o.args.args as string[]).includes("-c"));
    expect(download).toBe(ops.length - 1);
    expect(mount).toBeLessThan(download);
    const [script] = (ops[download].args.args as string[]).slice(-1);
    expect((ops[download].args.args as string[]).slice(0, 5)).toEqual(["uv", "run", "--locked", "python", "-c"]);
    expect(script).toContain('snapshot_download(repo_id=os.environ["MODEL_ID"], revision=os.environ["MODEL_REVISION"])');
    expect(script).toContain('shutil.copytree(path, os.environ["MODEL_DIR"]');
    // The model id never reaches the command line; the token is a secret variable, never a plain one.
    expect(JSON.stringify(ops[download].args)).not.toContain("acme/sst2");
    const token = ops.find((o) => o.op === "withSecretVariable");
    expect(token?.args.name).toBe("HF_TOKEN");
    expect((token?.args.secret as Ref).$ops).toEqual([{ op: "loadSecretFromID", args: { id: "SENTINEL-HF-TOKEN" } }]);
    expect(env(ops).HF_TOKEN).toBeUndefined();
    // HF_HOME (which would hold a login token) is never on the shared volume.
    expect(env(ops).HF_HOME).toBeUndefined();
  });

  test("evaluation: the weights mounted, offline, every GPU, then the evaluation command writing EVAL_SCORE_FILE", () => {
    const ops = out.graphs.modelEval;
    const gpu = indexOf(ops, (o) => o.op === "experimentalWithAllGPUs");
    const run = indexOf(ops, (o) => o.op === "withExec" && JSON.stringify(o.args.args) === JSON.stringify(["uv", "run", "--locked", "python", "eval.py"]));
    expect(gpu).toBeGreaterThan(0);
    expect(run).toBe(ops.length - 1);
    expect(gpu).toBeLessThan(run);
    const weights = ops.find((o) => o.op === "withMountedDirectory" && o.args.path === out.constants.MODEL.MODEL_DIR);
    expect((weights?.args.source as Ref).$ops).toEqual([{ op: "loadDirectoryFromID", args: { id: "dir:weights" } }]);
    expect(env(ops)).toMatchObject({ HF_HUB_OFFLINE: "1", EVAL_SCORE_FILE: out.constants.MODEL.SCORE_FILE, MODEL_DIR: "/model", HF_HUB_CACHE: "/root/.cache/huggingface/hub" });
    // Installed before the source, like every Python build.
    expect(execIndex(ops, ["uv", "sync", "--locked", "--no-install-project"])).toBeLessThan(sourceCopy(ops));
    // pip: the evaluation is a module.
    expect(out.graphs.modelEvalPip[out.graphs.modelEvalPip.length - 1].args.args).toEqual(["python", "-m", "eval"]);
    expect(out.graphs.modelEvalPip.some((o) => o.op === "experimentalWithAllGPUs")).toBe(true);
  });

  test("the published image carries the weights and its provenance labels", () => {
    const ops = out.graphs.modelImage;
    expect(ops.find((o) => o.op === "withDirectory" && o.args.path === "/model")).toBeDefined();
    const labels = Object.fromEntries(ops.filter((o) => o.op === "withLabel").map((o) => [o.args.name, o.args.value]));
    expect(labels).toEqual({ "model.id": "acme/sst2", "model.revision": "0123abc", "model.eval.score": "0.93" });
    // The image is not given GPUs (it is what gets deployed, not evaluated).
    expect(ops.some((o) => o.op === "experimentalWithAllGPUs")).toBe(false);
  });

  test("gate: at or above the threshold it publishes (after reading the score), with the registry secret", () => {
    for (const run of [out.modelPass, out.modelAtThreshold]) {
      expect(run.ok).toBe(true);
      expect(run.result).toBe(`registry.example/models/sst2:v1@sha256:${"0".repeat(64)}`);
      const read = run.queries.findIndex((q) => /\bcontents\s*\}/.test(q));
      const publish = run.queries.findIndex((q) => /\bpublish\s*\(/.test(q));
      expect(read).toBeGreaterThanOrEqual(0);
      expect(publish).toBeGreaterThan(read);
      // The score file is read from the container that ran the evaluation on the GPUs.
      expect(run.queries[read]).toMatch(/experimentalWithAllGPUs.*withExec.*file \(path: "\/eval\/score"\)/);
    }
    const publish = out.modelPass.queries.find((q) => /\bpublish\s*\(/.test(q))!;
    expect(publish).toContain('publish (address: "registry.example/models/sst2:v1")');
    // The password reaches the engine as a Secret's ID, never as a value.
    expect(publish).toContain('withRegistryAuth (address: "registry.example",username: "ci",secret: "Secret:SENTINEL-REGISTRY-PASSWORD")');
    expect(publish).toContain('withLabel (name: "model.eval.score",value: "0.93")');
    expect(out.modelAtThreshold.queries.some((q) => q.includes("withRegistryAuth"))).toBe(false);
  });

  test("gate: below the threshold, or a score that is not a number, fails and publishes nothing", () => {
    expect(out.modelFail).toMatchObject({ ok: false, published: false, error: "model gate: score 0.87 is below the threshold 0.9; nothing published" });
    expect(out.modelNotANumber).toMatchObject({
      ok: false,
      published: false,
      error: 'model gate: the evaluation wrote "NaN accuracy" to /eval/score, not a number; nothing published',
    });
    // The evaluation did run (its score was read) before the gate refused.
    expect(out.modelFail.queries.some((q) => /\bcontents\s*\}/.test(q))).toBe(true);
  });

  test("a registry user without its password is refused before anything runs", () => {
    expect(out.modelHalfAuth).toMatchObject({
      ok: false,
      published: false,
      error: "registryUsername: give it together with registryPassword (or neither, for a registry the engine can push to already)",
    });
    expect(out.modelHalfAuth.queries).toEqual([]);
  });
});
