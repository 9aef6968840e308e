/**
 * The Dagger pipelines' operation graphs, checked without an engine.
 *
 * @dagger.io/dagger is an ES module and its decorators need `experimentalDecorators`, so the
 * module is not imported here (jest runs CommonJS through swc): pipelines/test/harness.ts
 * runs under tsx with pipelines/tsconfig.json, calls every function with placeholder inputs
 * and prints the query trees the SDK built lazily, plus the GraphQL queries a fake client
 * received for ci/plan/deploy. See the harness header for how that works.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { GITHUB_APP_PRIVATE_KEY_VARIABLE, GITHUB_TOKEN_VARIABLE } from "../lib/constructs/github-credentials";
import { DAGGER_CLOUD_TOKEN_VARIABLE } from "../lib/constructs/dagger-engines";

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
interface HarnessOutput {
  constants: {
    CACHE: Record<string, string>;
    CACHE_PATH: Record<string, string>;
    WORKDIR: string;
    SECRET_TF_VARIABLES: Record<string, string>;
  };
  graphs: Record<string, Op[]>;
  ciPass: CiRun;
  ciFail: CiRun;
  planQueries: string[];
  deployQueries: string[];
  badPackageManager: string;
}

const ROOT = path.resolve(__dirname, "..");
const SENTINELS = [
  "SENTINEL-GOOGLE-CREDENTIALS",
  "SENTINEL-GITHUB-APP-KEY",
  "SENTINEL-GITHUB-TOKEN",
  "SENTINEL-DAGGER-CLOUD-TOKEN",
];

let out: HarnessOutput;

beforeAll(() => {
  const r = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "tsx"),
    ["--tsconfig", "pipelines/tsconfig.json", "pipelines/test/harness.ts"],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
  );
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
      const key = cache.$ops.find((c) => c.op === "cacheVolume")?.args.key;
      return { path: o.args.path as string, key: key as string };
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

  test("the source copy excludes local installs and outputs", () => {
    const lint = out.graphs.lint;
    expect(lint[sourceCopy(lint)].args.exclude).toEqual(expect.arrayContaining([".git", "**/node_modules", "cdktf.out"]));
    const py = out.graphs.pythonEnvUv;
    expect(py[sourceCopy(py)].args.exclude).toEqual(expect.arrayContaining(["**/.venv", "**/__pycache__"]));
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
    ["pythonEnvPip", ["pip", "huggingface"], ["pip", "install"]],
    ["pythonTestUv", ["uv", "huggingface"], ["uv", "sync"]],
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
      expect.arrayContaining(["npm", "pip", "uv", "go-mod", "go-build", "huggingface"]),
    );
  });

  test("the package managers are told where their cache is", () => {
    const env = (name: string) =>
      Object.fromEntries(out.graphs[name].filter((o) => o.op === "withEnvVariable").map((o) => [o.args.name, o.args.value]));
    expect(env("nodeEnv").npm_config_cache).toBe("/root/.npm");
    expect(env("pythonEnvUv").UV_CACHE_DIR).toBe("/root/.cache/uv");
    expect(env("pythonEnvPip").PIP_CACHE_DIR).toBe("/root/.cache/pip");
    expect(env("pythonEnvPip").HF_HOME).toBe("/root/.cache/huggingface");
    expect(env("goEnv")).toMatchObject({ GOMODCACHE: "/go/pkg/mod", GOCACHE: "/root/.cache/go-build" });
    // No Hugging Face cache unless asked for.
    expect(cacheMounts(out.graphs.pythonEnvUv).map((m) => m.key)).not.toContain("huggingface");
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
    const exec = out.graphs.deploy[execIndex(out.graphs.deploy, ["npx", "cdktf", "deploy"])];
    expect(exec.args.args).toEqual(["npx", "cdktf", "deploy", "dagger-runners-runners", "--skip-synth", "--auto-approve"]);
  });

  test.each(["plan", "deploy"])("%s: a secret reaches the graph only as a Secret object", (name) => {
    for (const o of allOps(out.graphs[name])) {
      const allowed =
        (o.op === "withMountedSecret" && "source" in o.args) ||
        (o.op === "withSecretVariable" && "secret" in o.args) ||
        o.op === "loadSecretFromID";
      if (allowed) continue;
      const text = JSON.stringify(o.args);
      for (const s of SENTINELS) expect(text).not.toContain(s);
    }
    // No plain env variable looks like a credential (paths to mounted secrets excepted).
    for (const o of out.graphs[name].filter((x) => x.op === "withEnvVariable")) {
      if (/TOKEN|KEY|SECRET|PASSWORD|CREDENTIAL/i.test(String(o.args.name))) {
        expect(String(o.args.value)).toMatch(/^\/run\/secrets\//);
      }
    }
    expect(out.graphs[name].some((o) => o.op === "setSecret" || o.op === "withNewFile")).toBe(false);
  });

  test.each([
    ["plan", ["SENTINEL-GOOGLE-CREDENTIALS"]],
    ["deploy", SENTINELS],
  ])("%s through the module class: the final query names secrets only by ID in secret slots", (name, sentinels) => {
    const queries = name === "plan" ? out.planQueries : out.deployQueries;
    const final = queries[queries.length - 1];
    expect(final).toMatch(/\bstdout\s*\}/);
    // The fake client answered `loadSecretFromID(id: X) { id }` with "Secret:X".
    let scrubbed = final
      .replace(/withMountedSecret \(path: "[^"]*",source: "Secret:[^"]+"\)/g, "")
      .replace(/withSecretVariable \(name: "[^"]*",secret: "Secret:[^"]+"\)/g, "");
    for (const s of SENTINELS) expect(scrubbed).not.toContain(s);
    for (const s of sentinels) expect(final).toContain(`"Secret:${s}"`);
    // Each sentinel was only ever sent as a secret ID to load.
    for (const q of queries.slice(0, -1)) {
      scrubbed = q.replace(/loadSecretFromID \(id: "[^"]+"\)/g, "");
      for (const s of SENTINELS) expect(scrubbed).not.toContain(s);
    }
  });

  test("deploy maps each secret argument to its TF_VAR_ variable", () => {
    const final = out.deployQueries[out.deployQueries.length - 1];
    expect(final).toContain('withSecretVariable (name: "TF_VAR_github_app_private_key",secret: "Secret:SENTINEL-GITHUB-APP-KEY")');
    expect(final).toContain('withSecretVariable (name: "TF_VAR_github_token",secret: "Secret:SENTINEL-GITHUB-TOKEN")');
    expect(final).toContain('withSecretVariable (name: "TF_VAR_dagger_cloud_token",secret: "Secret:SENTINEL-DAGGER-CLOUD-TOKEN")');
    expect(final).toContain('"npx","cdktf","deploy","*","--skip-synth","--auto-approve"');
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
