/**
 * The contracts between what the charts render and what our own resources assume, checked on
 * the rendered releases and the synthesized Terraform resources. Pure: no helm, no files.
 *
 * Each finding names the release and the field. Releases are recognised by what they render,
 * not by chart name (a mirrored chart keeps working): an engine is a DaemonSet or StatefulSet
 * with the Dagger chart's `dagger-engine` container, a scale set an AutoscalingRunnerSet, the
 * ARC controller the Deployment with the chart's `app.kubernetes.io/part-of: gha-rs-controller`.
 */
import Ajv2020 from "ajv/dist/2020";
import type { DeploymentPlan } from "../planning/deployment";
import { ENGINE_CONTAINER_NAME } from "../planning/engines";
import { engineConfigSchema } from "../schemas/engine";
import { Container, ModelPod, PodSpec, excludedLabelPrefixes, listenerPod, runnerPod } from "./arc-pods";
import type { KubeSchemas } from "./kube-schema";
import type { K8sObject, RenderedRelease } from "./render";
import type { TfResource } from "./terraform";
import { MetricsPod, addrPort, checkScrapeObjects, declaredPorts, isScrapeObject } from "./scrape";
import { ENGINE_METRICS_ADDR_ENV } from "../planning/monitoring";

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
const ENGINE_DATA_PATH = "/var/lib/dagger";

interface Engine {
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

interface ScaleSet {
  readonly rr: RenderedRelease;
  readonly ars: K8sObject;
  readonly pod: ModelPod;
  readonly listener: ModelPod;
  readonly runner?: Container;
  readonly host?: string;
}

type Template = { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };

const ref = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
const tfRef = (r: TfResource) =>
  `${r.type}.${(r.body.metadata as { name?: string } | undefined)?.name ?? (r.body.manifest as K8sObject | undefined)?.metadata?.name ?? r.id}`;
const template = (o: K8sObject) => ((o.spec as { template?: Template } | undefined)?.template ?? {}) as Template;
const nsOf = (o: K8sObject, rr: RenderedRelease) => o.metadata.namespace ?? rr.release.namespace;
const env = (c: Container | undefined, name: string) => c?.env?.find((e) => e.name === name)?.value;
const q = (v: unknown) => JSON.stringify(v);

/** `--addr` values of the engine container. */
function engineAddrs(c: Container): string[] {
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === "--addr" && args[i + 1]) out.push(args[i + 1]);
    else if (a.startsWith("--addr=")) out.push(a.slice("--addr=".length));
  });
  return out;
}

function findEngines(releases: readonly RenderedRelease[]): Engine[] {
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

function findController(releases: readonly RenderedRelease[]): { rr: RenderedRelease; deployment: K8sObject; serviceAccount?: K8sObject } | undefined {
  for (const rr of releases) {
    const deployment = rr.objects.find((o) => o.kind === "Deployment" && o.metadata.labels?.["app.kubernetes.io/part-of"] === "gha-rs-controller");
    if (deployment) {
      const saName = template(deployment).spec?.serviceAccountName ?? "default";
      return { rr, deployment, serviceAccount: rr.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === saName) };
    }
  }
  return undefined;
}

function findScaleSets(releases: readonly RenderedRelease[], controller: ReturnType<typeof findController>): ScaleSet[] {
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

/** The hostPath behind the volume mounted at `dir` in `c`. */
function hostPathAt(spec: PodSpec, c: Container | undefined, dir: string): { volume?: string; path?: string } {
  const m = c?.volumeMounts?.find((x) => x.mountPath.replace(/\/$/, "") === dir);
  if (!m) return {};
  return { volume: m.name, path: spec.volumes?.find((v) => v.name === m.name)?.hostPath?.path?.replace(/\/$/, "") };
}

const dirname = (p: string) => p.replace(/\/[^/]*$/, "") || "/";
const basename = (p: string) => p.replace(/^.*\//, "");

/** The plan's engine version of a scale set (by its `runnerScaleSetName`). */
function plannedVersion(plan: DeploymentPlan | undefined, s: ScaleSet): string | undefined {
  const name = (s.ars.spec as { runnerScaleSetName?: string }).runnerScaleSetName ?? s.ars.metadata.name;
  return plan?.runners.labels.find((l) => l.scaleSet === name)?.version;
}

/** All findings. */
export function checkContracts(input: VerifyInput): Finding[] {
  const findings: Finding[] = [];
  const add = (release: string, field: string, message: string) => findings.push({ release, field, message });
  const { releases, resources, plan } = input;

  // --- Every release renders, and every object is valid for the API --------------------------
  for (const rr of releases) {
    if (rr.error) add(rr.release.name, `chart ${rr.release.chart} ${rr.release.version}`, `does not render: ${rr.error}`);
    for (const o of rr.objects) for (const m of input.schemas.validate(o)) add(rr.release.name, `${ref(o)} ${m.split(": ")[0]}`, m.slice(m.indexOf(": ") + 2));
  }
  for (const r of resources.filter((x) => x.type === "kubernetes_manifest")) {
    const o = (r.body as { manifest?: K8sObject }).manifest;
    if (o) for (const m of input.schemas.validate(o)) add(tfRef(r), `${ref(o)} ${m.split(": ")[0]}`, m.slice(m.indexOf(": ") + 2));
  }

  const engines = findEngines(releases);
  const controller = findController(releases);
  const scaleSets = findScaleSets(releases, controller);
  const byRelease = (e: Engine) => e.rr.release.name;

  // --- Each scale set's runner reaches an engine of its version, by its transport ------------
  const targets = new Map<ScaleSet, Engine>();
  for (const s of scaleSets) {
    const rel = s.rr.release.name;
    const at = `${ref(s.ars)} spec.template.spec.containers[runner].env[${RUNNER_HOST_ENV}]`;
    if (!s.host) {
      add(rel, at, "is not set: the runner has no engine");
      continue;
    }
    const scheme = s.host.replace(/:\/\/.*$/, "");
    let target: Engine | undefined;
    if (scheme === "unix") target = checkUnix(s, engines, add);
    else if (scheme === "kube-pod") target = checkKubePod(s, engines, add);
    else if (scheme === "tcp") target = checkTcp(s, engines, resources, add);
    else add(rel, at, `${q(s.host)} uses a transport the verifier does not know`);
    if (target) targets.set(s, target);
    const want = plannedVersion(plan, s);
    if (target && want && target.version !== want) {
      add(rel, at, `${q(s.host)} reaches engine ${target.version} (${byRelease(target)}), but the plan routes this scale set to ${want}`);
    }
  }

  // --- kube-pod RBAC: the exec Role names exactly the engine pods; bound to the runners' SA ---
  checkExecRbac(engines, scaleSets, resources, add);

  // --- tcp: NetworkPolicies admit the runner pods and nothing else ----------------------------
  checkNetworkPolicies(targets, controller, resources, add);

  // --- Engine workloads: engine.json, placement, PVC --------------------------------------------
  for (const e of engines) {
    checkEngineConfig(e, add);
    checkPlacement(e, plan, resources, add);
    checkPvc(e, add);
  }

  // --- VPAs target rendered workloads -----------------------------------------------------------
  for (const r of resources.filter((x) => x.type === "kubernetes_manifest")) {
    const o = (r.body as { manifest?: K8sObject }).manifest;
    if (o?.kind !== "VerticalPodAutoscaler") continue;
    const spec = o.spec as { targetRef?: { kind?: string; name?: string }; resourcePolicy?: { containerPolicies?: { containerName?: string }[] } };
    const ns = o.metadata.namespace;
    const hit = engines.find((e) => e.workload.kind === spec.targetRef?.kind && e.workload.metadata.name === spec.targetRef?.name && e.namespace === ns);
    const rendered = releases.flatMap((rr) => rr.objects.filter((x) => x.kind === spec.targetRef?.kind && x.metadata.name === spec.targetRef?.name && nsOf(x, rr) === ns));
    // Named after the release of the workload it means to target (same name), else itself.
    const rel = engines.find((e) => e.workload.metadata.name === spec.targetRef?.name)?.rr.release.name ?? tfRef(r);
    if (!hit && rendered.length === 0) {
      add(rel, `${tfRef(r)} spec.targetRef`, `${spec.targetRef?.kind}/${spec.targetRef?.name} in namespace ${q(ns)} is not a rendered workload (engines: ${engines.map((e) => `${e.ref} in ${e.namespace}`).join(", ") || "none"})`);
      continue;
    }
    const containers = hit ? hit.spec.containers ?? [] : (template(rendered[0]).spec?.containers ?? []);
    for (const [i, p] of (spec.resourcePolicy?.containerPolicies ?? []).entries()) {
      if (p.containerName && p.containerName !== "*" && !containers.some((c) => c.name === p.containerName)) {
        add(rel, `${tfRef(r)} spec.resourcePolicy.containerPolicies[${i}].containerName`, `${q(p.containerName)} is not a container of ${spec.targetRef?.kind}/${spec.targetRef?.name} (${containers.map((c) => c.name).join(", ")})`);
      }
    }
  }

  // --- Scrape objects select the metrics pods by their real labels and port names ---------------
  checkScrapeObjects(
    resources.filter((r) => r.type === "kubernetes_manifest" && isScrapeObject((r.body as { manifest?: K8sObject }).manifest)).map((r) => ({ ref: tfRef(r), object: (r.body as { manifest: K8sObject }).manifest })),
    metricsPods(engines, controller, scaleSets),
    add,
  );

  // --- Every image and chart is in the deployment's list (what a private mirror must hold) -----
  if (plan?.artifacts) checkArtifacts(plan, releases, resources, add);

  // --- Scale sets bind the controller's ServiceAccount -----------------------------------------
  if (scaleSets.length > 0) {
    const csa = controller && {
      name: template(controller.deployment).spec?.serviceAccountName ?? "default",
      namespace: nsOf(controller.deployment, controller.rr),
    };
    if (!controller) add(scaleSets[0].rr.release.name, "controllerServiceAccount", "no ARC controller release renders in these stacks");
    else if (!controller.serviceAccount) add(controller.rr.release.name, `${ref(controller.deployment)} spec.template.spec.serviceAccountName`, `${q(csa!.name)} is not a ServiceAccount the chart renders`);
    for (const s of scaleSets) {
      const binding = s.rr.objects.find((o) => o.kind === "RoleBinding" && o.metadata.labels?.["app.kubernetes.io/component"] === "manager-role-binding");
      if (!binding) {
        add(s.rr.release.name, "RoleBinding (manager-role-binding)", "the scale-set chart rendered no manager RoleBinding for the controller");
        continue;
      }
      const subjects = (binding.subjects ?? []) as { kind: string; name: string; namespace?: string }[];
      if (csa && !subjects.some((x) => x.kind === "ServiceAccount" && x.name === csa.name && x.namespace === csa.namespace)) {
        add(s.rr.release.name, `${ref(binding)} subjects`, `${q(subjects.map((x) => `${x.namespace}/${x.name}`))} is not the controller's ServiceAccount ${csa.namespace}/${csa.name} (rendered by ${controller!.rr.release.name})`);
      }
    }
  }
  return findings;
}

type Add = (release: string, field: string, message: string) => void;

/** The env var through which ARC's controller chart names the listener image (templates/deployment.yaml, 0.14.2). */
const LISTENER_IMAGE_ENV = "CONTROLLER_MANAGER_CONTAINER_IMAGE";

/** Every image the rendered objects and our own workloads pull, with where it is set. */
function pulledImages(releases: readonly RenderedRelease[], resources: readonly TfResource[]): { release: string; field: string; image: string }[] {
  const out: { release: string; field: string; image: string }[] = [];
  const fromSpec = (release: string, at: string, spec: PodSpec | undefined) => {
    for (const [list, cs] of [["initContainers", spec?.initContainers], ["containers", spec?.containers]] as const) {
      for (const c of cs ?? []) {
        if (c.image) out.push({ release, field: `${at}.${list}[${c.name}].image`, image: c.image });
        const listener = env(c, LISTENER_IMAGE_ENV);
        if (listener) out.push({ release, field: `${at}.${list}[${c.name}].env[${LISTENER_IMAGE_ENV}] (the listener pods' image)`, image: listener });
      }
    }
  };
  for (const rr of releases) {
    for (const o of rr.objects) {
      const spec = o.spec as { template?: Template; jobTemplate?: { spec?: { template?: Template } } } | undefined;
      if (spec?.template) fromSpec(rr.release.name, `${ref(o)} spec.template.spec`, spec.template.spec);
      if (spec?.jobTemplate) fromSpec(rr.release.name, `${ref(o)} spec.jobTemplate.spec.template.spec`, spec.jobTemplate.spec?.template?.spec);
    }
  }
  for (const r of resources) {
    const o = r.type === "kubernetes_manifest" ? (r.body.manifest as K8sObject | undefined) : undefined;
    const spec = (o?.spec ?? r.body.spec) as { job_template?: { spec?: { template?: { spec?: PodSpec & { container?: Container[]; init_container?: Container[] } } } }; jobTemplate?: { spec?: { template?: Template } } } | undefined;
    const pod = spec?.jobTemplate?.spec?.template?.spec ?? spec?.job_template?.spec?.template?.spec;
    if (!pod) continue;
    const tf = pod as PodSpec & { container?: Container[]; init_container?: Container[] };
    fromSpec(tfRef(r), `${tfRef(r)} spec.jobTemplate.spec.template.spec`, { containers: tf.containers ?? tf.container, initContainers: tf.initContainers ?? tf.init_container });
  }
  return out;
}

function checkArtifacts(plan: DeploymentPlan, releases: readonly RenderedRelease[], resources: readonly TfResource[], add: Add): void {
  const listed = new Set(plan.artifacts.images.map((i) => i.location));
  const seen = new Set<string>();
  for (const p of pulledImages(releases, resources)) {
    if (listed.has(p.image) || seen.has(`${p.release} ${p.image}`)) continue;
    seen.add(`${p.release} ${p.image}`);
    add(p.release, p.field, `${q(p.image)} is not in the deployment's image list (npm run report): a private mirror made from that list would not have it`);
  }
  for (const rr of releases) {
    const r = rr.release;
    const location = `${(r.repository ?? "").replace(/\/$/, "")}/${r.chart}`;
    if (!plan.artifacts.charts.some((c) => c.location === location && c.version === r.version)) {
      add(r.name, `helm_release ${r.id} repository, chart, version`, `${location} ${r.version} is not in the deployment's chart list (npm run report)`);
    }
  }
}

function checkUnix(s: ScaleSet, engines: readonly Engine[], add: Add): Engine | undefined {
  const rel = s.rr.release.name;
  const socket = s.host!.slice("unix://".length);
  const spec = s.pod.spec ?? {};
  const mine = hostPathAt(spec, s.runner, dirname(socket));
  if (!mine.path) {
    add(rel, `${ref(s.ars)} spec.template.spec.containers[runner].volumeMounts`, `no hostPath volume is mounted at ${q(dirname(socket))}, the directory of ${RUNNER_HOST_ENV} ${q(s.host)}`);
    return undefined;
  }
  const field = `${ref(s.ars)} spec.template.spec.volumes[${mine.volume}].hostPath.path`;
  const candidates = engines
    .filter((e) => e.workload.kind === "DaemonSet" && e.socket)
    .map((e) => ({ e, host: hostPathAt(e.spec, e.container, dirname(e.socket!)).path }));
  const hit = candidates.find((c) => c.host === mine.path && basename(c.e.socket!) === basename(socket));
  if (!hit) {
    add(rel, field, `${q(mine.path)} with socket ${q(basename(socket))} is not where any engine DaemonSet puts its socket (${candidates.map((c) => `${byName(c.e)}: ${c.host}/${basename(c.e.socket!)}`).join(", ") || "no DaemonSet engine"})`);
    return undefined;
  }
  // The runner must land on nodes where the engine runs: every engine nodeSelector entry is the runner's too.
  for (const [k, v] of Object.entries(hit.e.spec.nodeSelector ?? {})) {
    if (spec.nodeSelector?.[k] !== v) {
      add(rel, `${ref(s.ars)} spec.template.spec.nodeSelector`, `lacks ${k}=${v}: the engine DaemonSet ${byName(hit.e)} runs only there, so the runner may land on a node without its socket`);
    }
  }
  return hit.e;
}

const byName = (e: Engine) => `${e.rr.release.name} (${e.ref})`;

function checkKubePod(s: ScaleSet, engines: readonly Engine[], add: Add): Engine | undefined {
  const rel = s.rr.release.name;
  const url = new URL(s.host!.replace(/^kube-pod:\/\//, "http://"));
  const pod = url.hostname;
  const ns = url.searchParams.get("namespace") ?? s.pod.namespace;
  const hit = engines.find((e) => e.podNames.includes(pod) && e.namespace === ns);
  if (!hit) {
    add(rel, `${ref(s.ars)} spec.template.spec.containers[runner].env[${RUNNER_HOST_ENV}]`, `${q(s.host)} names pod ${ns}/${pod}, which no engine StatefulSet renders (${engines.flatMap((e) => e.podNames.map((p) => `${e.namespace}/${p}`)).join(", ") || "none"})`);
  }
  return hit;
}

function checkTcp(s: ScaleSet, engines: readonly Engine[], resources: readonly TfResource[], add: Add): Engine | undefined {
  const rel = s.rr.release.name;
  const at = `${ref(s.ars)} spec.template.spec.containers[runner].env[${RUNNER_HOST_ENV}]`;
  const m = /^tcp:\/\/([^:/]+):(\d+)$/.exec(s.host!);
  if (!m) {
    add(rel, at, `${q(s.host)} is not tcp://<host>:<port>`);
    return undefined;
  }
  const [svcName, svcNs = s.pod.namespace] = m[1].split(".");
  const port = Number(m[2]);
  const svc = resources.find((r) => r.type === "kubernetes_service_v1" && (r.body.metadata as { name?: string }).name === svcName && (r.body.metadata as { namespace?: string }).namespace === svcNs);
  if (!svc) {
    add(rel, at, `${q(s.host)} names Service ${svcNs}/${svcName}, which the stacks do not create`);
    return undefined;
  }
  const spec = svc.body.spec as { selector?: Record<string, string>; port?: { port: number; target_port?: string; name?: string }[] };
  const sp = spec.port?.find((p) => Number(p.port) === port);
  const field = (f: string) => `${tfRef(svc)} spec.${f}`;
  if (!sp) {
    add(rel, field("port"), `has no port ${port} (the runner's ${RUNNER_HOST_ENV} ${q(s.host)})`);
    return undefined;
  }
  const selected = engines.filter((e) => e.namespace === svcNs && Object.keys(spec.selector ?? {}).length > 0 && selects({ matchLabels: spec.selector }, e.podLabels));
  if (selected.length !== 1) {
    add(rel, field("selector"), `${q(spec.selector)} selects ${selected.length === 0 ? "no rendered engine pods" : `the pods of ${selected.length} engines (${selected.map(byName).join(", ")})`} in ${svcNs}`);
    return undefined;
  }
  const e = selected[0];
  const target = sp.target_port ?? String(sp.port);
  const named = e.container.ports?.find((p) => p.name === target)?.containerPort;
  const targetPort = /^\d+$/.test(target) ? Number(target) : named;
  if (e.tcpPort === undefined) add(rel, field("port.target_port"), `engine ${byName(e)} does not listen on TCP (no --addr tcp://...)`);
  else if (targetPort !== e.tcpPort) add(rel, field("port.target_port"), `${q(target)} is not the port engine ${byName(e)} listens on (${e.tcpPort})`);
  return e;
}

function checkExecRbac(engines: readonly Engine[], scaleSets: readonly ScaleSet[], resources: readonly TfResource[], add: Add): void {
  const kubePodSets = scaleSets.filter((s) => s.host?.startsWith("kube-pod://"));
  const roles = resources.filter((r) => r.type === "kubernetes_role_v1" && ((r.body.rule ?? []) as { resources?: string[] }[]).some((x) => x.resources?.includes("pods/exec")));
  if (kubePodSets.length === 0 && roles.length === 0) return;
  const targets = kubePodSets.map((s) => new URL(s.host!.replace(/^kube-pod:\/\//, "http://")));
  const engineNs = [...new Set(targets.map((t, i) => t.searchParams.get("namespace") ?? kubePodSets[i].pod.namespace))];
  const rel = (ns: string) => engines.find((e) => e.namespace === ns && e.podNames.length > 0)?.rr.release.name ?? kubePodSets[0]?.rr.release.name ?? "(engines)";
  for (const ns of engineNs) {
    const podsHere = engines.filter((e) => e.namespace === ns).flatMap((e) => e.podNames).sort();
    const here = roles.filter((r) => (r.body.metadata as { namespace?: string }).namespace === ns);
    if (here.length === 0) {
      add(rel(ns), `kubernetes_role_v1 (namespace ${ns})`, `no Role grants pods/exec in the engines' namespace: runners cannot exec into ${podsHere.join(", ")}`);
      continue;
    }
    for (const role of here) {
      const rules = (role.body.rule ?? []) as { resources?: string[]; resource_names?: string[]; verbs?: string[] }[];
      rules.forEach((rule, i) => {
        const names = [...(rule.resource_names ?? [])].sort();
        if (rule.resources?.some((x) => x === "pods" || x === "pods/exec") && q(names) !== q(podsHere)) {
          add(rel(ns), `${tfRef(role)} rule[${i}].resource_names`, `${q(names)} is not exactly the rendered engine pods in ${ns} ${q(podsHere)}`);
        }
      });
      // Bound to the ServiceAccount the rendered runner pods use.
      const roleName = (role.body.metadata as { name: string }).name;
      const bindings = resources.filter(
        (b) => b.type === "kubernetes_role_binding_v1" && (b.body.metadata as { namespace?: string }).namespace === ns && (b.body.role_ref as { name?: string; kind?: string }).name === roleName,
      );
      for (const s of kubePodSets) {
        const sa = s.pod.spec?.serviceAccountName ?? "default";
        const ok = bindings.some((b) => ((b.body.subject ?? []) as { kind: string; name: string; namespace?: string }[]).some((x) => x.kind === "ServiceAccount" && x.name === sa && x.namespace === s.pod.namespace));
        if (!ok) {
          const subjects = bindings.flatMap((b) => (b.body.subject ?? []) as { name: string; namespace?: string }[]).map((x) => `${x.namespace}/${x.name}`);
          add(s.rr.release.name, `${bindings[0] ? tfRef(bindings[0]) : `kubernetes_role_binding_v1 (role ${roleName})`} subject`, `${q(subjects)} does not include ${s.pod.namespace}/${sa}, the ServiceAccount of the rendered runner pods`);
        }
      }
    }
  }
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

function checkNetworkPolicies(targets: ReadonlyMap<ScaleSet, Engine>, controller: ReturnType<typeof findController>, resources: readonly TfResource[], add: Add): void {
  const tcp = [...targets].filter(([s]) => s.host?.startsWith("tcp://"));
  if (tcp.length === 0) return;
  const policies = resources.filter((r) => r.type === "kubernetes_network_policy_v1");
  const namespaces = resources.filter((r) => r.type === "kubernetes_namespace_v1").map((r) => r.body.metadata as { name: string; labels?: Record<string, string> });
  const nsLabels = (ns: string) => ({ ...(namespaces.find((n) => n.name === ns)?.labels ?? {}), "kubernetes.io/metadata.name": ns });
  // Pods that must NOT reach an engine: ARC's listeners and controller, the cleanup job, any
  // other pod in the runners' namespace, runner-labelled pods in another namespace.
  const others: ModelPod[] = [];
  for (const [s] of tcp) {
    others.push(s.listener);
    others.push({ what: `an unlabelled pod in namespace ${s.pod.namespace}`, namespace: s.pod.namespace, labels: {} });
    others.push({ what: `a pod with the labels of the ${s.pod.what} in namespace default`, namespace: "default", labels: s.pod.labels });
  }
  if (controller) others.push({ what: "the ARC controller pod", namespace: nsOf(controller.deployment, controller.rr), labels: template(controller.deployment).metadata?.labels ?? {} });
  for (const r of resources.filter((x) => x.type === "kubernetes_cron_job_v1" || (x.type === "kubernetes_manifest" && (x.body.manifest as K8sObject | undefined)?.kind === "CronJob"))) {
    const o = r.type === "kubernetes_manifest" ? (r.body.manifest as K8sObject) : undefined;
    const meta = (o?.metadata ?? r.body.metadata) as { name: string; namespace?: string };
    type JobTemplate = { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
    const spec = (o?.spec ?? r.body.spec) as { job_template?: JobTemplate; jobTemplate?: JobTemplate };
    const labels = (spec.job_template ?? spec.jobTemplate)?.spec?.template?.metadata?.labels ?? {};
    others.push({ what: `the pods of CronJob ${meta.name}`, namespace: meta.namespace ?? "default", labels });
  }

  const checked = new Set<Engine>();
  for (const [s, e] of tcp) {
    const rel = e.rr.release.name;
    const applying = policies.filter(
      (p) =>
        (p.body.metadata as { namespace?: string }).namespace === e.namespace &&
        selects(toSelector((p.body.spec as { pod_selector?: unknown }).pod_selector), e.podLabels) &&
        ((p.body.spec as { policy_types?: string[] }).policy_types ?? ["Ingress"]).includes("Ingress"),
    );
    if (applying.length === 0) {
      if (!checked.has(e)) add(rel, `kubernetes_network_policy_v1 (namespace ${e.namespace})`, `no NetworkPolicy selects the engine pods of ${e.ref}: every pod in the cluster can drive this privileged engine over TCP`);
      checked.add(e);
      continue;
    }
    const port = e.tcpPort!;
    const admits = (pod: ModelPod) =>
      applying.some((pol) =>
        (((pol.body.spec as { ingress?: unknown[] }).ingress ?? []) as { from?: Record<string, unknown>[]; ports?: { port?: string | number }[] }[]).some((rule) => {
          const portOk =
            !rule.ports || rule.ports.length === 0 ||
            rule.ports.some((x) => x.port === undefined || String(x.port) === String(port) || e.container.ports?.some((cp) => cp.name === x.port && cp.containerPort === port));
          if (!portOk) return false;
          const from = rule.from ?? [];
          if (from.length === 0) return true;
          return from.some((raw) => {
            if (raw.ip_block) return true; // an IP block may contain any pod
            const nsSel = toSelector(raw.namespace_selector);
            const nsOk = nsSel ? selects(nsSel, nsLabels(pod.namespace)) : pod.namespace === e.namespace;
            return nsOk && selects(toSelector(raw.pod_selector), pod.labels);
          });
        }),
      );
    const field = `${tfRef(applying[0])} spec.ingress`;
    if (!admits(s.pod)) add(rel, field, `does not admit the ${s.pod.what} (namespace ${s.pod.namespace}) on port ${port}: its runners cannot reach the engine`);
    if (checked.has(e)) continue;
    checked.add(e);
    for (const o of others) {
      if (admits(o)) add(rel, field, `admits ${o.what}${o.what.includes(" namespace ") ? "" : ` (namespace ${o.namespace}, labels ${q(o.labels)})`}: only runner pods may reach the engine`);
    }
  }
}

/**
 * One validator per published schema. The schemas of several versions share one `$id`, which one
 * Ajv instance refuses to compile twice ("already exists"): compile each without it (its `$ref`s
 * are local) and keep the validator.
 */
const engineSchemaValidators = new WeakMap<object, ReturnType<Ajv2020["compile"]>>();
function compiledEngineSchema(schema: Record<string, unknown>): ReturnType<Ajv2020["compile"]> {
  let fn = engineSchemaValidators.get(schema);
  if (!fn) {
    const { $id: _id, ...body } = schema;
    fn = ajv.compile(body);
    engineSchemaValidators.set(schema, fn);
  }
  return fn;
}

/** The pods that serve metrics: the controller, each listener (modelled from the controller's flags, as ARC builds it) and each engine. */
function metricsPods(engines: readonly Engine[], controller: ReturnType<typeof findController>, scaleSets: readonly ScaleSet[]): MetricsPod[] {
  const out: MetricsPod[] = [];
  const flag = (name: string) => {
    const args = (template(controller!.deployment).spec?.containers ?? []).flatMap((c) => c.args ?? []);
    const a = args.find((x) => x.startsWith(`--${name}=`));
    return a?.slice(name.length + 3);
  };
  if (controller) {
    const t = template(controller.deployment);
    const addr = flag("metrics-addr");
    out.push({
      what: "ARC controller pod",
      namespace: nsOf(controller.deployment, controller.rr),
      labels: t.metadata?.labels ?? {},
      ports: declaredPorts(t.spec?.containers),
      servesOn: addr && addr !== "0" ? addrPort(addr) : undefined,
      release: controller.rr.release.name,
    });
    // newScaleSetListenerPod: a port named "metrics" from --listener-metrics-addr unless it is "0".
    const listenerAddr = flag("listener-metrics-addr");
    const listenerPort = listenerAddr && listenerAddr !== "0" ? addrPort(listenerAddr) : undefined;
    for (const s of scaleSets) {
      out.push({ ...s.listener, ports: listenerPort ? [{ name: "metrics", containerPort: listenerPort }] : [], servesOn: listenerPort, release: s.rr.release.name });
    }
  }
  for (const e of engines) {
    out.push({
      what: `engine pod of ${e.ref}`,
      namespace: e.namespace,
      labels: e.podLabels,
      ports: declaredPorts(e.spec.containers),
      servesOn: addrPort(env(e.container, ENGINE_METRICS_ADDR_ENV)),
      release: e.rr.release.name,
    });
  }
  return out;
}

/** A Terraform label selector block (`match_labels`, `match_expressions`) as a selector. */
function toSelector(raw: unknown): Selector | undefined {
  if (!raw) return undefined;
  const r = raw as { match_labels?: Record<string, string>; match_expressions?: { key: string; operator: string; values?: string[] }[] };
  return { matchLabels: r.match_labels, matchExpressions: r.match_expressions };
}

// Dagger publishes its engine.json schemas as JSON Schema 2020-12.
const ajv = new Ajv2020({ strict: false, allErrors: false });

function checkEngineConfig(e: Engine, add: Add): void {
  const rel = e.rr.release.name;
  const mount = e.container.volumeMounts?.find((m) => m.mountPath === ENGINE_CONFIG_PATH);
  const configured = typeof (e.rr.values.engine as { configJson?: unknown } | undefined)?.configJson === "string";
  if (!mount) {
    if (configured) add(rel, `${e.ref} spec.template.spec.containers[${ENGINE_CONTAINER_NAME}].volumeMounts`, `engine.configJson is set but nothing is mounted at ${ENGINE_CONFIG_PATH}`);
    return;
  }
  const cmName = e.spec.volumes?.find((v) => v.name === mount.name)?.configMap?.name;
  const cm = e.rr.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === cmName);
  const key = mount.subPath ?? "engine.json";
  const text = (cm?.data as Record<string, string> | undefined)?.[key];
  const field = `ConfigMap/${cmName} data[${key}]`;
  if (text === undefined) {
    add(rel, field, `is not rendered, but ${e.ref} mounts it at ${ENGINE_CONFIG_PATH}`);
    return;
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    add(rel, field, `is not JSON (${(err as Error).message}): the engine exits at startup`);
    return;
  }
  const schema = engineConfigSchema(e.version);
  if (!schema) {
    add(rel, field, `engine ${e.version} predates every published engine.json schema (0.17.0)`);
    return;
  }
  const validate = compiledEngineSchema(schema.schema as Record<string, unknown>);
  if (!validate(config)) {
    const err = validate.errors![0];
    const extra = err.keyword === "additionalProperties" ? ` ${q((err.params as { additionalProperty: string }).additionalProperty)}` : "";
    add(rel, `${field}${err.instancePath.replace(/\//g, ".")}`, `${err.message}${extra}: not valid for engine ${e.version} (schema of v${schema.since}); the engine refuses unknown keys and crash-loops`);
  }
}

function checkPlacement(e: Engine, plan: DeploymentPlan | undefined, resources: readonly TfResource[], add: Add): void {
  const rel = e.rr.release.name;
  const want = plan?.placement?.engines ?? {
    nodeSelector: ((e.rr.values.engine as { nodeSelector?: Record<string, string> } | undefined)?.nodeSelector ?? {}),
    tolerations: ((e.rr.values.engine as { tolerations?: Record<string, unknown>[] } | undefined)?.tolerations ?? []),
  };
  const at = (f: string) => `${e.ref} spec.template.spec.${f}`;
  for (const [k, v] of Object.entries(want.nodeSelector ?? {})) {
    if (e.spec.nodeSelector?.[k] !== v) add(rel, at("nodeSelector"), `lacks ${k}=${v} (planned engine placement), has ${q(e.spec.nodeSelector ?? {})}`);
  }
  for (const t of want.tolerations ?? []) {
    const has = (e.spec.tolerations ?? []).some((x) => Object.entries(t).every(([k, v]) => v === undefined || q(x[k]) === q(v)));
    if (!has) add(rel, at("tolerations"), `lacks the planned toleration ${q(t)}`);
  }
  const wantClass = (e.rr.values.engine as { priorityClassName?: string } | undefined)?.priorityClassName;
  const created = resources.filter((r) => r.type === "kubernetes_priority_class_v1").map((r) => (r.body.metadata as { name: string }).name);
  if (wantClass && e.spec.priorityClassName !== wantClass) {
    add(rel, at("priorityClassName"), `${q(e.spec.priorityClassName)} is not the configured engine PriorityClass ${q(wantClass)}`);
  } else if (created.length > 0 && !created.includes(e.spec.priorityClassName ?? "")) {
    add(rel, at("priorityClassName"), `${q(e.spec.priorityClassName)} is not the PriorityClass the stack creates (${created.join(", ")}): runners may preempt the engine`);
  }
}

function checkPvc(e: Engine, add: Add): void {
  const rel = e.rr.release.name;
  const ss = (e.rr.values.engine as { statefulSet?: { persistentVolumeClaim?: { enabled?: boolean; storageClassName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } }; persistentVolumeClaimRetentionPolicy?: Record<string, string> } } | undefined)?.statefulSet;
  const pvc = ss?.persistentVolumeClaim;
  if (e.workload.kind !== "StatefulSet" || !pvc) return;
  const spec = e.workload.spec as { volumeClaimTemplates?: { metadata: { name: string }; spec: { storageClassName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } } }[]; persistentVolumeClaimRetentionPolicy?: Record<string, string> };
  const vct = spec.volumeClaimTemplates?.find((v) => v.metadata.name === "data");
  const at = (f: string) => `${e.ref} spec.${f}`;
  if (!vct) {
    add(rel, at("volumeClaimTemplates"), `has no claim "data" although engine.statefulSet.persistentVolumeClaim is configured (enabled: ${q(pvc.enabled)}): the cache is not persistent`);
    return;
  }
  if (pvc.resources?.requests?.storage && vct.spec.resources?.requests?.storage !== pvc.resources.requests.storage) {
    add(rel, at("volumeClaimTemplates[data].spec.resources.requests.storage"), `${q(vct.spec.resources?.requests?.storage)} is not the configured cache size ${q(pvc.resources.requests.storage)}`);
  }
  if (pvc.storageClassName !== undefined && vct.spec.storageClassName !== pvc.storageClassName) {
    add(rel, at("volumeClaimTemplates[data].spec.storageClassName"), `${q(vct.spec.storageClassName)} is not the configured StorageClass ${q(pvc.storageClassName)}`);
  }
  if (pvc.accessModes && q(vct.spec.accessModes) !== q(pvc.accessModes)) {
    add(rel, at("volumeClaimTemplates[data].spec.accessModes"), `${q(vct.spec.accessModes)} is not ${q(pvc.accessModes)}`);
  }
  for (const [k, v] of Object.entries(ss?.persistentVolumeClaimRetentionPolicy ?? {})) {
    if (spec.persistentVolumeClaimRetentionPolicy?.[k] !== v) add(rel, at(`persistentVolumeClaimRetentionPolicy.${k}`), `${q(spec.persistentVolumeClaimRetentionPolicy?.[k])} is not the configured ${q(v)}`);
  }
  const mount = e.container.volumeMounts?.find((m) => m.mountPath === ENGINE_DATA_PATH);
  if (mount?.name !== "data") add(rel, `${e.ref} spec.template.spec.containers[${ENGINE_CONTAINER_NAME}].volumeMounts`, `${ENGINE_DATA_PATH} is ${mount ? `volume ${q(mount.name)}` : "not mounted"}, not the claim "data": the cache is not on the PVC`);
  if (e.spec.volumes?.some((v) => v.name === "data")) add(rel, `${e.ref} spec.template.spec.volumes[data]`, `a pod volume also named "data" shadows the claim (set engine.hostPath.dataVolume.enabled: false)`);
}
