/**
 * Offline harness for test/pipelines-graph.test.ts (no Dagger engine needed).
 *
 * The TypeScript SDK builds every pipeline lazily: each call such as `withExec` appends
 * `{ operation, args }` to the object's query tree (`Context._queryTree` in
 * @dagger.io/dagger/dist/src/common/context.js) and nothing is sent until an awaited leaf
 * (`sync`, `stdout`, ...) runs `computeQuery`. So:
 *   - "graph": the functions returning Container/Directory are called with placeholder inputs
 *     (objects loaded from fake IDs) and their query trees are printed, with nested objects
 *     (directories, cache volumes, secrets) expanded;
 *   - `ci` runs against a fake GraphQL client installed on the SDK's global connection (the
 *     one `dag` uses), which records every query text and answers with fake IDs, so
 *     concurrency and failure handling can be checked. (plan and deploy, which read files and
 *     exec results back, run end to end in plan-harness.ts.)
 *
 * Run: tsx --tsconfig pipelines/tsconfig.json pipelines/test/harness.ts  (prints JSON; the tests run
 * the same file bundled, test/pipelines-harness.ts)
 */
import { Context, Directory, File, Secret, dag } from "@dagger.io/dagger";
import { Pipelines } from "../src/index.js";
import * as builds from "../src/builds.js";
import * as repo from "../src/repo.js";
import * as model from "../src/model.js";
import { CACHE, CACHE_PATH } from "../src/caches.js";
import { PLAN_DIR } from "../src/terraform.js";

export interface Op {
  op: string;
  args: Record<string, unknown>;
}

// `_ctx` is protected in the SDK's types; the harness reads it on purpose.
type Lazy = { _ctx: Context };
const isLazy = (v: unknown): v is Lazy =>
  typeof v === "object" && v !== null && "_ctx" in v && (v as unknown as Lazy)._ctx instanceof Context;

function serializeValue(v: unknown): unknown {
  if (isLazy(v)) return { $type: (v as object).constructor.name, $ops: serialize(v) };
  if (Array.isArray(v)) return v.map(serializeValue);
  return v;
}

/** The query tree of a lazy SDK object, nested objects expanded. */
export function serialize(obj: object): Op[] {
  const tree = ((obj as unknown as Lazy)._ctx as unknown as { _queryTree: { operation: string; args?: Record<string, unknown> }[] })._queryTree;
  return tree.map(({ operation, args }) => ({
    op: operation,
    args: Object.fromEntries(
      Object.entries(args ?? {})
        .filter(([k, v]) => k !== "__metadata" && v !== undefined)
        .map(([k, v]) => [k, serializeValue(v)]),
    ),
  }));
}

export const SENTINEL = {
  google: "SENTINEL-GOOGLE-CREDENTIALS",
  githubAppPrivateKey: "SENTINEL-GITHUB-APP-KEY",
  githubToken: "SENTINEL-GITHUB-TOKEN",
  daggerCloudToken: "SENTINEL-DAGGER-CLOUD-TOKEN",
  oidcRequestUrl: "SENTINEL-OIDC-REQUEST-URL",
  oidcRequestToken: "SENTINEL-OIDC-REQUEST-TOKEN",
} as const;

const src = (): Directory => dag.loadDirectoryFromID("dir:source" as never);
const cfg = (): File => dag.loadFileFromID("file:config" as never);
const secret = (id: string): Secret => dag.loadSecretFromID(id as never);

function graphs(): Record<string, Op[]> {
  const p = new Pipelines();
  const allSecrets = {
    githubAppPrivateKey: secret(SENTINEL.githubAppPrivateKey),
    githubToken: secret(SENTINEL.githubToken),
    daggerCloudToken: secret(SENTINEL.daggerCloudToken),
  };
  const oidc: repo.GoogleAuth = {
    oidc: {
      requestUrl: secret(SENTINEL.oidcRequestUrl),
      requestToken: secret(SENTINEL.oidcRequestToken),
      workloadIdentityProvider: "projects/123456789012/locations/global/workloadIdentityPools/github/providers/github",
      serviceAccount: "runners-deploy@my-gcp-project.iam.gserviceaccount.com",
    },
  };
  return {
    nodeEnv: serialize(p.nodeEnv(src())),
    nodeBuild: serialize(p.nodeBuild(src())),
    nodeTest: serialize(p.nodeTest(src())),
    pythonEnvUv: serialize(p.pythonEnv(src(), "uv")),
    pythonEnvPip: serialize(p.pythonEnv(src(), "pip", ["requirements.txt", "requirements-dev.txt"], true)),
    pythonTestUv: serialize(p.pythonTest(src(), "uv", undefined, ["pytest", "-q"], true)),
    nodeEnvMain: serialize(p.nodeEnv(src(), undefined, "my-org/app")),
    nodeEnvPr: serialize(p.nodeEnv(src(), undefined, "my-org/app/pr")),
    goEnvUntrusted: serialize(p.goEnv(src(), undefined, undefined, "my-org/app/untrusted")),
    pythonBuildPip: serialize(p.pythonBuild(src(), "pip")),
    modelWeights: serialize(model.modelWeights(src(), { model: "acme/sst2", revision: "0123abc", hfToken: secret("SENTINEL-HF-TOKEN"), cacheNamespace: "my-org/ml" })),
    modelEval: serialize(model.modelEval(src(), dag.loadDirectoryFromID("dir:weights" as never), ["python", "eval.py"], { model: "acme/sst2", revision: "0123abc", cacheNamespace: "my-org/ml" })),
    modelEvalPip: serialize(model.modelEval(src(), dag.loadDirectoryFromID("dir:weights" as never), ["eval"], { model: "acme/sst2", packageManager: "pip" })),
    modelImage: serialize(model.modelImage(src(), dag.loadDirectoryFromID("dir:weights" as never), 0.93, { model: "acme/sst2", revision: "0123abc", cacheNamespace: "my-org/ml" })),
    goEnv: serialize(p.goEnv(src())),
    goBuild: serialize(p.goBuild(src(), ["./cmd/..."])),
    goTest: serialize(p.goTest(src())),
    lint: serialize(p.lint(src())),
    test: serialize(p.test(src())),
    synth: serialize(p.synth(src())),
    synthWithConfig: serialize(p.synth(src(), cfg())),
    plan: serialize(
      repo.stackExec(repo.terraformEnv(src(), { credentials: secret(SENTINEL.google) }, cfg(), "my-org/infra/pr"), {
        stack: "dagger-runners-cluster",
        kind: "plan",
        auth: { credentials: secret(SENTINEL.google) },
        secretVariables: {},
        placeholderVariables: ["github_app_private_key"],
        runAt: "2026-01-01T00:00:00.000Z",
      }),
    ),
    planOidc: serialize(repo.stackExec(repo.terraformEnv(src(), oidc, cfg(), "my-org/infra/pr"), {
      stack: "dagger-runners-runners",
      kind: "plan",
      auth: oidc,
      secretVariables: {},
      placeholderVariables: [],
      runAt: "2026-01-01T00:00:00.000Z",
    })),
    deploy: serialize(repo.stackExec(repo.terraformEnv(src(), oidc, cfg(), "my-org/infra"), {
      stack: "dagger-runners-runners",
      kind: "deploy",
      auth: oidc,
      secretVariables: Object.fromEntries(
        (Object.entries(repo.SECRET_TF_VARIABLES) as [keyof typeof allSecrets, string][]).map(([arg, env]) => [env, allSecrets[arg]]),
      ),
      placeholderVariables: [],
      runAt: "2026-01-01T00:00:00.000Z",
    })),
  };
}

// ----------------------------------------------------------------------- fake GraphQL client

interface FakeRun {
  queries: string[];
  maxSyncInFlight: number;
}

/** Installs a fake client on the connection `dag` uses; `fail` names the steps whose sync fails. */
function installFake(fail: string[]): FakeRun {
  const run: FakeRun = { queries: [], maxSyncInFlight: 0 };
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let next = 0;
  const stepOf = (q: string) =>
    q.includes('"typecheck"') ? "lint" : q.includes('"jest"') ? "test" : q.includes('"synth"') ? "synth" : "";
  const client = {
    async request(doc: unknown): Promise<unknown> {
      const q = typeof doc === "string" ? doc : String((doc as { loc?: { source: { body: string } } }).loc?.source.body ?? doc);
      run.queries.push(q);
      const trimmed = q.replace(/\s+/g, " ").trim();
      // Nested object resolution: `{ loadSecretFromID (id: "X") { id } }` -> echo a recognisable ID.
      const load = /^\{ load(\w+)FromID \(id: "([^"]+)"\) \{ id \}+ ?\}$/.exec(trimmed);
      if (load) return { r: `${load[1]}:${load[2]}` };
      if (/\bsync \}+/.test(trimmed)) {
        inFlight++;
        run.maxSyncInFlight = Math.max(run.maxSyncInFlight, inFlight);
        // Hold every sync until three are in flight (or 2 s): proves the steps run concurrently.
        // A released hold clears its timer, which would otherwise keep the process alive 2 s.
        if (inFlight >= 3) {
          waiters.forEach((w) => w());
          waiters = [];
        } else {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 2000);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        inFlight--;
        const step = stepOf(trimmed);
        if (fail.includes(step)) throw new Error(`fake engine: ${step} exited with code 1`);
      }
      return { r: `fake-id-${next++}` };
    },
  };
  (dag as unknown as { _ctx: { _connection: { setGQLClient(c: unknown): void } } })._ctx._connection.setGQLClient(client);
  return run;
}

/**
 * The model pipeline against a fake client whose evaluation wrote `score`: every query it sent,
 * whether one published, and the result or the error.
 */
async function runModel(score: string, threshold: number, auth: { username?: string; password?: string } = {}) {
  const queries: string[] = [];
  const client = {
    async request(doc: unknown): Promise<unknown> {
      const q = typeof doc === "string" ? doc : String((doc as { loc?: { source: { body: string } } }).loc?.source.body ?? doc);
      const trimmed = q.replace(/\s+/g, " ").trim();
      queries.push(trimmed);
      // Nested object resolution: `{ loadSecretFromID (id: "X") { id } }` -> echo a recognisable ID.
      const load = /^\{ load(\w+)FromID \(id: "([^"]+)"\) \{ id \}+ ?\}$/.exec(trimmed);
      if (load) return { r: `${load[1]}:${load[2]}` };
      if (/\bcontents\s*\}/.test(q)) return { r: score };
      if (/\bpublish\s*\(/.test(q)) return { r: "registry.example/models/sst2:v1@sha256:" + "0".repeat(64) };
      return { r: `fake-id-${queries.length}` };
    },
  };
  (dag as unknown as { _ctx: { _connection: { setGQLClient(c: unknown): void } } })._ctx._connection.setGQLClient(client);
  const published = () => queries.some((q) => /\bpublish\s*\(/.test(q));
  try {
    const result = await new Pipelines().modelPipeline(
      src(), "acme/sst2", "registry.example/models/sst2:v1", threshold, "0123abc", ["python", "eval.py"],
      undefined, undefined, undefined, undefined, auth.username, auth.password === undefined ? undefined : secret(auth.password), "my-org/ml",
    );
    return { ok: true, result, published: published(), queries };
  } catch (e) {
    return { ok: false, error: (e as Error).message, published: published(), queries };
  }
}

async function runCi(fail: string[]) {
  const run = installFake(fail);
  try {
    const result = await new Pipelines().ci(src());
    return { ok: true, result, ...run, queries: run.queries.length };
  } catch (e) {
    return { ok: false, error: (e as Error).message, ...run, queries: run.queries.length };
  }
}

async function main() {
  const out: Record<string, unknown> = {
    constants: {
      CACHE,
      CACHE_PATH,
      WORKDIR: builds.WORKDIR,
      SECRET_TF_VARIABLES: repo.SECRET_TF_VARIABLES,
      REPO_IGNORE: repo.REPO_IGNORE,
      PLAN_DIR: PLAN_DIR,
      MODEL: { MODEL_DIR: model.MODEL_DIR, SCORE_FILE: model.SCORE_FILE, MODEL_LABELS: model.MODEL_LABELS },
    },
    graphs: graphs(),
  };
  out.ciPass = await runCi([]);
  out.ciFail = await runCi(["lint", "synth"]);

  const error = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return undefined;
  };
  out.modelPass = await runModel("0.93\n", 0.9, { username: "ci", password: "SENTINEL-REGISTRY-PASSWORD" });
  out.modelAtThreshold = await runModel("0.9", 0.9);
  out.modelFail = await runModel("0.87", 0.9);
  out.modelNotANumber = await runModel("NaN accuracy", 0.9);
  out.modelHalfAuth = await runModel("0.99", 0.9, { username: "ci" });
  out.badPackageManager = error(() => new Pipelines().pythonEnv(src(), "poetry"));
  out.badCacheNamespace = error(() => new Pipelines().nodeEnv(src(), undefined, "my org/app"));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`harness failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
