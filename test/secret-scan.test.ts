/**
 * Secret scan: synthesize every example (and one config per credential kind) with sentinel
 * values in every secret variable, and assert that no sentinel appears anywhere in the output
 * directory (stacks, manifest, deployment plan), and that every secret-carrying Terraform
 * variable is `sensitive: true`.
 *
 * cdktf TerraformVariables get their values only at plan time (from TF_VAR_*), so a sentinel can
 * only reach the output if some code reads the environment or the config into an attribute: that
 * is exactly what this guards against.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { parseConfig, parseConfigText } from "../lib/config/load";
import { synthDeployment } from "../lib/app";

const ROOT = path.resolve(__dirname, "..");
const SENTINEL = `SENTINEL-${process.pid}-c4f1d2`;

/**
 * Every Terraform variable that carries a secret, by logical id. A new secret variable must be
 * added here (the test fails on a sensitive or secret-looking variable it does not know).
 */
const SECRET_VARIABLES = ["github_app_private_key", "github_token", "dagger_cloud_token"];
const SECRET_NAME = /token|secret|password|private|key|credential/i;

/**
 * Every environment variable the workflows fill from repository secrets (e.g.
 * RUNNERS_GITHUB_APP_PRIVATE_KEY): synth must not read those either.
 */
function workflowSecretEnv(): string[] {
  const dir = path.join(ROOT, ".github", "workflows");
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "env" && x && typeof x === "object") {
          for (const [name, value] of Object.entries(x)) if (/\$\{\{\s*secrets\./.test(String(value))) names.add(name);
        }
        walk(x);
      }
    }
  };
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) walk(parseYaml(fs.readFileSync(path.join(dir, f), "utf8")));
  return [...names].sort();
}
/** Every secret environment variable set to a sentinel while synthesizing. */
const SECRET_ENV = [...SECRET_VARIABLES.map((v) => `TF_VAR_${v}`), ...workflowSecretEnv()];

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

/** Example configs shipped in examples/ (any YAML or JSON file). */
const examples = files(path.join(ROOT, "examples"))
  .filter((f) => /\.(ya?ml|json)$/.test(f) && !/package(-lock)?\.json$|tsconfig|cdktf\.json$/.test(f))
  .map((f) => [path.relative(ROOT, f), () => parseConfigText(fs.readFileSync(f, "utf8"), f)] as const);

/** One config per way a secret enters the deployment. */
const inline = [
  ["inline: GitHub App", () => ({ github: { configUrl: "https://github.com/acme", app: { id: 12345, installationId: 67890 } } })],
  ["inline: GitHub PAT", () => ({ github: { configUrl: "https://github.com/acme", pat: true } })],
  ["inline: existing cluster, PAT", () => ({ target: "existing-cluster", github: { configUrl: "https://github.com/acme/repo", pat: true } })],
  [
    "inline: Dagger Cloud token, StatefulSet engines",
    () => ({ github: { configUrl: "https://github.com/acme", pat: true }, dagger: { engine: { mode: "statefulset", cloud: { enabled: true } } } }),
  ],
] as const;

const configs: (readonly [string, () => unknown])[] = [...examples, ...inline];

describe.each(configs)("%s", (_name, load) => {
  let outFiles: { file: string; text: string }[] = [];
  let variables: Record<string, any> = {};
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    for (const v of SECRET_ENV) {
      saved[v] = process.env[v];
      process.env[v] = `${SENTINEL}-${v}`;
    }
    const { config, plan } = parseConfig(load());
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-scan-"));
    try {
      synthDeployment(config, plan, outdir);
      outFiles = files(outdir).map((f) => ({ file: path.relative(outdir, f), text: fs.readFileSync(f, "utf8") }));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
      for (const v of SECRET_ENV) {
        if (saved[v] === undefined) delete process.env[v];
        else process.env[v] = saved[v];
      }
    }
    for (const f of outFiles.filter((f) => f.file.endsWith("cdk.tf.json"))) {
      Object.assign(variables, JSON.parse(f.text).variable ?? {});
    }
  });

  test("synthesized stacks and the plan", () => {
    expect(outFiles.some((f) => f.file.endsWith("cdk.tf.json"))).toBe(true);
    expect(outFiles.some((f) => f.file === "deployment-plan.json")).toBe(true);
  });

  test("no sentinel anywhere in the output directory", () => {
    const leaks = outFiles.filter((f) => f.text.includes(SENTINEL)).map((f) => f.file);
    expect(leaks).toEqual([]);
  });

  test("every secret-carrying variable is sensitive and known", () => {
    for (const [name, v] of Object.entries(variables)) {
      const secretLooking = SECRET_NAME.test(name) || v.sensitive === true;
      if (!secretLooking) continue;
      expect({ name, known: SECRET_VARIABLES.includes(name), sensitive: v.sensitive }).toEqual({ name, known: true, sensitive: true });
    }
  });
});

test("the sentinels cover every secret variable and every workflow secret", () => {
  expect(SECRET_ENV).toEqual(
    expect.arrayContaining([
      "TF_VAR_github_app_private_key",
      "TF_VAR_github_token",
      "TF_VAR_dagger_cloud_token",
      "RUNNERS_GITHUB_APP_PRIVATE_KEY",
      "RUNNERS_GITHUB_TOKEN",
      "RUNNERS_DAGGER_CLOUD_TOKEN",
      "PR_COMMENT_TOKEN",
    ]),
  );
  // Every example is scanned.
  expect(examples.length).toBe(files(path.join(ROOT, "examples")).filter((f) => /\.(ya?ml|json)$/.test(f)).length);
  expect(examples.length).toBeGreaterThanOrEqual(5);
});

test("the inline configs do declare the secret variables they use", () => {
  // Guards the scan itself: if no secret variable were ever synthesized, it would prove nothing.
  const declared = new Set<string>();
  for (const [, load] of inline) {
    const { config, plan } = parseConfig(load());
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-scan-"));
    try {
      synthDeployment(config, plan, outdir);
      for (const f of files(outdir).filter((f) => f.endsWith("cdk.tf.json"))) {
        for (const name of Object.keys(JSON.parse(fs.readFileSync(f, "utf8")).variable ?? {})) declared.add(name);
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  expect([...declared].filter((n) => SECRET_VARIABLES.includes(n)).sort()).toEqual(["dagger_cloud_token", "github_app_private_key", "github_token"]);
});
