/** Test helpers: synthesize a config and read the stacks back as JSON. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseConfig } from "../lib/config/load";

export interface Synthesized {
  /** Stack name -> parsed cdk.tf.json. */
  readonly stacks: Record<string, any>;
  /** Every stack's JSON text, concatenated (for secret scans). */
  readonly text: string;
  readonly outdir: string;
}

/**
 * A maker of scratch directories named `<prefix>...` in the OS temp dir, all removed after the
 * suite (call it at a test file's top level: it registers the `afterAll`).
 */
export function scratchDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(d);
    return d;
  };
}

/** The one-line ConfigError `raw` gets, or "(no error)" when it is accepted (other errors are rethrown). */
export function configError(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return "(no error)";
}

/** Validates `raw` as a config file would be, synthesizes every stack with validations on. */
export function synthConfig(raw: unknown): Synthesized {
  const { config, plan } = parseConfig(raw);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "dr-test-"));
  try {
    // Loaded here, not at the top: a test file that only runs processes or parses configs
    // (launcher, bad-input, picture...) then does not load cdktf and the provider bindings,
    // about 0.2 s of CPU per file.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthDeployment } = require("../lib/app") as typeof import("../lib/app");
    synthDeployment(config, plan, outdir);
    const stacks: Record<string, any> = {};
    let text = "";
    for (const name of fs.readdirSync(path.join(outdir, "stacks"))) {
      const t = fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8");
      stacks[name] = JSON.parse(t);
      text += t;
    }
    return { stacks, text, outdir };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** All resources of `type` in a stack, keyed by their cdktf id. */
export function resources(stack: any, type: string): Record<string, any> {
  return stack.resource?.[type] ?? {};
}

/**
 * Every file under `dir`: relative path -> content, decoded with `encoding` (`latin1`, the
 * default, keeps every byte, chart archives included).
 */
export function fileTree(dir: string, encoding: BufferEncoding = "latin1", rel = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) Object.assign(out, fileTree(dir, encoding, r));
    else out[r] = fs.readFileSync(path.join(dir, r), encoding);
  }
  return out;
}

/** Helm values of a helm_release (the `values` list holds YAML/JSON strings). */
export function helmValues(release: any): any {
  return Object.assign({}, ...(release.values ?? []).map((v: string) => JSON.parse(v)));
}

export interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file` with `args` from `cwd`, by default the repository root (asynchronously, so several can run at once). */
export function runCommand(file: string, args: readonly string[], env: Record<string, string> = {}, cwd = path.join(__dirname, "..")): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd,
      env: { ...process.env, NODE_OPTIONS: "", RUNNERS_CONFIG: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The npm scripts of package.json. */
const NPM_SCRIPTS: Record<string, string> = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).scripts;

/** The cdktf app's command (cdktf.json `app`), which `cdktf synth` and `cdktf deploy` run. */
const CDKTF_APP: string = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "cdktf.json"), "utf8")).app;

/**
 * Runs a TypeScript entry point of this repository (`main.ts`, `scripts/*.ts`) the way users do,
 * from the repository root: main.ts with cdktf.json's `app` command (`node scripts/run.cjs
 * app`), a script through the launcher when its npm script is `node scripts/run.cjs NAME` for
 * scripts/NAME.ts (`npm run synth`, `report`, `impact`, `verify`: the bundle when current, else
 * the source through tsx), else with the node flags of the npm script that runs it as
 * `node <flags> <script>` (`picture`, `arc-crds`...: `--require tsx/cjs`), else `node --import tsx`.
 */
export function runScript(script: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<ScriptResult> {
  if (script === "main.ts") {
    const [bin, ...appArgs] = CDKTF_APP.split(" ");
    if (bin !== "node") throw new Error(`cdktf.json app ${JSON.stringify(CDKTF_APP)} does not start with node`);
    return runCommand(process.execPath, [...appArgs, ...args], env);
  }
  const name = /^scripts\/([a-z-]+)\.ts$/.exec(script)?.[1];
  if (name && Object.values(NPM_SCRIPTS).includes(`node scripts/run.cjs ${name}`)) {
    return runCommand(process.execPath, ["scripts/run.cjs", name, ...args], env);
  }
  const npm = Object.values(NPM_SCRIPTS)
    .map((s) => new RegExp(`^node ((?:--?[a-z-]+ \\S+ )*)${script.replace(/[.]/g, "\\.")}$`).exec(s))
    .find(Boolean);
  const flags = npm ? npm[1].trim().split(" ") : ["--import", "tsx"];
  return runCommand(process.execPath, [...flags, script, ...args], env);
}
