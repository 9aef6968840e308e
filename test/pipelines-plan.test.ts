/**
 * plan and deploy of the Dagger module, offline:
 *   - the pure parts loaded directly (stack order, the plan summary script run with the real
 *     node on plan JSON, the comment builder and its cut, deploy's refusals, the Google
 *     external-account configuration);
 *   - end to end through the module class (pipelines/test/plan-harness.ts): a fake engine
 *     answering from real `cdktf synth` outputs of the default config and of
 *     examples/multi-version.yaml, and a fake GitHub API on 127.0.0.1 recording the requests.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { parseConfig } from "../lib/config/load";
import { runHarness } from "./pipelines-harness";
import { synthDeployment } from "../lib/app";
import { PLACEHOLDER_PROJECT_ID } from "../lib/planning/input/gcp";
import { stackOrder, requiredVariables, SUMMARY_SCRIPT, parseStackOutput, stackScript, PLAN_DIR } from "../pipelines/src/terraform";
import { PlanReport, renderComment, commentMarker, renderSummary, PICTURE_MAX } from "../pipelines/src/comment";
import { checkDeployConfig, readDeployKeys, PLACEHOLDERS } from "../pipelines/src/deploy-config";
import { externalAccountCredentials, oidcAudience, OIDC_TOKEN_PATH, MINT_SCRIPT } from "../pipelines/src/google-auth";

const ROOT = path.resolve(__dirname, "..");
const SENTINELS = [
  "SENTINEL-PR-COMMENT-TOKEN",
  "SENTINEL-GITHUB-APP-KEY",
  "SENTINEL-GOOGLE-CREDENTIALS",
  "SENTINEL-OIDC-REQUEST-TOKEN",
  "SENTINEL-OIDC-REQUEST-URL",
];

// ------------------------------------------------------------------------------ pure parts

describe("stack order", () => {
  const manifest = { stacks: { "x-runners": { dependencies: ["x-cluster"] }, "x-cluster": { dependencies: [] } } };
  test("upstream first, whatever the manifest's order", () => {
    expect(stackOrder(manifest)).toEqual(["x-cluster", "x-runners"]);
    expect(stackOrder(manifest, ["x-runners"])).toEqual(["x-runners"]);
  });
  test("an unknown stack is one line naming the allowed ones", () => {
    expect(() => stackOrder(manifest, ["x-runner"])).toThrow('stacks: "x-runner" is not a stack of this deployment (expected one of: x-runners, x-cluster)');
  });
  test("required variables are the ones without a default", () => {
    expect(
      requiredVariables({ variable: { a: { sensitive: true }, b: { default: "x" }, c: {} } }),
    ).toEqual([
      { name: "a", sensitive: true },
      { name: "c", sensitive: false },
    ]);
  });
});

describe("the plan summary script, run with node on plan JSON", () => {
  const summarize = (plan: unknown) => {
    const out = execFileSync(process.execPath, ["-e", SUMMARY_SCRIPT], { input: JSON.stringify(plan), encoding: "utf8" });
    return parseStackOutput("s", `plan text\n${out}`).summary;
  };
  // Shapes from developer.hashicorp.com/terraform/internals/json-format.
  const rc = (type: string, actions: string[], mode = "managed") => ({ address: `${type}.x`, mode, type, name: "x", change: { actions } });

  test("counts like Terraform's 'Plan: X to add, Y to change, Z to destroy' (a replace is one add and one destroy)", () => {
    const s = summarize({
      resource_changes: [
        rc("helm_release", ["create"]),
        rc("helm_release", ["update"]),
        rc("google_container_node_pool", ["delete", "create"]),
        rc("kubernetes_namespace_v1", ["create", "delete"]),
        rc("kubernetes_secret_v1", ["delete"]),
        rc("google_client_config", ["read"], "data"),
        rc("terraform_data", ["no-op"]),
      ],
    });
    expect(s).toMatchObject({ add: 3, change: 1, destroy: 3, replace: 2, existed: false });
    expect(s.byAction).toEqual({
      create: { helm_release: 1 },
      update: { helm_release: 1 },
      replace: { google_container_node_pool: 1, kubernetes_namespace_v1: 1 },
      delete: { kubernetes_secret_v1: 1 },
    });
  });

  test("a stack exists when its prior state has outputs", () => {
    expect(summarize({ resource_changes: [], prior_state: { values: { outputs: { cluster_name: { value: "c" } } } } }).existed).toBe(true);
    expect(summarize({ resource_changes: [], prior_state: { values: { outputs: {} } } }).existed).toBe(false);
  });

  test("the stack script plans to a tmpfs file, shows it, then (deploy) applies that same file", () => {
    const deploy = stackScript({ apply: true, lock: true, beforeAuth: "mint" });
    const lines = deploy.split("\n");
    const planLine = lines.findIndex((l) => / plan .*-out="\$p"/.test(l));
    const applyLine = lines.findIndex((l) => / apply .*"\$p"$/.test(l));
    expect(lines).toContain(`p="${PLAN_DIR}/tfplan"`);
    expect(planLine).toBeGreaterThan(0);
    expect(applyLine).toBeGreaterThan(planLine);
    expect(deploy).not.toMatch(/-auto-approve|-lock=false/);
    expect(lines[applyLine]).toMatch(/^mint; terraform/);
    const plan = stackScript({ apply: false, lock: false });
    expect(plan).toContain("-lock=false");
    expect(plan).not.toMatch(/ apply /);
  });
});

const report = (over: Partial<PlanReport> = {}): PlanReport => ({
  config: "runners.yaml",
  kind: "plan",
  stacks: [
    { stack: "a-cluster", status: "planned", add: 1, change: 0, destroy: 0, byAction: { create: { google_container_cluster: 1 } }, existed: false, planText: "  + cluster" },
    { stack: "a-runners", status: "waits", waitsFor: "a-cluster", reason: "not deployed yet" },
  ],
  labels: { "dagger-v0.20": "0.20.3" },
  warnings: [],
  placeholderVariables: [],
  ...over,
});

describe("the comment builder", () => {
  test("starts with its hidden marker, one per config", () => {
    const body = renderComment(report());
    expect(body.startsWith(commentMarker("runners.yaml"))).toBe(true);
    expect(commentMarker("a.yaml")).not.toBe(commentMarker("b.yaml"));
    // A marker cannot be closed early by a hostile file name.
    expect(commentMarker("x-->y")).toBe("<!-- cdktf-dagger-runners:plan config=x_y -->");
  });

  test("a plan larger than the limit is cut at a line boundary with a note, and the body fits", () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `  + line ${i}`).join("\n");
    const r = report({ stacks: [{ stack: "a-cluster", status: "planned", add: 1, change: 0, destroy: 0, byAction: {}, existed: true, planText: big }] });
    const body = renderComment(r, 65536);
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body).toMatch(/\*\*Cut:\*\* \d+ of \d+ characters shown; GitHub comments hold at most 65536 characters/);
    const shown = /```text\n([\s\S]*?)\n```/.exec(body)![1];
    expect(big.startsWith(shown)).toBe(true);
    expect(big[shown.length]).toBe("\n");
    // Small plans are never cut.
    expect(renderComment(report())).not.toContain("**Cut:**");
  });

  test("a small plan stays whole beside a huge one, which takes the rest of the room", () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `  ~ line ${i}`).join("\n");
    const small = "  + one resource";
    const plannedStack = (stack: string, planText: string) =>
      ({ stack, status: "planned", add: 1, change: 0, destroy: 0, byAction: {}, existed: true, planText }) as const;
    const body = renderComment(report({ stacks: [plannedStack("a-big", big), plannedStack("b-small", small)] }), 65536);
    expect(body.length).toBeLessThanOrEqual(65536);
    const [bigShown, smallShown] = [...body.matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    expect(smallShown).toBe(small);
    expect(bigShown.length).toBeGreaterThan(60_000);
    expect(body.match(/\*\*Cut:\*\*/g)).toHaveLength(1);
  });

  test("a plan containing a code fence cannot break out of its block", () => {
    const body = renderComment(report({ stacks: [{ stack: "s", status: "planned", add: 0, change: 1, destroy: 0, byAction: {}, existed: true, planText: "a\n```\n</details>\nb" }] }));
    expect(body).toContain("````text\na\n```\n</details>\nb\n````");
  });

  test("the deployment's picture follows the labels table as a mermaid block; without one, no block", () => {
    const picture = 'flowchart LR\n  pool1["pool runners"]\n  engine1[["engine 0.20.3"]]\n  pool1 --> engine1\n';
    const body = renderComment(report({ picture }));
    const labels = body.indexOf("| `dagger-v0.20` | 0.20.3 |");
    const block = body.indexOf("```mermaid\nflowchart LR\n");
    expect(labels).toBeGreaterThan(0);
    expect(block).toBeGreaterThan(labels);
    expect(body.slice(block)).toMatch(/^```mermaid\nflowchart LR\n {2}pool1\["pool runners"\]\n {2}engine1\[\["engine 0\.20\.3"\]\]\n {2}pool1 --> engine1\n```\n/);
    expect(body.indexOf("<details>")).toBeGreaterThan(block);
    expect(renderComment(report())).not.toContain("mermaid");
  });

  test("a picture too large for the budget is named, not shown, and the plans keep their room", () => {
    const huge = `flowchart LR\n${Array.from({ length: 2000 }, (_, i) => `  label${i}(["dagger-v0.${i}"])`).join("\n")}\n`;
    expect(huge.length).toBeGreaterThan(PICTURE_MAX);
    const body = renderComment(report({ picture: huge }));
    expect(body).not.toContain("```mermaid");
    expect(body).toMatch(/The picture \(\d+ characters of Mermaid\) is left out to keep room for the plans: `cdktf\.out\/deployment\.svg` has it\./);
    const big = Array.from({ length: 20_000 }, (_, i) => `  + line ${i}`).join("\n");
    const withPlan = renderComment(report({ picture: huge.slice(0, PICTURE_MAX - 100) + "\n", stacks: [{ stack: "a", status: "planned", add: 1, change: 0, destroy: 0, byAction: {}, existed: true, planText: big }] }));
    expect(withPlan).toContain("```mermaid");
    expect(withPlan.length).toBeLessThanOrEqual(65536);
  });

  test("the summary names every stack's outcome on its own line", () => {
    expect(renderSummary(report()).split("\n").slice(0, 3)).toEqual([
      "plan of runners.yaml:",
      "  a-cluster: 1 to add, 0 to change, 0 to destroy (new stack)",
      "  a-runners: waits for a-cluster (not deployed yet)",
    ]);
  });
});

describe("deploy refusals (on the config text, before any container)", () => {
  const good = "name: x\ngcp:\n  projectId: my-project-123\ngithub:\n  configUrl: https://github.com/acme\nbackend:\n  type: gcs\n  bucket: acme-tf\n";
  test("a complete config passes, in YAML block or flow style and in JSON", () => {
    expect(() => checkDeployConfig(good)).not.toThrow();
    expect(() => checkDeployConfig('gcp: {projectId: "my-project-123"}\ngithub: {configUrl: https://github.com/acme}  # org\nbackend: {type: gcs, bucket: b-tf}\n')).not.toThrow();
    expect(() => checkDeployConfig(JSON.stringify({ gcp: { projectId: "my-project-123" }, github: { configUrl: "https://github.com/acme" }, backend: { type: "gcs", bucket: "b-tf" } }))).not.toThrow();
    expect(() => checkDeployConfig("target: existing-cluster\ngithub:\n  configUrl: https://github.com/acme\nbackend:\n  type: gcs\n  bucket: b\n")).not.toThrow();
  });
  test.each([
    [undefined, "config: not given; deploy never applies the built-in default"],
    [good.replace("my-project-123", "your-gcp-project-id"), 'runners.yaml gcp.projectId: "your-gcp-project-id" is the placeholder of the built-in default (set it before deploying)'],
    [good.replace("  projectId: my-project-123\n", "  region: europe-west1\n"), 'runners.yaml gcp.projectId: not set, so it is the placeholder "your-gcp-project-id" (set it before deploying)'],
    [good.replace("https://github.com/acme", "'https://github.com/your-org'"), 'runners.yaml github.configUrl: "https://github.com/your-org" is the placeholder'],
    [good.replace("backend:\n  type: gcs\n  bucket: acme-tf\n", ""), 'runners.yaml backend.type: not set, so it is "local": the state would be written inside the pipeline\'s throwaway container and lost'],
    [good.replace("type: gcs", "type: local"), 'runners.yaml backend.type: "local" keeps state inside the pipeline\'s throwaway container'],
    [good.replace("  projectId: my-project-123", "  projectId: *project"), "runners.yaml gcp.projectId: *project is not a plain value"],
  ])("refuses %j", (text, message) => {
    let error = "";
    try {
      checkDeployConfig(text, "runners.yaml");
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error.startsWith(message)).toBe(true);
    expect(error).not.toContain("\n");
  });
  test("the reader ignores keys of the same name elsewhere and comments", () => {
    expect(readDeployKeys("runners:\n  projectId: nope\ngcp:\n  # projectId: old\n  projectId: \"p-123456\" # new\n")).toEqual({ "gcp.projectId": "p-123456" });
  });
  test("the placeholders are the app's own", () => {
    expect(PLACEHOLDERS["gcp.projectId"]).toBe(PLACEHOLDER_PROJECT_ID);
    expect(parseConfig({}).plan.warnings.join("\n")).toContain(PLACEHOLDERS["github.configUrl"]);
  });
});

describe("GitHub OIDC -> Google external account", () => {
  const provider = "projects/123456789012/locations/global/workloadIdentityPools/github/providers/github";
  test("the credential configuration is google-github-actions/auth's format, holding no secret", () => {
    const cfg = JSON.parse(externalAccountCredentials(provider, "runners-plan@my-gcp-project.iam.gserviceaccount.com"));
    expect(cfg).toEqual({
      type: "external_account",
      audience: `//iam.googleapis.com/${provider}`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url:
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/runners-plan@my-gcp-project.iam.gserviceaccount.com:generateAccessToken",
      credential_source: { file: OIDC_TOKEN_PATH, format: { type: "text" } },
    });
    expect(oidcAudience(provider)).toBe(`https://iam.googleapis.com/${provider}`);
  });
  test("bad provider and service account names are one line each", () => {
    expect(() => externalAccountCredentials("my-pool", "a@b")).toThrow(/^workloadIdentityProvider: "my-pool" is not a workload identity provider name \(expected projects\//);
    expect(() => externalAccountCredentials(provider, "a@b")).toThrow(/^serviceAccount: "a@b" is not a service account email/);
  });
  test("the mint script requests a token for the audience and prints only the token", async () => {
    // A fake token endpoint: the runner's ACTIONS_ID_TOKEN_REQUEST_URL answers {"value": jwt}.
    const http = await import("node:http");
    const seen: { url?: string; auth?: string } = {};
    const server = http.createServer((req, res) => {
      seen.url = req.url;
      seen.auth = req.headers.authorization;
      res.end(JSON.stringify({ value: "aaa.bbb.ccc" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mint-"));
    try {
      fs.writeFileSync(path.join(dir, "url"), `http://127.0.0.1:${port}/token?api-version=2.0\n`);
      fs.writeFileSync(path.join(dir, "token"), "SENTINEL-OIDC-REQUEST-TOKEN\n");
      const script = MINT_SCRIPT.replace("/run/secrets/github-oidc-request-url", path.join(dir, "url")).replace(
        "/run/secrets/github-oidc-request-token",
        path.join(dir, "token"),
      );
      fs.writeFileSync(path.join(dir, "mint.mjs"), script);
      const child = await import("node:child_process");
      const out = await new Promise<string>((resolve, reject) =>
        child.execFile(process.execPath, [path.join(dir, "mint.mjs")], { env: { ...process.env, PIPELINES_OIDC_AUDIENCE: oidcAudience(provider) } }, (e, stdout) =>
          e ? reject(e) : resolve(stdout),
        ),
      );
      expect(out).toBe("aaa.bbb.ccc");
      expect(seen.auth).toBe("bearer SENTINEL-OIDC-REQUEST-TOKEN");
      expect(new URL(seen.url!, "http://x").searchParams.get("audience")).toBe(oidcAudience(provider));
      expect(new URL(seen.url!, "http://x").searchParams.get("api-version")).toBe("2.0");
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------ end to end

interface Run {
  name: string;
  ok: boolean;
  result?: string;
  error?: string;
  execs: { stack: string; kind: string; script: string }[];
  queries: string[];
}
interface HarnessOut {
  runs: Run[];
  github: {
    requests: { method: string; path: string; authorization: string; apiVersion: string; body?: { body?: string } }[];
    comments: { id: number; issue: number; body: string; user: string }[];
  };
}

describe("plan and deploy through the module, against a fake engine and a fake GitHub", () => {
  let out: HarnessOut;
  let run: (name: string) => Run;
  let stacks: { default: string[]; example: string[] };
  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-e2e-"));
    const synth = (raw: unknown, name: string) => {
      const { config, plan } = parseConfig(raw);
      synthDeployment(config, plan, path.join(dir, name));
      return path.join(dir, name);
    };
    const exampleText = fs.readFileSync(path.join(ROOT, "examples", "multi-version.yaml"), "utf8") + "backend: {type: gcs, bucket: my-tf-state}\n";
    const example = parse(exampleText);
    // What main deployed before this pull request: the same config without 0.20.4.
    const main = { ...example, dagger: { ...example.dagger, versions: example.dagger.versions.filter((v: string) => v !== "0.20.4") } };
    expect(main.dagger.versions).toHaveLength(example.dagger.versions.length - 1);
    const scenario = {
      synth: { default: synth({}, "default"), example: synth(example, "example"), exampleMain: synth(main, "main") },
      exampleConfig: exampleText,
      deployConfig: exampleText,
    };
    const stacksOf = (d: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(d, "manifest.json"), "utf8")).stacks);
    stacks = { default: stacksOf(scenario.synth.default), example: stacksOf(scenario.synth.example) };
    fs.writeFileSync(path.join(dir, "scenario.json"), JSON.stringify(scenario));
    const r = runHarness("plan-harness", { ...process.env, PIPELINES_PLAN_SCENARIO: path.join(dir, "scenario.json") });
    fs.rmSync(dir, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`plan harness failed (${r.status}): ${r.stderr}`);
    out = JSON.parse(r.stdout) as HarnessOut;
    run = (name) => out.runs.find((x) => x.name === name)!;
  });
  const comments = (issue: number) => out.github.comments.filter((c) => c.issue === issue && c.user === "github-actions[bot]");

  test("default config: the cluster stack is planned, the runners stack waits for it", () => {
    const r = run("defaultCreate");
    expect(r.ok).toBe(true);
    const [cluster, runners] = stacks.default;
    expect(r.execs.map((e) => `${e.kind}:${e.stack}`)).toEqual([`plan:${cluster}`]);
    expect(r.result!.split("\n").slice(0, 3)).toEqual([
      "plan of built-in default:",
      expect.stringMatching(new RegExp(`^  ${cluster}: \\d+ to add, 0 to change, 0 to destroy \\(new stack\\)$`)),
      `  ${runners}: waits for ${cluster} (not deployed yet)`,
    ]);
    // Every resource of the synthesized cluster stack is to be created.
    expect(Number(/: (\d+) to add/.exec(r.result!)![1])).toBeGreaterThan(5);
  });

  test("the first plan creates the comment; the next one finds it by its marker and updates it", () => {
    const reqs = out.github.requests.filter((q) => q.path.includes("/issues/7/") || q.path.includes("/issues/comments/"));
    expect(reqs.map((q) => `${q.method} ${q.path}`)).toEqual([
      "GET /repos/my-org/infra/issues/7/comments?per_page=100&page=1",
      "POST /repos/my-org/infra/issues/7/comments",
      "GET /repos/my-org/infra/issues/7/comments?per_page=100&page=1",
      `PATCH /repos/my-org/infra/issues/comments/${comments(7)[0].id}`,
    ]);
    expect(comments(7)).toHaveLength(1);
    expect(run("defaultCreate").result).toMatch(/plan comment created: https:\/\/\S+#issuecomment-\d+$/);
    expect(run("defaultUpdate").result).toMatch(/plan comment updated: /);
    for (const q of out.github.requests) {
      expect(q.authorization).toBe("Bearer SENTINEL-PR-COMMENT-TOKEN");
      expect(q.apiVersion).toBe("2022-11-28");
    }
  });

  test("the default config's comment: counts, waiting stack, impact, labels, placeholder warnings, the plan folded", () => {
    const body = comments(7)[0].body;
    const [cluster, runners] = stacks.default;
    expect(body.split("\n")[0]).toBe("<!-- cdktf-dagger-runners:plan config=built-in default -->");
    expect(body).toMatch(new RegExp(`\\| \`${cluster}\` \\| \\d+ \\| 0 \\| 0 \\| changes \\(new stack\\) \\|`));
    expect(body).toContain(`| \`${runners}\` | – | – | – | waits for \`${cluster}\` (not deployed yet) |`);
    expect(body).toMatch(new RegExp(`- \`${cluster}\`: first deploy: creates .*1 google_container_cluster`));
    expect(body).toContain("| `dagger-v0.20` | 0.20.3 |");
    expect(body).toContain('gcp.projectId is the placeholder "your-gcp-project-id"');
    expect(body).toMatch(/<details><summary>Full plan: dagger-runners-cluster \(\d+ to add, 0 to change, 0 to destroy\)<\/summary>\n\n```text\nTerraform used the selected providers/);
  });

  test("the example's comment: the cluster unchanged, the runners stack gains the 0.20.4 engine; the aliases' sets give way to new ones", () => {
    const [body] = comments(8).map((c) => c.body);
    const [cluster, runners] = stacks.example;
    expect(body).toContain(`| \`${cluster}\` | 0 | 0 | 0 | no changes |`);
    // Multi-label: the two sets that carried dagger-v0.20(-large) and dagger-latest(-large) on
    // 0.20.3 are destroyed, new ones carry them on 0.20.4 (a label change is a new set).
    expect(body).toMatch(new RegExp(`\\| \`${runners}\` \\| [1-9]\\d* \\| [1-9]\\d* \\| 2 \\| changes \\|`));
    expect(body).toMatch(/helm_release\.dagger-engines_release-v0-20-4_\w+ will be created/);
    expect(body).toContain("| `dagger-v0.20` | 0.20.4 |");
    expect(run("example").execs.map((e) => e.stack)).toEqual([cluster, runners]);
    // The picture the synth drew, after the labels: the alias reaches the new engine.
    const picture = /\n```mermaid\n(flowchart LR\n[\s\S]*?)```\n/.exec(body)?.[1] ?? "";
    expect(body.indexOf("```mermaid")).toBeGreaterThan(body.indexOf("| `dagger-v0.20` | 0.20.4 |"));
    const id = (text: string) => new RegExp(`^ {2}(\\w+)\\W+${text.replace(/\./g, "\\.")}`, "m").exec(picture)?.[1];
    const [label, set, engine] = [id('dagger-v0.20"'), id("scale set dagger-v0.20.4-945c2d<br/>"), id("engine 0.20.4<br/>")];
    expect([label, set, engine].every(Boolean)).toBe(true);
    expect(picture).toContain(`  ${set} --> ${label}\n`);
    expect(picture).toContain(`  ${engine} --> ${set}\n`);
  });

  test("a too-large plan is cut to GitHub's 65536-character limit with a note, and still posted", () => {
    const [body] = comments(9).map((c) => c.body);
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body.length).toBeGreaterThan(60000);
    expect(body).toContain("GitHub comments hold at most 65536 characters. The whole plan is in the job's log.");
    expect(run("tooLarge").ok).toBe(true);
  });

  test("a GitHub API error fails plan with one clear line", () => {
    const r = run("apiError");
    expect(r.ok).toBe(false);
    expect(r.error).toBe("github: POST /repos/my-org/infra/issues/10/comments failed: HTTP 403 Resource not accessible by integration");
    expect(comments(10)).toHaveLength(0);
  });

  test("a failing stack fails plan with one line first, and its dependents wait", () => {
    const r = run("planFailure");
    const [cluster, runners] = stacks.example;
    expect(r.ok).toBe(false);
    expect(r.error!.split("\n")[0]).toBe(`plan failed: ${cluster}: Error: googleapi: Error 403: Permission 'container.clusters.get' denied on resource`);
    expect(r.error).toContain(`${runners}: waits for ${cluster} (failed)`);
    expect(r.execs.map((e) => e.stack)).toEqual([cluster]);
  });

  test.each([
    ["deployNoConfig", /^config: not given; deploy never applies the built-in default/],
    ["deployPlaceholder", /^runners\.yaml gcp\.projectId: "your-gcp-project-id" is the placeholder/],
    ["deployLocalBackend", /^runners\.yaml backend\.type: not set, so it is "local"/],
  ])("%s: refused with one line before any container runs", (name, message) => {
    const r = run(name);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(message);
    expect(r.error).not.toContain("\n");
    expect(r.queries.filter((q) => /withExec|from \(address/.test(q))).toEqual([]);
  });

  test("deploy needs every required secret variable before any terraform runs", () => {
    const r = run("deployMissingSecret");
    expect(r.error).toBe(
      `githubAppPrivateKey: not given, and stack ${stacks.example[1]} needs it for the Terraform variable github_app_private_key (pass --github-app-private-key=env:NAME, a Secret)`,
    );
    expect(r.execs).toEqual([]);
  });

  test("deploy plans and applies the same saved plan per stack, upstream first, with the state lock", () => {
    const r = run("deploy");
    expect(r.ok).toBe(true);
    expect(r.execs.map((e) => `${e.kind}:${e.stack}`)).toEqual(stacks.example.map((s) => `deploy:${s}`));
    for (const e of r.execs) {
      expect(e.script).toMatch(/ plan -input=false -no-color -out="\$p" >&2\n/);
      expect(e.script).toMatch(/ apply -input=false -no-color "\$p"$/);
      expect(e.script.match(/ plan /g)).toHaveLength(1);
    }
    expect(r.result!.split("\n")[1]).toMatch(/: 0 to add, 0 to change, 0 to destroy \(applied\)$/);
    expect(r.result).toContain("Apply complete!");
  });

  test("secrets travel only as secret IDs: never in a comment, a result, an error or a plain query argument", () => {
    const texts = [
      ...out.github.comments.map((c) => c.body),
      ...out.github.requests.map((q) => JSON.stringify(q.body ?? {})),
      ...out.runs.map((r) => `${r.result ?? ""}${r.error ?? ""}`),
    ];
    for (const t of texts) for (const s of SENTINELS) expect(t).not.toContain(s);
    for (const r of out.runs) {
      for (const q of r.queries) {
        const scrubbed = q
          .replace(/loadSecretFromID \(id: "[^"]+"\)/g, "")
          .replace(/withMountedSecret \(path: "[^"]*",source: "Secret:[^"]+"\)/g, "")
          .replace(/withSecretVariable \(name: "[^"]*",secret: "Secret:[^"]+"\)/g, "");
        for (const s of SENTINELS) expect(scrubbed).not.toContain(s);
      }
    }
    // The app key reached the runners stack's exec, as a secret variable.
    const deploy = run("deploy").queries.find((q) => q.includes(`"deploy","${stacks.example[1]}"`))!;
    expect(deploy).toContain('withSecretVariable (name: "TF_VAR_github_app_private_key",secret: "Secret:SENTINEL-GITHUB-APP-KEY")');
  });
});
