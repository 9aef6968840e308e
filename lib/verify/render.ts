/**
 * Rendering the synthesized `helm_release`s with the real charts: `helm template` with the
 * release's values, `set` and `set_sensitive` (sensitive values replaced by a placeholder), in
 * the release's namespace, for the Kubernetes version we validate against.
 *
 * What the Helm provider does with the same inputs (hashicorp/terraform-provider-helm v3.1.2,
 * `helm/resource_helm_release.go` `getValues`, `mergeMaps`, `getValue`): the `values` documents
 * are merged in order (maps deeply, anything else replaced), then each `set`, `set_list` and
 * `set_sensitive` entry is applied with Helm's `strvals` parser (`type` `string`:
 * `ParseIntoString`, `literal`: a YAML value at the top-level key, else `ParseInto`). Here the
 * merge is done the same way into one values file, and the entries are passed as `--set` /
 * `--set-string` (the same parsers). One difference: the helm CLI applies every `--set` before
 * every `--set-string`, the provider in list order, which matters only when two entries set the
 * same key with different types.
 */
import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { CannotVerify, SENSITIVE_PLACEHOLDER, TfResource } from "./terraform";
import { parseYamlStream } from "./yaml-stream";

/** A Kubernetes object as rendered. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

/** A `helm_release` of the synthesized stacks, references resolved. */
export interface HelmReleaseInput {
  /** Stack and logical id of the resource. */
  readonly stack: string;
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly repository?: string;
  readonly chart: string;
  readonly version: string;
  /** The `values` documents, in order. */
  readonly values: readonly string[];
  /** `set`, `set_list` then `set_sensitive` entries (sensitive values already replaced). */
  readonly set: readonly SetEntry[];
}

/** One `set`-like entry: `type` `auto` (default), `string` or `literal`. */
export interface SetEntry {
  readonly name: string;
  readonly value: string;
  readonly type?: string;
}

/** One release rendered, or the error `helm template` printed. */
export interface RenderedRelease {
  readonly release: HelmReleaseInput;
  readonly chartDir: string;
  /** The merged `values` documents and `literal` entries (`--set` / `--set-string` entries are applied by helm). */
  readonly values: Record<string, unknown>;
  readonly objects: readonly K8sObject[];
  readonly error?: string;
}

/** The `helm_release` resources among `resources`. */
export function helmReleases(resources: readonly TfResource[]): HelmReleaseInput[] {
  return resources
    .filter((r) => r.type === "helm_release")
    .map((r) => {
      const b = r.body as {
        name: string;
        namespace?: string;
        repository?: string;
        chart: string;
        version?: string;
        values?: string[];
        set?: SetEntry[];
        set_list?: { name: string; value: string[] }[];
        set_sensitive?: { name: string; type?: string }[];
      };
      if (!b.version) throw new CannotVerify(`helm_release ${r.id} (${b.name}) has no chart version: verify renders pinned charts only`);
      return {
        stack: r.stack,
        id: r.id,
        name: b.name,
        namespace: b.namespace ?? "default",
        repository: b.repository,
        chart: b.chart,
        version: b.version,
        values: b.values ?? [],
        set: [
          ...(b.set ?? []),
          ...(b.set_list ?? []).map((s) => ({ name: s.name, value: `{${s.value.join(",")}}` })),
          ...(b.set_sensitive ?? []).map((s) => ({ name: s.name, value: SENSITIVE_PLACEHOLDER, type: s.type === "literal" ? "literal" : "string" })),
        ],
      };
    });
}

/** Where charts come from: a local directory laid out `<chart>-<version>/`, else `helm pull`. */
export interface ChartSource {
  /** Directory of unpacked charts, `<chart>-<version>/` each. @default none: pull from the release's repository */
  readonly chartsDir?: string;
  /** The helm binary. */
  readonly helm: string;
  /** Environment of the helm processes (registry credentials, `SSL_CERT_FILE`, proxies). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** cdktf output directory: a chart shipped as a stack asset (`assets/...tgz`) is read from `<outdir>/stacks/<stack>/`. @default none */
  readonly outdir?: string;
}

/** Finds `helm` on `PATH`; throws {@link CannotVerify} when there is none. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, "helm");
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  throw new CannotVerify("helm not found on PATH (install Helm 3.8+ or 4, or run ../shared/tools/install-helm.sh and put its directory on PATH)");
}

/**
 * The environment of a helm process: `env`, with Go's garbage collector off up to a 512 MiB heap
 * (`GOGC=off GOMEMLIMIT=512MiB`) unless `env` sets either. A render is a short process: without
 * collections it takes 30% less CPU (20 renders of gha-runner-scale-set 0.14.2 with helm v4.1.4:
 * 0.067 s each instead of 0.095 s), and the largest (ARC's 3 MB of CRDs) peaks at 140 MB.
 */
function helmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return env.GOGC !== undefined || env.GOMEMLIMIT !== undefined ? env : { ...env, GOGC: "off", GOMEMLIMIT: "512MiB" };
}

/** Runs helm (`file`) with `args`, `input` on its standard input, in {@link helmEnv}. */
function runHelm(file: string, args: readonly string[], env?: NodeJS.ProcessEnv, input = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { maxBuffer: 64 * 1024 * 1024, env: helmEnv(env) }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    // helm exits without reading stdin when it fails early: that EPIPE is not the result.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
  });
}

const pulled = new Map<string, Promise<string>>();
const pullDirs: string[] = [];

/** A scratch directory for pulled charts, removed when the process exits. */
function pullDir(): string {
  if (pullDirs.length === 0) process.once("exit", () => pullDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "verify-chart-"));
  pullDirs.push(d);
  return d;
}

/** The unpacked chart of `r`: `<chartsDir>/<chart>-<version>`, or pulled once per process from its repository. */
export function locateChart(r: HelmReleaseInput, src: ChartSource): Promise<string> {
  // A chart packed into the stack's output (the ARC CRD chart, lib/constructs/arc-crds.ts).
  if (!r.repository && r.chart.endsWith(".tgz")) {
    const file = src.outdir ? path.resolve(src.outdir, "stacks", r.stack, r.chart) : r.chart;
    if (!fs.existsSync(file)) return Promise.reject(new CannotVerify(`chart ${r.chart} (release ${r.name}) not found: no ${file}`));
    return Promise.resolve(file);
  }
  if (src.chartsDir) {
    const dir = path.resolve(src.chartsDir, `${r.chart}-${r.version}`);
    if (!fs.existsSync(path.join(dir, "Chart.yaml"))) {
      return Promise.reject(new CannotVerify(`chart ${r.chart} ${r.version} (release ${r.name}) not found: no ${dir}/Chart.yaml`));
    }
    return Promise.resolve(dir);
  }
  if (!r.repository) return Promise.reject(new CannotVerify(`release ${r.name}: chart ${r.chart} has no repository to pull from (use --charts DIR)`));
  const ref = r.repository.startsWith("oci://") ? `${r.repository.replace(/\/$/, "")}/${r.chart}` : r.chart;
  const key = `${ref} ${r.repository} ${r.version}`;
  let p = pulled.get(key);
  if (!p) {
    p = (async () => {
      const into = pullDir();
      const args = ["pull", ref, "--version", r.version, "--untar", "--untardir", into];
      if (!r.repository!.startsWith("oci://")) args.push("--repo", r.repository!);
      const res = await runHelm(src.helm, args, src.env);
      if (res.code !== 0) {
        throw new CannotVerify(`chart ${r.chart} ${r.version} (release ${r.name}) could not be pulled from ${r.repository}: ${firstLine(res.stderr)} (for offline use: --charts DIR)`);
      }
      return path.join(into, r.chart);
    })();
    pulled.set(key, p);
  }
  return p;
}

/** First meaningful line of helm's stderr. */
function firstLine(s: string): string {
  const lines = s.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("WARNING") && !l.startsWith("level=WARN"));
  return (lines[0] ?? "failed").replace(/^Error: /, "");
}

const rendered = new Map<string, Promise<{ objects: K8sObject[]; error?: string }>>();

/** Renders one release (memoized per process by chart, values and flags). */
export async function renderRelease(r: HelmReleaseInput, chartDir: string, helm: string, kubeVersion: string): Promise<RenderedRelease> {
  const values = mergeValues(r.values);
  for (const s of r.set) {
    if (s.type === "literal") values[s.name] = parseAllDocuments(s.value)[0]?.toJS() ?? null;
  }
  const args = ["template", r.name, chartDir, "--namespace", r.namespace, "--kube-version", kubeVersion];
  for (const s of r.set) {
    if (s.type !== "literal") args.push(s.type === "string" ? "--set-string" : "--set", `${s.name}=${s.value}`);
  }
  const valuesText = JSON.stringify(values);
  // A packed chart (a stack asset) is keyed by its bytes, not its path: each synthesized output
  // holds its own copy of the same CRD chart (3 MB of CRDs to render and parse), and helm's output
  // does not depend on where the archive lies.
  const chartKey = chartDir.endsWith(".tgz") ? `sha256:${crypto.createHash("sha256").update(fs.readFileSync(chartDir)).digest("hex")}` : chartDir;
  const key = crypto.createHash("sha256").update(JSON.stringify([args.map((a) => (a === chartDir ? chartKey : a)), valuesText])).digest("hex");
  let p = rendered.get(key);
  if (!p) {
    p = (async () => {
      // The values on helm's standard input (`-f -`: helm v3 and v4 pkg/cli/values/options.go
      // `readFile`, "-" is stdin): no file to write and remove per render.
      const res = await runHelm(helm, [...args, "-f", "-"], undefined, valuesText);
      if (res.code !== 0) return { objects: [], error: firstLine(res.stderr) };
      try {
        return { objects: parseManifests(res.stdout) };
      } catch (e) {
        return { objects: [], error: (e as Error).message };
      }
    })();
    rendered.set(key, p);
  }
  const out = await p;
  return { release: r, chartDir, values, objects: out.objects, error: out.error };
}

/** The objects of `helm template`'s output (empty documents dropped); invalid YAML throws. */
export function parseManifests(text: string): K8sObject[] {
  return (parseYamlStream(text, "helm template output") as (K8sObject | null)[])
    .filter((o): o is K8sObject => !!o && typeof o === "object" && typeof o.kind === "string");
}

/** The provider's merge of `values` documents (`mergeMaps`): maps merge deeply, anything else is replaced. */
export function mergeValues(docs: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const d of docs) {
    const v = parseValuesDocument(d);
    if (v && typeof v === "object" && !Array.isArray(v)) out = deepMerge(out, v as Record<string, unknown>);
  }
  return out;
}

/**
 * One `values` document: JSON (what this package writes) read as JSON, anything else as YAML.
 * JSON is YAML 1.2, and for a valid JSON text both give the same value; JSON.parse is ~20x faster.
 */
function parseValuesDocument(d: string): unknown {
  const t = d.trimStart();
  if (t.startsWith("{")) {
    try {
      return JSON.parse(d);
    } catch {
      // not JSON after all: YAML's flow mappings also start with "{"
    }
  }
  return parseAllDocuments(d)[0]?.toJS() as unknown;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isMap(cur) && isMap(v) ? deepMerge(cur, v) : v;
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
