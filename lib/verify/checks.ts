/**
 * The contracts between what the charts render and what our own resources assume, checked on
 * the rendered releases and the synthesized Terraform resources (docs/verify.md). Pure: no helm,
 * no files. Each finding names the release and the field.
 */
import type { DeploymentPlan } from "../planning/deployment";
import type { Container, PodSpec } from "./arc-pods";
import { checkEngineConfig, checkGpu, checkPlacement, checkPvc } from "./engine-checks";
import { metricsPods } from "./metrics-pods";
import { checkScrapeObjects, isScrapeObject } from "./scrape";
import { checkRuleObjects, isRuleObject } from "./rules";
import type { K8sObject, RenderedRelease } from "./render";
import type { TfResource } from "./terraform";
import { checkEngineServices, checkExecRbac, checkKubePod, checkNetworkPolicies, checkTcp, checkUnix, plannedVersion } from "./transport-checks";
import { Add, Engine, Finding, RUNNER_HOST_ENV, formatFinding, ScaleSet, Template, VerifyInput, env, findController, findEngines, findScaleSets, nsOf, q, ref, template, tfRef } from "./model";

export { formatFinding, selects } from "./model";
export type { Finding, VerifyInput } from "./model";

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
    // A scale set of the GPU engines' size reaches its version's GPU engine, the others never do.
    const name = (s.ars.spec as { runnerScaleSetName?: string }).runnerScaleSetName ?? s.ars.metadata.name;
    const wantGpu = plan?.gpuEngines?.scaleSets.includes(name) ? plan.gpuEngines.transports[want ?? ""]?.releaseName : undefined;
    const isGpu = target !== undefined && (plan?.gpuEngines?.engines.some((g) => g.releaseName === byRelease(target)) ?? false);
    if (target && wantGpu && byRelease(target) !== wantGpu) add(rel, at, `${q(s.host)} reaches ${byRelease(target)}, but the plan routes this scale set to the GPU engine ${wantGpu}`);
    if (target && !wantGpu && isGpu) add(rel, at, `${q(s.host)} reaches the GPU engine ${byRelease(target)}, but the plan routes this scale set to a normal engine`);
  }

  // --- tcp: exactly one Service in front of each engine ------------------------------------------
  checkEngineServices(targets, releases, resources, add);

  // --- kube-pod RBAC: the exec Role names exactly the engine pods; bound to the runners' SA ---
  checkExecRbac(engines, scaleSets, resources, add);

  // --- tcp: NetworkPolicies admit the runner pods and nothing else ----------------------------
  checkNetworkPolicies(targets, controller, resources, add);

  // --- Engine workloads: engine.json, placement, PVC --------------------------------------------
  for (const e of engines) {
    checkEngineConfig(e, add);
    checkPlacement(e, plan, resources, add);
    checkGpu(e, plan, add);
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
    resources
      .filter((r) => r.type === "kubernetes_manifest" && isScrapeObject((r.body as { manifest?: K8sObject }).manifest))
      .map((r) => ({ ref: tfRef(r), object: (r.body as { manifest: K8sObject }).manifest })),
    metricsPods(engines, controller, scaleSets),
    add,
  );

  // --- Alert rules select the scrape objects' jobs and read cited metrics -----------------------
  const manifestsOf = (pred: (o: K8sObject | undefined) => boolean) =>
    resources
      .filter((r) => r.type === "kubernetes_manifest" && pred((r.body as { manifest?: K8sObject }).manifest))
      .map((r) => ({ ref: tfRef(r), object: (r.body as { manifest: K8sObject }).manifest }));
  checkRuleObjects(manifestsOf(isRuleObject), manifestsOf(isScrapeObject), add);

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
  // One line per distinct finding (several scale sets can meet the same broken contract).
  return findings.filter((f, i) => findings.findIndex((g) => formatFinding(g) === formatFinding(f)) === i);
}

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
    if (!r.repository && r.chart.endsWith(".tgz")) {
      // A chart shipped inside the stack's output (ARC's CRDs, lib/constructs/arc-crds.ts): nothing
      // to pull or mirror; it must hold only ARC's CRDs, each kept on uninstall.
      for (const o of rr.objects) {
        const keep = (o.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.["helm.sh/resource-policy"] === "keep";
        const group = (o.spec as { group?: string } | undefined)?.group;
        if (o.kind !== "CustomResourceDefinition" || group !== "actions.github.com" || !keep) {
          add(r.name, `${o.kind} ${String((o.metadata as { name?: string } | undefined)?.name)}`, "the bundled CRD chart must hold only actions.github.com CRDs annotated helm.sh/resource-policy: keep");
        }
      }
      continue;
    }
    const location = `${(r.repository ?? "").replace(/\/$/, "")}/${r.chart}`;
    if (!plan.artifacts.charts.some((c) => c.location === location && c.version === r.version)) {
      add(r.name, `helm_release ${r.id} repository, chart, version`, `${location} ${r.version} is not in the deployment's chart list (npm run report)`);
    }
  }
}
