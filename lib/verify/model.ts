/**
 * What the contract checks read: the engines, the ARC controller and the scale sets recognised
 * in the rendered releases, and small helpers. Releases are recognised by what they render, not
 * by chart name (a mirrored chart keeps working): an engine is a DaemonSet or StatefulSet with
 * the Dagger chart's `dagger-engine` container, a scale set an AutoscalingRunnerSet, the ARC
 * controller the Deployment with the chart's `app.kubernetes.io/part-of: gha-rs-controller`.
 */
import type { DeploymentPlan } from "../planning/deployment";
import { ENGINE_CONTAINER_NAME } from "../planning/engines";
import { Container, ModelPod, PodSpec, excludedLabelPrefixes, listenerPod, runnerPod } from "./arc-pods";
import type { KubeSchemas } from "./kube-schema";
import type { K8sObject, RenderedRelease } from "./render";
import type { TfResource } from "./terraform";

/** One broken contract. */
export interface Finding {
  /** The Helm release concerned (its name). */
  readonly release: string;
  /** The object and field, e.g. `DaemonSet/x spec.template.spec.volumes[varrundagger].hostPath.path`. */
  readonly field: string;
  readonly message: string;
}

/** `<release>: <field>: <message>`. */
export function formatFinding(f: Finding): string {
  return `${f.release}: ${f.field}: ${f.message}`;
}

/** What the checks read. */
export interface VerifyInput {
  readonly releases: readonly RenderedRelease[];
  /** Every synthesized resource, references resolved. */
  readonly resources: readonly TfResource[];
  /** The deployment plan, when the output has one (placement and scale set versions). */
  readonly plan?: DeploymentPlan;
  readonly schemas: KubeSchemas;
}

/** The runner's engine address variable (read by the dagger CLI). */
export const RUNNER_HOST_ENV = "_EXPERIMENTAL_DAGGER_RUNNER_HOST";

/** The engine's default socket (dagger/dagger `engine/distconsts`, `DefaultEngineSockAddr`). */
export const ENGINE_DEFAULT_SOCKET = "/run/dagger/engine.sock";

/** Where the chart mounts `engine.configJson` (templates/engine-*.yaml). */
export const ENGINE_CONFIG_PATH = "/etc/dagger/engine.json";

export const ENGINE_DATA_PATH = "/var/lib/dagger";

export type Add = (release: string, field: string, message: string) => void;

export interface Engine {
  readonly rr: RenderedRelease;
  readonly workload: K8sObject;
  readonly ref: string;
  readonly namespace: string;
  readonly version: string;
  readonly podLabels: Record<string, string>;
  readonly spec: PodSpec;
  readonly container: Container;
  /** Unix socket path inside the engine. */
  readonly socket?: string;
  readonly tcpPort?: number;
  /** StatefulSet pods. */
  readonly podNames: readonly string[];
}

export interface ScaleSet {
  readonly rr: RenderedRelease;
  readonly ars: K8sObject;
  readonly pod: ModelPod;
  readonly listener: ModelPod;
  readonly runner?: Container;
  readonly host?: string;
}

export type Template = { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };

export type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

export const ref = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

export const tfRef = (r: TfResource) =>
  `${r.type}.${(r.body.metadata as { name?: string } | undefined)?.name ?? (r.body.manifest as K8sObject | undefined)?.metadata?.name ?? r.id}`;

export const template = (o: K8sObject) => ((o.spec as { template?: Template } | undefined)?.template ?? {}) as Template;

export const nsOf = (o: K8sObject, rr: RenderedRelease) => o.metadata.namespace ?? rr.release.namespace;

export const env = (c: Container | undefined, name: string) => c?.env?.find((e) => e.name === name)?.value;

export const q = (v: unknown) => JSON.stringify(v);

export const byName = (e: Engine) => `${e.rr.release.name} (${e.ref})`;

/** `--addr` values of the engine container. */
export function engineAddrs(c: Container): string[] {
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === "--addr" && args[i + 1]) out.push(args[i + 1]);
    else if (a.startsWith("--addr=")) out.push(a.slice("--addr=".length));
  });
  return out;
}

export function findEngines(releases: readonly RenderedRelease[]): Engine[] {
  const out: Engine[] = [];
  for (const rr of releases) {
    for (const o of rr.objects) {
      if (o.kind !== "DaemonSet" && o.kind !== "StatefulSet") continue;
      const t = template(o);
      const container = t.spec?.containers?.find((c) => c.name === ENGINE_CONTAINER_NAME);
      if (!container) continue;
      const addrs = engineAddrs(container);
      const unix = addrs.find((a) => a.startsWith("unix://"));
      const tcp = addrs.find((a) => a.startsWith("tcp://"));
      const replicas = Number((o.spec as { replicas?: number }).replicas ?? 1);
      out.push({
        rr,
        workload: o,
        ref: ref(o),
        namespace: nsOf(o, rr),
        version: rr.release.version,
        podLabels: t.metadata?.labels ?? {},
        spec: t.spec ?? {},
        container,
        socket: unix ? unix.slice("unix://".length) : addrs.length === 0 ? ENGINE_DEFAULT_SOCKET : undefined,
        tcpPort: tcp ? Number(tcp.replace(/^tcp:\/\/[^:]*:/, "")) : undefined,
        podNames: o.kind === "StatefulSet" ? Array.from({ length: replicas }, (_, i) => `${o.metadata.name}-${i}`) : [],
      });
    }
  }
  return out;
}

export function findController(releases: readonly RenderedRelease[]): { rr: RenderedRelease; deployment: K8sObject; serviceAccount?: K8sObject } | undefined {
  for (const rr of releases) {
    const deployment = rr.objects.find((o) => o.kind === "Deployment" && o.metadata.labels?.["app.kubernetes.io/part-of"] === "gha-rs-controller");
    if (deployment) {
      const saName = template(deployment).spec?.serviceAccountName ?? "default";
      return { rr, deployment, serviceAccount: rr.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === saName) };
    }
  }
  return undefined;
}

export function findScaleSets(releases: readonly RenderedRelease[], controller: ReturnType<typeof findController>): ScaleSet[] {
  const exclude = excludedLabelPrefixes(controller?.deployment);
  const controllerNs = controller ? nsOf(controller.deployment, controller.rr) : "arc-systems";
  const out: ScaleSet[] = [];
  for (const rr of releases) {
    for (const ars of rr.objects.filter((o) => o.kind === "AutoscalingRunnerSet")) {
      const withNs = { ...ars, metadata: { ...ars.metadata, namespace: nsOf(ars, rr) } };
      const pod = runnerPod(withNs, exclude);
      const runner = pod.spec?.containers?.find((c) => c.name === "runner");
      out.push({ rr, ars: withNs, pod, listener: listenerPod(withNs, controllerNs, exclude), runner, host: env(runner, RUNNER_HOST_ENV) });
    }
  }
  return out;
}

/** Label selector semantics (matchLabels and matchExpressions). */
export function selects(sel: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const ok =
      e.operator === "In" ? has && (e.values ?? []).includes(labels[e.key]) :
      e.operator === "NotIn" ? !has || !(e.values ?? []).includes(labels[e.key]) :
      e.operator === "Exists" ? has :
      e.operator === "DoesNotExist" ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/** A Terraform label selector block (`match_labels`, `match_expressions`) as a selector. */
export function toSelector(raw: unknown): Selector | undefined {
  if (!raw) return undefined;
  const r = raw as { match_labels?: Record<string, string>; match_expressions?: { key: string; operator: string; values?: string[] }[] };
  return { matchLabels: r.match_labels, matchExpressions: r.match_expressions };
}

/** The hostPath behind the volume mounted at `dir` in `c`. */
export function hostPathAt(spec: PodSpec, c: Container | undefined, dir: string): { volume?: string; path?: string } {
  const m = c?.volumeMounts?.find((x) => x.mountPath.replace(/\/$/, "") === dir);
  if (!m) return {};
  return { volume: m.name, path: spec.volumes?.find((v) => v.name === m.name)?.hostPath?.path?.replace(/\/$/, "") };
}

export const dirname = (p: string) => p.replace(/\/[^/]*$/, "") || "/";

export const basename = (p: string) => p.replace(/^.*\//, "");

/** The controller release: its Deployment and the ServiceAccount the chart renders. */
export type Controller = ReturnType<typeof findController>;
