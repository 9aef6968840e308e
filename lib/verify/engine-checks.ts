/**
 * The engine workloads as rendered: the engine.json each gets is valid for its version, the
 * planned placement and PriorityClass are on the pod, the PVC settings are in the StatefulSet.
 */
import type { DeploymentPlan } from "../planning/deployment";
import { ENGINE_CONTAINER_NAME, GPU_RESOURCE, GPU_SUPPORT_ENV } from "../planning/engines";
import { engineConfigValidator } from "../planning/engine-config";
import type { TfResource } from "./terraform";
import { Add, ENGINE_CONFIG_PATH, ENGINE_DATA_PATH, Engine, env, q } from "./model";

export function checkEngineConfig(e: Engine, add: Add): void {
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
  const schema = engineConfigValidator(e.version);
  if (!schema) {
    add(rel, field, `engine ${e.version} predates every published engine.json schema (0.17.0)`);
    return;
  }
  const validate = schema.validate;
  if (!validate(config)) {
    const err = validate.errors![0];
    const extra = err.keyword === "additionalProperties" ? ` ${q((err.params as { additionalProperty: string }).additionalProperty)}` : "";
    add(rel, `${field}${err.instancePath.replace(/\//g, ".")}`, `${err.message}${extra}: not valid for engine ${e.version} (schema of v${schema.since}); the engine refuses unknown keys and crash-loops`);
  }
}

export function checkPlacement(e: Engine, plan: DeploymentPlan | undefined, resources: readonly TfResource[], add: Add): void {
  const rel = e.rr.release.name;
  const gpu = plan?.gpuEngines?.engines.some((g) => g.releaseName === rel) ? plan.gpuEngines : undefined;
  const want = gpu?.placement ?? plan?.placement?.engines ?? {
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

export function checkPvc(e: Engine, add: Add): void {
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

/**
 * A planned GPU engine, as rendered: the GPU image, `_EXPERIMENTAL_DAGGER_GPU_SUPPORT` and the
 * planned `nvidia.com/gpu` as the engine container's limit (the scheduler's request for an
 * extended resource); a normal engine has none of them.
 */
export function checkGpu(e: Engine, plan: DeploymentPlan | undefined, add: Add): void {
  const rel = e.rr.release.name;
  const g = plan?.gpuEngines;
  const mine = g?.engines.find((x) => x.releaseName === rel);
  const at = (f: string) => `${e.ref} spec.template.spec.containers[${ENGINE_CONTAINER_NAME}].${f}`;
  const limit = e.container.resources?.limits?.[GPU_RESOURCE];
  const request = e.container.resources?.requests?.[GPU_RESOURCE];
  if (!g || !mine) {
    if (limit !== undefined || request !== undefined) add(rel, at("resources"), `requests ${GPU_RESOURCE} ${q(limit ?? request)}, but the plan has no GPU engine ${rel}: it holds a node's GPU no runner can use`);
    return;
  }
  if (String(limit) !== String(g.gpus)) {
    add(rel, at(`resources.limits[${GPU_RESOURCE}]`), `${limit === undefined ? "is not set" : `${q(limit)} is not`}, the plan gives the GPU engine ${g.gpus}: ${limit === undefined ? "the engine gets no GPU device" : "the capacity plan does not hold"}`);
  }
  if (request !== undefined && String(request) !== String(limit)) add(rel, at(`resources.requests[${GPU_RESOURCE}]`), `${q(request)} differs from the limit ${q(limit)} (an extended resource's request must equal its limit)`);
  if (!env(e.container, GPU_SUPPORT_ENV)) add(rel, at(`env[${GPU_SUPPORT_ENV}]`), "is not set: the engine refuses every exec given GPUs");
  const image = g.images[e.version];
  if (e.container.image !== image) add(rel, at("image"), `${q(e.container.image)} is not the planned GPU engine image ${q(image)}`);
}
