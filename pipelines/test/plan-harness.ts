/**
 * Offline end-to-end runs of `plan` and `deploy` for test/pipelines-plan.test.ts: the module's
 * functions are called through the `Pipelines` class, as the engine calls them, against
 *   - a fake engine (a GraphQL client installed on the SDK's global connection, as in
 *     harness.ts) that answers file reads from a real `cdktf synth` output directory, and the
 *     per-stack execs with fake-terraform.ts, whose plan JSON goes through the module's real
 *     summary script (run with node, as the container would);
 *   - a fake GitHub API on 127.0.0.1 (fake-github.ts) that records every request.
 *
 * Input: PIPELINES_PLAN_SCENARIO names a JSON file { synth: {default, example, exampleMain},
 * exampleConfig, deployConfig }: synth output directories and config texts the test wrote.
 * Output (stdout): JSON of every run (result or error, the execs the engine was asked to run,
 * every query text) and the fake GitHub's requests and comments.
 *
 * Run: tsx --tsconfig pipelines/tsconfig.json pipelines/test/plan-harness.ts (the tests run it
 * bundled, test/pipelines-harness.ts)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Directory, File, Secret, dag } from "@dagger.io/dagger";
import { Pipelines } from "../src/index.js";
import { APPLY_MARK, SUMMARY_SCRIPT } from "../src/terraform.js";
import { fakePlan } from "./fake-terraform.js";
import { startFakeGithub } from "./fake-github.js";

export const PLAN_SENTINEL = {
  prCommentToken: "SENTINEL-PR-COMMENT-TOKEN",
  githubAppPrivateKey: "SENTINEL-GITHUB-APP-KEY",
  google: "SENTINEL-GOOGLE-CREDENTIALS",
  oidcRequestToken: "SENTINEL-OIDC-REQUEST-TOKEN",
  oidcRequestUrl: "SENTINEL-OIDC-REQUEST-URL",
} as const;

interface Scenario {
  synth: { default: string; example: string; exampleMain: string };
  exampleConfig: string;
  deployConfig: string;
}

/** What the fake engine answers for the current run. */
interface EngineState {
  synthDir: string;
  /** Stack -> synth directory of what is deployed (absent: never deployed). */
  deployed: Record<string, string>;
  /** Stack -> stderr of a failing plan. */
  fail: Record<string, string>;
  /** Extra characters appended to every plan text. */
  bigPlan: number;
  configText?: string;
  configName?: string;
}

interface Exec {
  stack: string;
  kind: string;
  script: string;
}

const scenario = JSON.parse(fs.readFileSync(process.env.PIPELINES_PLAN_SCENARIO!, "utf8")) as Scenario;
const readStack = (dir: string, stack: string) => JSON.parse(fs.readFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "utf8"));

let state: EngineState;
let queries: string[] = [];
let execs: Exec[] = [];
const outcomes = new Map<string, { exitCode: number; stdout: string; stderr: string }>();

function outcome(stack: string, kind: string): { exitCode: number; stdout: string; stderr: string } {
  const key = `${kind}:${stack}`;
  const known = outcomes.get(key);
  if (known) return known;
  let r: { exitCode: number; stdout: string; stderr: string };
  if (state.fail[stack]) {
    r = { exitCode: 1, stdout: "", stderr: `Initializing the backend...\n${state.fail[stack]}\n` };
  } else {
    const prior = state.deployed[stack] ? readStack(state.deployed[stack], stack) : undefined;
    const { json, text } = fakePlan(readStack(state.synthDir, stack), prior);
    const filler = state.bigPlan > 0 ? "\n" + Array.from({ length: Math.ceil(state.bigPlan / 80) }, (_, i) => `      # filler line ${i} `.padEnd(79, "=")).join("\n") : "";
    const summary = execFileSync(process.execPath, ["-e", SUMMARY_SCRIPT], { input: JSON.stringify(json), encoding: "utf8" });
    const applied = kind === "deploy" ? `${APPLY_MARK}\nApply complete! (fake terraform)\n` : "";
    r = { exitCode: 0, stdout: `${text}${filler}\n${summary}${applied}`, stderr: "Initializing the backend...\n" };
  }
  outcomes.set(key, r);
  return r;
}

function installFakeEngine(): void {
  let next = 0;
  const client = {
    async request(doc: unknown): Promise<unknown> {
      const q = typeof doc === "string" ? doc : String((doc as { loc?: { source: { body: string } } }).loc?.source.body ?? doc);
      queries.push(q);
      const trimmed = q.replace(/\s+/g, " ").trim();
      const load = /^\{ load(\w+)FromID \(id: "([^"]+)"\) \{ id \}+ ?\}$/.exec(trimmed);
      if (load) return { r: `${load[1]}:${load[2]}` };
      const leaf = /(\w+) \}+ ?\}$/.exec(trimmed)?.[1];
      const exec = /"(plan|deploy)","([^"]+)"\]/.exec(trimmed);
      if (leaf === "contents") {
        const file = /file \(path: "\/src\/cdktf\.out\/([^"]+)"\)/.exec(trimmed);
        if (file) return { r: fs.readFileSync(path.join(state.synthDir, file[1]), "utf8") };
        if (trimmed.includes('loadFileFromID (id: "file:config")')) return { r: state.configText };
      }
      if (leaf === "name" && trimmed.includes('loadFileFromID (id: "file:config")')) return { r: state.configName };
      if (leaf === "plaintext") return { r: /loadSecretFromID \(id: "([^"]+)"\)/.exec(trimmed)?.[1] };
      if (exec && (leaf === "exitCode" || leaf === "stdout" || leaf === "stderr")) {
        const [, kind, stack] = exec;
        if (!execs.some((e) => e.stack === stack && e.kind === kind)) {
          const script = /withExec \(args: \["sh","-c","((?:[^"\\]|\\.)*)"/.exec(trimmed)?.[1] ?? "";
          execs.push({ stack, kind, script: JSON.parse(`"${script}"`) });
        }
        return { r: outcome(stack, kind)[leaf] };
      }
      return { r: `fake-id-${next++}` };
    },
  };
  (dag as unknown as { _ctx: { _connection: { setGQLClient(c: unknown): void } } })._ctx._connection.setGQLClient(client);
}

const src = (): Directory => dag.loadDirectoryFromID("dir:source" as never);
const cfg = (): File => dag.loadFileFromID("file:config" as never);
const secret = (id: string): Secret => dag.loadSecretFromID(id as never);

async function run(name: string, s: Partial<EngineState> & { synthDir: string }, call: (p: Pipelines) => Promise<string>) {
  state = { deployed: {}, fail: {}, bigPlan: 0, ...s };
  queries = [];
  execs = [];
  outcomes.clear();
  try {
    const result = await call(new Pipelines());
    return { name, ok: true, result, execs, queries };
  } catch (e) {
    return { name, ok: false, error: (e as Error).message, execs, queries };
  }
}

async function main() {
  installFakeEngine();
  const github = await startFakeGithub(PLAN_SENTINEL.prCommentToken);
  const { synth } = scenario;
  const repo = "my-org/infra";
  const stacksOf = (dir: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).stacks) as string[];
  const deployedAll = (dir: string) => Object.fromEntries(stacksOf(dir).map((s) => [s, dir]));
  // plan(source, config, stacks, googleCredentials, oidcRequestUrl, oidcRequestToken, workloadIdentityProvider,
  //      serviceAccount, githubAppPrivateKey, githubToken, daggerCloudToken, prCommentToken, repository,
  //      pullRequest, githubApiUrl, commit, cacheNamespace)
  const planCall = (pr: number | undefined, withConfig: boolean, appKey = false) => (p: Pipelines) =>
    p.plan(
      src(),
      withConfig ? cfg() : undefined,
      [],
      undefined,
      secret(PLAN_SENTINEL.oidcRequestUrl),
      secret(PLAN_SENTINEL.oidcRequestToken),
      "projects/123456789012/locations/global/workloadIdentityPools/github/providers/github",
      "runners-plan@my-gcp-project.iam.gserviceaccount.com",
      appKey ? secret(PLAN_SENTINEL.githubAppPrivateKey) : undefined,
      undefined,
      undefined,
      pr === undefined ? undefined : secret(PLAN_SENTINEL.prCommentToken),
      pr === undefined ? undefined : repo,
      pr,
      github.url,
      "0123456789abcdef0123456789abcdef01234567",
      `${repo}/pr`,
    );
  const example = { synthDir: synth.example, deployed: deployedAll(synth.exampleMain), configText: scenario.exampleConfig, configName: "multi-version.yaml" };
  const deployCall = (withConfig: boolean, appKey = true) => (p: Pipelines) =>
    p.deploy(
      src(),
      withConfig ? cfg() : undefined,
      [],
      undefined,
      secret(PLAN_SENTINEL.oidcRequestUrl),
      secret(PLAN_SENTINEL.oidcRequestToken),
      "projects/123456789012/locations/global/workloadIdentityPools/github/providers/github",
      "runners-deploy@my-gcp-project.iam.gserviceaccount.com",
      appKey ? secret(PLAN_SENTINEL.githubAppPrivateKey) : undefined,
      undefined,
      undefined,
      repo,
    );

  github.seed(repo, 7, "Looks good to me");
  const runs = [];
  runs.push(await run("defaultCreate", { synthDir: synth.default }, planCall(7, false)));
  runs.push(await run("defaultUpdate", { synthDir: synth.default }, planCall(7, false)));
  runs.push(await run("example", example, planCall(8, true, true)));
  runs.push(await run("tooLarge", { ...example, bigPlan: 150_000 }, planCall(9, true, true)));
  github.failNext("POST", 403, "Resource not accessible by integration");
  runs.push(await run("apiError", { synthDir: synth.default }, planCall(10, false)));
  runs.push(
    await run(
      "planFailure",
      { ...example, fail: { [stacksOf(synth.example)[0]]: "Error: googleapi: Error 403: Permission 'container.clusters.get' denied on resource" } },
      planCall(undefined, true, true),
    ),
  );
  runs.push(await run("deployNoConfig", { synthDir: synth.example }, deployCall(false)));
  runs.push(await run("deployPlaceholder", { synthDir: synth.example, configText: "name: x\ngcp:\n  projectId: your-gcp-project-id\n", configName: "runners.yaml" }, deployCall(true)));
  runs.push(
    await run(
      "deployLocalBackend",
      { synthDir: synth.example, configText: scenario.exampleConfig.replace(/^backend:.*$/m, ""), configName: "runners.yaml" },
      deployCall(true),
    ),
  );
  runs.push(await run("deployMissingSecret", { ...example, configText: scenario.deployConfig, configName: "runners.yaml" }, deployCall(true, false)));
  runs.push(await run("deploy", { ...example, configText: scenario.deployConfig, configName: "runners.yaml" }, deployCall(true)));
  await github.close();
  process.stdout.write(JSON.stringify({ runs, github: { requests: github.requests, comments: github.comments } }));
}

main().catch((e) => {
  process.stderr.write(`plan harness failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
