/**
 * Schema validation of rendered manifests: built-in kinds against the Kubernetes OpenAPI models
 * of `kubernetes-models` 4.5.1 (Kubernetes v1.33.0, its CHANGELOG "Update schema version to
 * v1.33.0"; the VerticalPodAutoscaler from `@kubernetes-models/autoscaler` 3.3.4), custom
 * resources against the `openAPIV3Schema` of the CRDs the charts ship (ARC's controller chart
 * `crds/`), made strict: a field the CRD does not declare is a finding, because the API server
 * prunes it silently (or rejects it under strict field validation).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { Options as AjvOptions, ValidateFunction } from "ajv";
import type { K8sObject } from "./render";
import { parseYamlStream } from "./yaml-stream";

/** The Kubernetes version of the built-in schemas; charts are rendered for it too. */
export const KUBERNETES_SCHEMA_VERSION = "1.33.0";

/** Model packages by API group (the core group is `""`). */
const GROUP_PACKAGES: Readonly<Record<string, string>> = { "autoscaling.k8s.io": "@kubernetes-models/autoscaler" };

type ModelClass = (new (o: unknown) => { validate(): void }) & { prototype: { validate(this: unknown): void } };

function builtinModel(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = GROUP_PACKAGES[group] ?? "kubernetes-models";
  const modulePath = `${pkg}/${group ? `${group}/` : ""}${version}/${kind}`;
  if (!/^[@a-z0-9./-]+\/[A-Za-z0-9]+$/.test(modulePath)) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(modulePath) as Record<string, ModelClass>)[kind];
  } catch {
    return undefined;
  }
}

/**
 * A Go (RE2) `pattern` as a JavaScript one: RE2's inline `(?i)` (e.g. prometheus-operator
 * v0.93.0's PrometheusRule `partial_response_strategy: ^(?i)(abort|warn)?$`) has no JavaScript
 * form, so it is dropped and the letters after it (outside character classes) match either case.
 */
export function goPattern(p: string): string {
  const at = p.indexOf("(?i)");
  if (at < 0) return p;
  let out = p.slice(0, at);
  let inClass = false;
  const rest = p.slice(at + 4);
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "\\") {
      out += c + (rest[i + 1] ?? "");
      i++;
    } else if (c === "[" || c === "]") {
      inClass = c === "[";
      out += c;
    } else if (/[a-zA-Z]/.test(c)) {
      out += inClass ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else {
      out += c;
    }
  }
  return out;
}

/** A CRD's schema, made strict for ajv. */
function strictSchema(s: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "properties" && v && typeof v === "object") {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, sub]) => [p, strictSchema(sub as Record<string, unknown>)]));
    } else if ((k === "items" || k === "additionalProperties") && v && typeof v === "object") {
      out[k] = strictSchema(v as Record<string, unknown>);
    } else if ((k === "allOf" || k === "anyOf" || k === "oneOf") && Array.isArray(v)) {
      out[k] = v.map((sub) => strictSchema(sub as Record<string, unknown>));
    } else if (k === "pattern" && typeof v === "string") {
      out[k] = goPattern(v);
    } else if (k !== "format") {
      out[k] = v;
    }
  }
  if (s["x-kubernetes-int-or-string"]) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (s.nullable && typeof out.type === "string") out.type = [out.type, "null"];
  if (s.type === "object" && s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * The CRDs of one chart directory's `crds/`: `apiVersion kind` -> validator (compiled on first
 * use). The files are parsed only as far as a lookup needs: the ARC controller chart's CRDs are
 * ~3 MB of YAML, and a rendered release holds one of their kinds (AutoscalingRunnerSet). A file
 * named after the kind's plural (controller-gen's `<group>_<plural>.yaml`) is tried first; a kind
 * found in no file has had every file parsed, so the answer never depends on the names.
 */
class ChartCrds {
  private readonly found = new Map<string, () => ValidateFunction>();
  private readonly unread: string[];

  constructor(chartDir: string) {
    const dir = path.join(chartDir, "crds");
    this.unread = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => path.join(dir, n)) : [];
  }

  /** The validator of `key` (`apiVersion kind`), if one of the files declares it. */
  get(key: string): (() => ValidateFunction) | undefined {
    const hit = this.found.get(key);
    if (hit || this.unread.length === 0) return hit;
    const plural = `_${key.slice(key.lastIndexOf(" ") + 1).toLowerCase()}`;
    const likely = this.unread.findIndex((f) => path.basename(f).includes(plural));
    if (likely >= 0) this.read(this.unread.splice(likely, 1)[0]);
    while (!this.found.has(key) && this.unread.length > 0) this.read(this.unread.shift()!);
    return this.found.get(key);
  }

  private read(file: string): void {
    for (const doc of parseYamlStream(fs.readFileSync(file, "utf8"), file)) {
      const crd = doc as {
        kind?: string;
        spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: Record<string, unknown> } }[] };
      } | null;
      if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (!schema) continue;
        let fn: ValidateFunction | undefined;
        this.found.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, () => (fn ??= compileCached(strictSchema(schema))));
      }
    }
  }
}

/**
 * ajv's options for CRD schemas. `optimize: false`: ajv's code optimisation passes cost more than
 * half of compiling these large schemas and change only the generated code's size, never its
 * result.
 */
const AJV_OPTIONS: AjvOptions = { strict: false, allErrors: true, validateFormats: false, code: { optimize: false } };
let ajv: Ajv | undefined;

/**
 * Where compiled CRD validators are kept between runs: RUNNERS_VALIDATOR_CACHE if set, else
 * node_modules/.cache/cdktf-dagger-runners/crd-validators under this package's root (found from
 * this file, in lib/, dist/lib/ or a bundle in dist/bundle/), or undefined when there is no such
 * root.
 */
function validatorCacheDir(): string | undefined {
  if (process.env.RUNNERS_VALIDATOR_CACHE) return process.env.RUNNERS_VALIDATOR_CACHE;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string }).name === "cdktf-dagger-runners") {
        return path.join(dir, "node_modules", ".cache", "cdktf-dagger-runners", "crd-validators");
      }
    } catch {
      // no package.json here
    }
  }
  return undefined;
}

/**
 * The validator of a (strict) CRD schema, compiled once per schema and kept: ARC's
 * AutoscalingRunnerSet schema (the whole pod template, 600 kB of JSON) takes ajv about 0.5 s to
 * compile, in every verify run and every test file that renders a scale set; its kept copy
 * (ajv's standalone code, 2.8 MB of JavaScript) loads in under 0.1 s. The file is named by the
 * SHA-256 of ajv's version, the options and the schema, written whole or not at all (renamed
 * into place), and one that does not load is compiled again. Nowhere writable: compiled each run.
 */
function compileCached(schema: Record<string, unknown>): ValidateFunction {
  const dir = validatorCacheDir();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ajvVersion = (require("ajv/package.json") as { version: string }).version;
  const key = crypto.createHash("sha256").update(`${ajvVersion}\n${JSON.stringify(AJV_OPTIONS)}\n${JSON.stringify(schema)}`).digest("hex");
  const file = dir ? path.join(dir, `${key}.js`) : undefined;
  if (file && fs.existsSync(file)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const kept = require(file) as ValidateFunction;
      if (typeof kept === "function") return kept;
    } catch {
      // unreadable or cut short: compile it again
    }
  }
  // With `source`, ajv keeps the generated code, which standaloneCode writes out.
  ajv ??= new Ajv({ ...AJV_OPTIONS, code: { ...AJV_OPTIONS.code, source: true } });
  const fn = ajv.compile(schema);
  if (file) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const standaloneCode = (require("ajv/dist/standalone") as { default: (a: Ajv, f: ValidateFunction) => string }).default;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      // The code requires ajv's runtime helpers (ucs2length, ...): by their resolved paths here,
      // so that it loads from any directory.
      const code = standaloneCode(ajv, fn).replace(/require\("(ajv\/dist\/runtime\/[\w./-]+)"\)/g, (_m, id: string) => `require(${JSON.stringify(require.resolve(id))})`);
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    } catch {
      // read-only install: compile each run
    }
  }
  return fn;
}

/** Messages of each object validated, by the chart directories whose CRDs were used. */
const validated = new WeakMap<object, Map<string, string[]>>();

/** Each chart directory's CRDs, read once per process. */
const chartCrds = new Map<string, ChartCrds>();

/** Validates objects against the built-in schemas and a set of CRDs. */
export class KubeSchemas {
  private readonly charts: ChartCrds[] = [];
  private chartDirs = "";

  /** Adds the CRDs of a chart's `crds/` directory (if it has one). */
  addChartCrds(chartDir: string): void {
    let c = chartCrds.get(chartDir);
    if (!c) chartCrds.set(chartDir, (c = new ChartCrds(chartDir)));
    this.charts.push(c);
    this.chartDirs += `${chartDir}\n`;
  }

  /** The validator of `key` from the chart added last that declares it (as adding them in order would overwrite). */
  private crd(key: string): (() => ValidateFunction) | undefined {
    for (let i = this.charts.length - 1; i >= 0; i--) {
      const fn = this.charts[i].get(key);
      if (fn) return fn;
    }
    return undefined;
  }

  /** One message per schema violation of `o` (`<path>: <message>`); a kind without a schema is one message. */
  validate(o: K8sObject): readonly string[] {
    // Rendered objects are shared by every verify of the same release in this process (the
    // render memo): each is validated once per set of CRDs.
    let byCharts = validated.get(o);
    if (!byCharts) validated.set(o, (byCharts = new Map()));
    let out = byCharts.get(this.chartDirs);
    if (!out) byCharts.set(this.chartDirs, (out = this.check(o)));
    return out;
  }

  private check(o: K8sObject): string[] {
    const key = `${o.apiVersion} ${o.kind}`;
    const crd = this.crd(key);
    if (crd) {
      const fn = crd();
      if (fn(o)) return [];
      return (fn.errors ?? []).map((e) => {
        const at = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(root)";
        const extra = e.keyword === "additionalProperties" ? ` "${(e.params as { additionalProperty: string }).additionalProperty}" (not in the CRD schema)` : "";
        return `${at}: ${e.message}${extra}`;
      });
    }
    const Model = builtinModel(o.apiVersion, o.kind);
    if (!Model) return [`(root): no schema for ${o.apiVersion} ${o.kind} (not a Kubernetes ${KUBERNETES_SCHEMA_VERSION} API, nor a CRD the charts ship)`];
    try {
      // The model's validate function run on the object itself: `new Model(o)` would first copy
      // it deeply, dropping undefined values and defaulting apiVersion and kind
      // (@kubernetes-models/base 5 model.js `setDefinedProps`), which changes nothing for an
      // object read from YAML that has both; the copies were 2.5 s of the test suite's CPU.
      Model.prototype.validate.call(o);
      return [];
    } catch (e) {
      const errors = (e as { errors?: { instancePath: string; message?: string }[] }).errors;
      if (!errors) return [`(root): ${(e as Error).message}`];
      return errors.map((x) => `${x.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(root)"}: ${x.message ?? "invalid"}`);
    }
  }
}
