/**
 * Each scale set's runner reaches an engine of its version, by its transport: `unix` (host path
 * and socket), `kube-pod` (a rendered engine pod; the exec Role and its binding), `tcp` (our
 * Service; the NetworkPolicy admits the runner pods ARC creates and nothing else).
 */
import type { DeploymentPlan } from "../planning/deployment";
import type { ModelPod } from "./arc-pods";
import type { K8sObject, RenderedRelease } from "./render";
import type { TfResource } from "./terraform";
import { Add, Controller, Engine, RUNNER_HOST_ENV, ScaleSet, basename, byName, dirname, hostPathAt, nsOf, q, ref, selects, template, tfRef, toSelector } from "./model";

/** The plan's engine version of a scale set (by its `runnerScaleSetName`). */
export function plannedVersion(plan: DeploymentPlan | undefined, s: ScaleSet): string | undefined {
  const name = (s.ars.spec as { runnerScaleSetName?: string }).runnerScaleSetName ?? s.ars.metadata.name;
  return plan?.runners.labels.find((l) => l.scaleSet === name)?.version;
}

export function checkUnix(s: ScaleSet, engines: readonly Engine[], add: Add): Engine | undefined {
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

export function checkKubePod(s: ScaleSet, engines: readonly Engine[], add: Add): Engine | undefined {
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

export function checkTcp(s: ScaleSet, engines: readonly Engine[], resources: readonly TfResource[], add: Add): Engine | undefined {
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

/**
 * Exactly one Service per tcp engine: ours. The Dagger chart creates its own Service `<fullname>`
 * whenever `engine.port` is set from chart 0.21.0 (`templates/service.yaml`, dagger PR #11993);
 * a second Service has no NetworkPolicy of ours in mind and, for a DaemonSet, no node-local
 * traffic policy.
 */
export function checkEngineServices(targets: ReadonlyMap<ScaleSet, Engine>, releases: readonly RenderedRelease[], resources: readonly TfResource[], add: Add): void {
  const engines = new Set([...targets].filter(([s]) => s.host?.startsWith("tcp://")).map(([, e]) => e));
  for (const e of engines) {
    const ours = resources
      .filter((r) => r.type === "kubernetes_service_v1" && (r.body.metadata as { namespace?: string }).namespace === e.namespace)
      .filter((r) => selects({ matchLabels: (r.body.spec as { selector?: Record<string, string> }).selector }, e.podLabels) && Object.keys((r.body.spec as { selector?: object }).selector ?? {}).length > 0)
      .map(tfRef);
    const charts = releases.flatMap((rr) =>
      rr.objects
        .filter((o) => o.kind === "Service" && nsOf(o, rr) === e.namespace)
        .filter((o) => {
          const sel = (o.spec as { selector?: Record<string, string> }).selector;
          return !!sel && Object.keys(sel).length > 0 && selects({ matchLabels: sel }, e.podLabels);
        })
        .map((o) => `${rr.release.name}: ${ref(o)}`),
    );
    if (ours.length + charts.length !== 1) {
      add(e.rr.release.name, `Services selecting ${e.ref}`, `${ours.length + charts.length} Services select the engine pods (ours: ${ours.join(", ") || "none"}; rendered by a chart: ${charts.join(", ") || "none"}): exactly one, ours, should`);
    }
  }
}

export function checkExecRbac(engines: readonly Engine[], scaleSets: readonly ScaleSet[], resources: readonly TfResource[], add: Add): void {
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

export function checkNetworkPolicies(targets: ReadonlyMap<ScaleSet, Engine>, controller: Controller, resources: readonly TfResource[], add: Add): void {
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
