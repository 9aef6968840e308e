/**
 * The engine layer: one Dagger engine Helm release per version (and, with `gpu`, a GPU engine
 * per version on a GPU node pool), in its own privileged namespace, plus what each transport needs (RBAC, Service and NetworkPolicy), VPAs and the
 * Dagger Cloud token Secrets. It knows nothing of GitHub: any CI layer consumes
 * {@link DaggerEngines.specs}. The chart values are built by lib/planning/engine-values.ts;
 * the per-concern resources by the engine-*.ts files beside this one.
 */
import { Construct } from "constructs";
import { Annotations, TerraformVariable, Token } from "cdktf";
import { HelmRelease } from "../imports/helm";
import { NamespaceV1, PriorityClassV1 } from "../imports/kubernetes";
import type { EngineConnectionSpec, EngineTransport } from "../engine-spec";
import type { ResourceRequirements, Toleration } from "../planning/k8s-types";
import {
  DAGGER_CHART,
  DAGGER_CHART_REPOSITORY,
  DEFAULT_CLIENT_SERVICE_ACCOUNT,
  DEFAULT_ENGINE_PORT,
  EngineMode,
  EngineNames,
  defaultTransport,
  engineId,
  gpuEngineImage,
  engineReadsCacheService,
  engineWarnings,
  imageOverride,
  planEngineSpec,
} from "../planning/engines";
import type { EngineConfig } from "../planning/engine-config";
import { effectiveEngineConfig } from "../planning/engine-config";
import { EngineMetricsProps, EngineValuesInput, daggerChartValues, gpuEngineResources } from "../planning/engine-values";
import { podSecurityLabels } from "../planning/arc-values";
import {
  distinctNamespacesRule,
  engineCacheRule,
  engineCloudRule,
  engineConfigRule,
  engineObjectNamesRule,
  engineTransportRule,
  formatProblem,
  portRule,
  priorityClassRule,
} from "../planning/rules";
import { parseVersion } from "../planning/versions";
import { enginePriorityClassName } from "../planning/names";
import { DEFAULT_ENGINES_NAMESPACE, DEFAULT_ENGINE_PREEMPTION_POLICY, DEFAULT_ENGINE_PRIORITY } from "../planning/defaults";
import { addEngineCloudToken } from "./engine-cloud-token";
import { addEngineTcpAccess } from "./engine-tcp-access";
import { addEngineVpa, EngineVpaProps } from "./engine-vpa";
import { addEngineClientRbac } from "./engine-client-rbac";

export type { EngineMetricsProps } from "../planning/engine-values";
export type { EngineVpaProps } from "./engine-vpa";
export { DAGGER_CLOUD_TOKEN_VARIABLE } from "./engine-cloud-token";

/** StatefulSet cache settings. */
export interface EngineCacheProps {
  /** PVC size. @default "100Gi" */
  readonly size?: string;
  /** StorageClass of the PVC. @default the cluster's default StorageClass */
  readonly storageClass?: string;
  /** Keep the PVC (and its disk) when the release is removed. @default false */
  readonly retainOnDelete?: boolean;
}

/** The engines' PriorityClass. */
export interface EnginePriorityClassProps {
  /** Create the class. @default true */
  readonly create?: boolean;
  /** Class name (created, or existing when `create` is false). @default "<namePrefix>-dagger-engine" when created, none otherwise */
  readonly name?: string;
  /** Value of a created class. @default 1000000 */
  readonly value?: number;
}

/** Dagger Cloud settings. */
export interface EngineCloudProps {
  /**
   * Connect to Dagger Cloud: the runners get `DAGGER_CLOUD_TOKEN` (the CLI sends traces), and
   * engines before 0.18.17 the cache-service token (Magicache; later engines have none). @default false
   */
  readonly enabled?: boolean;
  /**
   * Existing Secret with the key `DAGGER_CLOUD_TOKEN` in the client namespace and, for engines
   * before 0.18.17, `_EXPERIMENTAL_DAGGER_CACHESERVICE_TOKEN` in the engines namespace.
   * @default none: the sensitive variable `dagger_cloud_token` feeds the created Secrets
   */
  readonly existingSecretName?: string;
}

/** GPU engines: one more engine per version, on a GPU node pool (lib/planning/gpu-engines.ts). */
export interface GpuEnginesProps {
  /** The GPU engines, one per version of `engines`, named by the plan (`planEngineNames` with `gpu: true`: `<release>-gpu`). */
  readonly engines: readonly EngineNames[];
  /** GPUs each GPU engine requests (`nvidia.com/gpu`, request and limit). @default 1 */
  readonly gpus?: number;
  /** Image override: `{version}` template or version -> image. @default registry.dagger.io/engine:v<version>-gpu */
  readonly image?: string | Readonly<Record<string, string>>;
  /** nodeSelector of the GPU engine pods (the GPU node pool). @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of the GPU engine pods (the GPU taint, `nvidia.com/gpu=present:NoSchedule` on GKE). @default none */
  readonly tolerations?: readonly Toleration[];
}

/** Props of {@link DaggerEngines}. */
export interface DaggerEnginesProps {
  /** The engines, one per version, named by the plan (chart naming rule). */
  readonly engines: readonly EngineNames[];
  /** `daemonset` or `statefulset`. */
  readonly mode: EngineMode;
  /** Namespace of the clients (runners). May be a token when the client layer creates it. */
  readonly clientNamespace: string;
  /** Prefix of cluster-wide and shared names (PriorityClass, Role, Secrets); the deployment name. */
  readonly namePrefix: string;
  /** Engines namespace (created, PodSecurity `privileged`). @default "dagger-engines" */
  readonly namespace?: string;
  /** How clients reach an engine: `unix`, `kube-pod` or `tcp`. @default "unix" for daemonset, "kube-pod" for statefulset */
  readonly transport?: EngineTransport;
  /** Engine TCP port. @default 1234 with transport tcp, else none */
  readonly port?: number;
  /** StatefulSet cache. @default {size: "100Gi", retainOnDelete: false} */
  readonly cache?: EngineCacheProps;
  /** Engine container requests/limits. @default DEFAULT_ENGINE_RESOURCES (requests 1 CPU / 2Gi, limit 8Gi memory) */
  readonly resources?: ResourceRequirements;
  /** The engines' PriorityClass, so runners never preempt an engine. @default {create: true, value: 1000000} */
  readonly priorityClass?: EnginePriorityClassProps;
  /** nodeSelector of the engine pods. @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of the engine pods. @default none */
  readonly tolerations?: readonly Toleration[];
  /** Image override: `{version}` template or version -> image. @default registry.dagger.io/engine:v<version> */
  readonly image?: string | Readonly<Record<string, string>>;
  /** Pull Secrets in the engines namespace. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** OCI repository of the `dagger-helm` chart (a private mirror). @default DAGGER_CHART_REPOSITORY (oci://registry.dagger.io) */
  readonly chartRepository?: string;
  /** engine.json; top-level keys replace the defaults'. @default GC defaults per mode */
  readonly engineConfig?: EngineConfig;
  /** VerticalPodAutoscalers of the engines. @default disabled */
  readonly vpa?: EngineVpaProps;
  /** Dagger Cloud token delivery to engines and clients. @default disabled */
  readonly cloud?: EngineCloudProps;
  /** ServiceAccount (client namespace) bound by the kube-pod RBAC. @default "dagger-runner" */
  readonly clientServiceAccountName?: string;
  /** Secret created in the client namespace with `DAGGER_CLOUD_TOKEN`. @default "dagger-cloud-token" */
  readonly clientCloudSecretName?: string;
  /**
   * Prometheus metrics of the engines: engines of `versions` get `_EXPERIMENTAL_DAGGER_METRICS_ADDR`
   * (`0.0.0.0:<port>`), those of `namedPortVersions` also the container port `metrics`
   * (`engine.containerPorts`, chart 0.19.1+), and a `tcp` NetworkPolicy admits the port.
   * @default undefined (no metrics endpoint)
   */
  readonly metrics?: EngineMetricsProps;
  /**
   * Extra values of the Dagger chart, merged over the typed ones for every engine (maps merge,
   * named lists merge by `name`, other lists and scalars replace): the escape hatch for chart keys
   * this construct does not type. @default none
   */
  readonly chartValues?: Readonly<Record<string, unknown>>;
  /**
   * GPU engines beside the engines: per version, a second release with the GPU image,
   * `_EXPERIMENTAL_DAGGER_GPU_SUPPORT=true` and `nvidia.com/gpu`, with the same mode, transport,
   * engine.json, resources and PriorityClass. Their specs are {@link DaggerEngines.gpuSpecs}.
   * @default none
   */
  readonly gpu?: GpuEnginesProps;
  /**
   * Add the warnings about these props (`engineWarnings`: tcp without authentication, VPA
   * restarts, ...) as annotations. The deployment's stacks pass false: the plan's one warnings
   * list has them, and RunnersStack adds that list. @default true
   */
  readonly warnings?: boolean;
}



/** One Dagger engine Helm release per version, and everything its clients need to reach it. */
export class DaggerEngines extends Construct {
  /** One connection spec per engine version, in the order of `props.engines`. */
  readonly specs: EngineConnectionSpec[];
  /** The engines namespace (a token: Terraform orders resources placed in it after it). */
  readonly namespaceName: string;
  /** Helm releases by engine version. */
  readonly releases: Readonly<Record<string, HelmRelease>>;
  /** The GPU engines' connection specs, in the order of `props.gpu.engines` (empty without). */
  readonly gpuSpecs: EngineConnectionSpec[];
  /** The GPU engines' Helm releases, by engine version. */
  readonly gpuReleases: Readonly<Record<string, HelmRelease>>;
  /** The sensitive token variable, when Dagger Cloud is on without an existing Secret. */
  readonly cloudTokenVariable?: TerraformVariable;

  constructor(scope: Construct, name: string, props: DaggerEnginesProps) {
    super(scope, name);
    const p = props;
    const nsName = p.namespace ?? DEFAULT_ENGINES_NAMESPACE;
    const transport = p.transport ?? defaultTransport(p.mode);
    const port = p.port ?? (transport === "tcp" ? DEFAULT_ENGINE_PORT : undefined);
    const saName = p.clientServiceAccountName ?? DEFAULT_CLIENT_SERVICE_ACCOUNT;

    // --- Validation: the config file's rules (lib/planning/rules.ts), naming the props -------
    this.node.addValidation({
      validate: () =>
        [
          ...engineTransportRule({ mode: p.mode, transport: p.transport }, { mode: ["mode"], transport: ["transport"] }),
          ...engineCacheRule(p, { mode: ["mode"], cache: ["cache"] }),
          ...portRule(p.port, { port: ["port"] }),
          ...engineConfigRule(
            p.engineConfig === undefined ? undefined : effectiveEngineConfig(p.mode, p.engineConfig),
            p.engines.map((e) => e.version),
            { config: ["engineConfig"] },
          ),
          ...engineCloudRule(p.cloud, { enabled: ["cloud", "enabled"], existingSecretName: ["cloud", "existingSecretName"] }),
          ...priorityClassRule(p.priorityClass, DEFAULT_ENGINE_PRIORITY, { create: ["priorityClass", "create"], value: ["priorityClass", "value"] }),
          ...(Token.isUnresolved(p.clientNamespace)
            ? []
            : distinctNamespacesRule([
                { path: ["clientNamespace"], value: p.clientNamespace },
                { path: ["namespace"], value: nsName },
              ])),
          ...engineObjectNamesRule(p.engines, transport, (e, i) => ({ path: ["engines", i, "releaseName"], value: e.releaseName })),
          ...engineObjectNamesRule(p.gpu?.engines ?? [], transport, (e, i) => ({ path: ["gpu", "engines", i, "releaseName"], value: e.releaseName })),
          ...(p.gpu?.engines ?? []).flatMap((e, i) => {
            const at = { path: ["gpu", "engines", i, "releaseName"], value: e.releaseName };
            if (!p.engines.some((x) => x.version === e.version)) return [{ ...at, message: `is a GPU engine of version ${e.version}, which is not among engines (${p.engines.map((x) => x.version).join(", ")})` }];
            if (p.engines.some((x) => x.releaseName === e.releaseName)) return [{ ...at, message: "is also an engine's release name (a GPU engine needs its own, e.g. planEngineNames with gpu: true)" }];
            return [];
          }),
        ].map(formatProblem),
    });
    if (p.warnings ?? true) {
      const cloud = p.cloud?.enabled ?? false;
      for (const w of engineWarnings({ mode: p.mode, transport, port: p.port, cache: p.cache, vpa: p.vpa, configPath: "", cloud, versions: p.engines.map((e) => e.version) })) {
        Annotations.of(this).addWarning(w);
      }
    }

    // --- Namespace ---------------------------------------------------------------------------
    const ns = new NamespaceV1(this, "namespace", {
      metadata: {
        name: nsName,
        labels: {
          "app.kubernetes.io/part-of": "dagger-engines",
          // The engine is a privileged container with hostPath volumes.
          ...podSecurityLabels("privileged"),
        },
      },
    });
    const namespace = ns.metadata.name;
    this.namespaceName = namespace;

    // --- PriorityClass -----------------------------------------------------------------------
    const pc = p.priorityClass ?? {};
    let priorityClassName: string | undefined = pc.create === false ? pc.name : undefined;
    if (pc.create !== false) {
      const cls = new PriorityClassV1(this, "priority-class", {
        metadata: { name: enginePriorityClassName(p.namePrefix, pc.name) },
        value: pc.value ?? DEFAULT_ENGINE_PRIORITY,
        globalDefault: false,
        // Never: an engine waits for room instead of evicting a running runner; its priority still
        // puts it ahead of pending runner pods in the scheduling queue (Kubernetes "Pod Priority and
        // Preemption", non-preempting PriorityClass). The capacity plan keeps room for it on every
        // node (docs/capacity.md).
        preemptionPolicy: DEFAULT_ENGINE_PREEMPTION_POLICY,
        description: "Dagger engines: above runner pods (priority 0), so a runner never preempts an engine; never preempts a runner.",
      });
      priorityClassName = cls.metadata.name;
    }

    // --- Dagger Cloud (lib/constructs/engine-cloud-token.ts) ---------------------------------
    // Engines before 0.18.17 read the cache-service token; later ones have nothing to read.
    const cloud = p.cloud?.enabled
      ? addEngineCloudToken(this, {
          existingSecretName: p.cloud.existingSecretName,
          engineNeedsToken: p.engines.some((e) => engineReadsCacheService(parseVersion(e.version))),
          namespace,
          clientNamespace: p.clientNamespace,
          namePrefix: p.namePrefix,
          clientSecretName: p.clientCloudSecretName,
        })
      : undefined;
    this.cloudTokenVariable = cloud?.variable;

    // --- Engines (and GPU engines) --------------------------------------------------------------
    const releases: Record<string, HelmRelease> = {};
    const gpuReleases: Record<string, HelmRelease> = {};
    const gpu = p.gpu;
    // A GPU engine: the engine's values with the GPU image (always set: the chart's default is
    // the non-GPU image), the GPUs, the GPU pool's placement and _EXPERIMENTAL_DAGGER_GPU_SUPPORT.
    const gpuValues: EngineValuesInput | undefined = gpu
      ? {
          ...p,
          image: undefined,
          resources: gpuEngineResources(p.resources, gpu.gpus ?? 1),
          nodeSelector: gpu.nodeSelector,
          tolerations: gpu.tolerations,
          gpuSupport: true,
        }
      : undefined;
    const addEngine = (e: EngineNames, vp: EngineValuesInput, image: string | undefined, into: Record<string, HelmRelease>): EngineConnectionSpec => {
      const values = daggerChartValues({ ...vp, image }, e.version, { priorityClassName, magicacheSecret: cloud?.magicacheSecret, port });
      into[e.version] = new HelmRelease(this, `release-${engineId(e)}`, {
        name: e.releaseName,
        namespace,
        repository: p.chartRepository ?? DAGGER_CHART_REPOSITORY,
        chart: DAGGER_CHART,
        version: e.version,
        values: [JSON.stringify(values)],
        // Image pulls (~300 MB) and a StatefulSet's new PVC and node can take a while.
        timeout: 900,
      });

      const spec = planEngineSpec(e, {
        mode: p.mode,
        transport,
        namespace: nsName,
        port,
        image,
        serviceAccountName: saName,
        cloudTokenSecret: cloud?.clientSecret,
        imagePullSecrets: p.imagePullSecrets,
        nodeSelector: vp.nodeSelector,
        tolerations: vp.tolerations,
      });
      if (transport === "tcp" && port !== undefined) {
        addEngineTcpAccess(this, {
          engine: e,
          spec,
          mode: p.mode,
          namespace,
          clientNamespace: p.clientNamespace,
          port,
          metricsPort: p.metrics?.versions.includes(e.version) ? p.metrics.port : undefined,
        });
      }
      if (p.vpa?.enabled) addEngineVpa(this, e, p.mode, namespace, p.vpa);
      return spec;
    };
    this.specs = p.engines.map((e) => addEngine(e, p, imageOverride(p.image, e.version), releases));
    this.gpuSpecs =
      // Marked GPU whatever the caller passed, so their resource ids never collide with the engines'.
      gpu && gpuValues ? gpu.engines.map((e) => addEngine({ ...e, gpu: true }, gpuValues, imageOverride(gpu.image, e.version) ?? gpuEngineImage(e.version), gpuReleases)) : [];
    this.releases = releases;
    this.gpuReleases = gpuReleases;

    // --- kube-pod RBAC (lib/constructs/engine-client-rbac.ts) ---------------------------------
    if (transport === "kube-pod") {
      addEngineClientRbac(this, {
        pods: [...p.engines, ...(gpu?.engines ?? [])].map((e) => e.podName).filter((n): n is string => !!n),
        namespace,
        namePrefix: p.namePrefix,
        serviceAccountName: saName,
        clientNamespace: p.clientNamespace,
      });
    }
  }

  /** The connection spec of engine `version` (e.g. `0.20.3`). */
  spec(version: string): EngineConnectionSpec {
    const v = version.replace(/^v/, "");
    const s = this.specs.find((x) => x.version === v);
    if (!s) throw new Error(`no Dagger engine ${version} (engines: ${this.specs.map((x) => x.version).join(", ")})`);
    return s;
  }
}
