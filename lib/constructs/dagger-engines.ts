/**
 * The engine layer: one Dagger engine Helm release per version, in its own privileged
 * namespace, plus what each transport needs (RBAC, Service and NetworkPolicy), VPAs and the
 * Dagger Cloud token Secrets. It knows nothing of GitHub: any CI layer consumes
 * {@link DaggerEngines.specs}.
 *
 * Chart facts (dagger/dagger helm/dagger, values.yaml and templates/engine-{daemonset,
 * statefulset}.yaml, magicache-secret.yaml, _helpers.tpl, read at the 0.17-era commit of March
 * 2025 and the 0.19/0.20-era commit of 2026 that bracket the default chart 0.20.3; every key
 * below is in both):
 * `engine.kind`, `engine.image.ref`, `engine.imagePullSecrets` (list of {name}),
 * `engine.resources`, `engine.priorityClassName`, `engine.nodeSelector`, `engine.tolerations`,
 * `engine.configJson` (a string, mounted as /etc/dagger/engine.json), `engine.port` (adds
 * `--addr tcp://0.0.0.0:<port>`), `engine.hostPath.dataVolume.enabled`,
 * `engine.statefulSet.persistentVolumeClaim.*` (volumeClaimTemplate `data`),
 * `engine.statefulSet.persistentVolumeClaimRetentionPolicy.*` (rendered only with the PVC on),
 * `engine.env` (a `toYaml` list). Dagger Cloud reaches the engine only for engines before
 * 0.18.17, the last that read the cache-service variables (`engineReadsCacheService` in
 * lib/planning/engines.ts), through `engine.env`: the chart's own `magicache` values load the
 * Secret with an `envFrom` its StatefulSet mis-renders up to 0.20.3 (dagger/dagger issue 10065).
 * Every engine's runners get `DAGGER_CLOUD_TOKEN` (the CLI's traces).
 */
import { Construct } from "constructs";
import { Annotations, TerraformVariable, Token } from "cdktf";
import { HelmRelease } from "../imports/helm";
import {
  Manifest,
  NamespaceV1,
  NetworkPolicyV1,
  PriorityClassV1,
  RoleBindingV1,
  RoleV1,
  SecretV1,
  ServiceV1,
} from "../imports/kubernetes";
import type { EngineConnectionSpec, EngineTransport } from "../engine-spec";
import type { EnvVar, ResourceRequirements, Toleration } from "../planning/k8s-types";
import type { RunnersConfig } from "../planning/input/schema";
import type { DeploymentPlan } from "../planning/deployment";
import {
  CLIENT_CLOUD_TOKEN_KEY,
  DAGGER_CHART,
  DAGGER_CHART_REPOSITORY,
  DEFAULT_CLIENT_CLOUD_SECRET,
  DEFAULT_CLIENT_SERVICE_ACCOUNT,
  DEFAULT_ENGINE_PORT,
  ENGINE_CONTAINER_NAME,
  EngineMode,
  EngineNames,
  MAGICACHE_TOKEN_KEY,
  MAGICACHE_URL,
  MAGICACHE_URL_ENV,
  checkEngineObjectNames,
  engineReadsCacheService,
  chartCreatesService,
  defaultTransport,
  engineServiceName,
  imageOverride,
  planEngineSpec,
  transportProblem,
  engineWarnings,
} from "../planning/engines";
import { EngineConfig, effectiveEngineConfig, validateEngineConfig } from "../planning/engine-config";
import { podSecurityLabels } from "../planning/arc-values";
import { ENGINE_METRICS_ADDR_ENV, METRICS_PORT_NAME } from "../planning/monitoring";
import { PlanError } from "../planning/errors";
import { parseVersion } from "../planning/versions";
import { DEFAULT_ENGINE_RESOURCES } from "../planning/input/dagger";
import { DEFAULT_ENGINES_NAMESPACE, DEFAULT_ENGINE_PREEMPTION_POLICY, DEFAULT_ENGINE_PRIORITY, DEFAULT_VPA_UPDATE_MODE } from "../planning/defaults";

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

/** VerticalPodAutoscaler settings. */
export interface EngineVpaProps {
  /** Create one VerticalPodAutoscaler per engine workload (needs the VPA CRDs). @default false */
  readonly enabled?: boolean;
  /** The VPA's `updatePolicy.updateMode`; `Off` only recommends, `Recreate` restarts engines. @default "Off" */
  readonly updateMode?: "Off" | "Initial" | "Recreate" | "InPlaceOrRecreate";
  /** Lower bound of the recommendations (`cpu`, `memory`). @default none */
  readonly minAllowed?: Readonly<Record<string, string>>;
  /** Upper bound of the recommendations (`cpu`, `memory`). @default none */
  readonly maxAllowed?: Readonly<Record<string, string>>;
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
  /** Config key path prefix used in messages. @default "dagger.engine" */
  readonly configPath?: string;
  /**
   * Add the warnings about these props (`engineWarnings`: tcp without authentication, VPA
   * restarts, ...) as annotations. The deployment's stacks pass false: the plan's one warnings
   * list has them, and RunnersStack adds that list. @default true
   */
  readonly warnings?: boolean;
}

/** The engines' Prometheus endpoint (lib/planning/monitoring.ts `MonitoringPlan.engineMetrics`). */
export interface EngineMetricsProps {
  /** Port of the endpoint. */
  readonly port: number;
  /** Engine versions that read `_EXPERIMENTAL_DAGGER_METRICS_ADDR` (0.18.11 and newer). */
  readonly versions: readonly string[];
  /** Of those, the versions whose chart has `engine.containerPorts` (0.19.1 and newer). @default [] */
  readonly namedPortVersions?: readonly string[];
}

/** The Dagger chart's values this construct sets (dagger/dagger helm/dagger/values.yaml). */
export interface DaggerChartValues {
  readonly engine: {
    readonly kind: "DaemonSet" | "StatefulSet";
    readonly image?: { readonly ref: string };
    readonly imagePullSecrets?: readonly { readonly name: string }[];
    readonly resources: ResourceRequirements;
    readonly priorityClassName?: string;
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly tolerations?: readonly Toleration[];
    readonly configJson: string;
    readonly port?: number;
    /** Engine arguments (the TCP address for charts that would create their own Service on `port`). */
    readonly args?: readonly string[];
    /** Every declared container port (chart 0.19.1+); replaces the chart's own `dagger` port, so it is listed again. */
    readonly containerPorts?: readonly { readonly name: string; readonly containerPort: number; readonly protocol: "TCP" }[];
    /** Extra engine env (the Dagger Cloud token where the chart's `magicache` cannot carry it). */
    readonly env?: readonly EnvVar[];
    readonly hostPath?: { readonly dataVolume: { readonly enabled: boolean } };
    readonly statefulSet?: {
      readonly persistentVolumeClaim: {
        readonly enabled: boolean;
        readonly storageClassName?: string;
        readonly accessModes: readonly string[];
        readonly resources: { readonly requests: { readonly storage: string } };
      };
      readonly persistentVolumeClaimRetentionPolicy: {
        readonly whenDeleted: "Retain" | "Delete";
        readonly whenScaled: "Retain" | "Delete";
      };
    };
  };
}

/** Default StatefulSet cache size. */
export const DEFAULT_CACHE_SIZE = "100Gi";
/** Name of the Terraform variable holding the Dagger Cloud token (TF_VAR_dagger_cloud_token). */
export const DAGGER_CLOUD_TOKEN_VARIABLE = "dagger_cloud_token";

const id = (version: string) => `v${version.replace(/\./g, "-")}`;

/** Builds the Helm values of one engine. Pure; exported for tests and reuse. */
export function daggerChartValues(
  p: DaggerEnginesProps,
  version: string,
  o: { priorityClassName?: string; magicacheSecret?: string; port?: number },
): DaggerChartValues {
  const image = imageOverride(p.image, version);
  const statefulset = p.mode === "statefulset";
  const pullSecrets = p.imagePullSecrets ?? [];
  // Only engines before 0.18.17 read the cache service (engineReadsCacheService). The env works in
  // every chart, unlike the chart's `magicache` envFrom (broken in StatefulSets up to 0.20.3,
  // dagger/dagger issue 10065).
  const cloudViaEnv = o.magicacheSecret !== undefined && engineReadsCacheService(parseVersion(version));
  const metrics = p.metrics?.versions.includes(version) ? p.metrics : undefined;
  const env: EnvVar[] = [
    ...(cloudViaEnv
      ? [
          { name: MAGICACHE_URL_ENV, value: MAGICACHE_URL },
          { name: MAGICACHE_TOKEN_KEY, valueFrom: { secretKeyRef: { name: o.magicacheSecret!, key: MAGICACHE_TOKEN_KEY } } },
        ]
      : []),
    ...(metrics ? [{ name: ENGINE_METRICS_ADDR_ENV, value: `0.0.0.0:${metrics.port}` }] : []),
  ];
  // The monitoring plan leaves out the versions whose chart would then add a Service of its own
  // beside a tcp engine's (0.21.0+).
  const containerPorts =
    metrics && (metrics.namedPortVersions ?? []).includes(version)
      ? [
          ...(o.port !== undefined ? [{ name: "dagger", containerPort: o.port, protocol: "TCP" as const }] : []),
          { name: METRICS_PORT_NAME, containerPort: metrics.port, protocol: "TCP" as const },
        ]
      : undefined;
  return {
    engine: {
      kind: statefulset ? "StatefulSet" : "DaemonSet",
      ...(image ? { image: { ref: image } } : {}),
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
      resources: p.resources ?? DEFAULT_ENGINE_RESOURCES,
      ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
      ...(p.nodeSelector && Object.keys(p.nodeSelector).length > 0 ? { nodeSelector: p.nodeSelector } : {}),
      ...(p.tolerations && p.tolerations.length > 0 ? { tolerations: p.tolerations } : {}),
      configJson: JSON.stringify(effectiveEngineConfig(p.mode, p.engineConfig), null, 2),
      // The TCP address: `engine.port` (the chart adds `--addr tcp://0.0.0.0:<port>` and keeps the
      // unix socket), or, where the chart would then create a Service of its own (0.21.0+), the
      // same two addresses through `engine.args`.
      ...(o.port === undefined
        ? {}
        : chartCreatesService(parseVersion(version))
          ? { args: ["--addr", `tcp://0.0.0.0:${o.port}`, "--addr", "unix:///run/dagger/engine.sock"] }
          : { port: o.port }),
      ...(containerPorts ? { containerPorts } : {}),
      ...(env.length > 0 ? { env } : {}),
      ...(statefulset
        ? {
            // The PVC is the volumeClaimTemplate `data`; the hostPath data volume is also
            // named `data`, so it must be off.
            hostPath: { dataVolume: { enabled: false } },
            statefulSet: {
              persistentVolumeClaim: {
                enabled: true,
                ...(p.cache?.storageClass ? { storageClassName: p.cache.storageClass } : {}),
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: p.cache?.size ?? DEFAULT_CACHE_SIZE } },
              },
              persistentVolumeClaimRetentionPolicy: {
                whenDeleted: p.cache?.retainOnDelete ? "Retain" : "Delete",
                whenScaled: "Retain",
              },
            },
          }
        : {}),
    },
  };
}

/** One Dagger engine Helm release per version, and everything its clients need to reach it. */
export class DaggerEngines extends Construct {
  /** One connection spec per engine version, in the order of `props.engines`. */
  readonly specs: EngineConnectionSpec[];
  /** The engines namespace (a token: Terraform orders resources placed in it after it). */
  readonly namespaceName: string;
  /** Helm releases by engine version. */
  readonly releases: Readonly<Record<string, HelmRelease>>;
  /** The sensitive token variable, when Dagger Cloud is on without an existing Secret. */
  readonly cloudTokenVariable?: TerraformVariable;

  constructor(scope: Construct, name: string, props: DaggerEnginesProps) {
    super(scope, name);
    const p = props;
    const key = p.configPath ?? "dagger.engine";
    const nsName = p.namespace ?? DEFAULT_ENGINES_NAMESPACE;
    const transport = p.transport ?? defaultTransport(p.mode);
    const port = p.port ?? (transport === "tcp" ? DEFAULT_ENGINE_PORT : undefined);
    const saName = p.clientServiceAccountName ?? DEFAULT_CLIENT_SERVICE_ACCOUNT;

    // --- Validation (config-level checks repeated for direct construct users) ------------
    this.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        const t = transportProblem(p.mode, transport);
        if (t) errors.push(`${key}.transport: "${transport}" ${t}`);
        if (p.mode === "daemonset" && p.cache !== undefined) {
          errors.push(`${key}.cache: ${JSON.stringify(p.cache)} conflicts with ${key}.mode "daemonset" (cache settings need mode statefulset)`);
        }
        if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
          errors.push(`${key}.port: ${port} is out of range (expected 1-65535)`);
        }
        if (p.engineConfig !== undefined) {
          const bad = validateEngineConfig(effectiveEngineConfig(p.mode, p.engineConfig), p.engines.map((e) => e.version));
          if (bad) errors.push(`${key}.config${bad.path.map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`)).join("")}: ${bad.message}`);
        }
        if (!Token.isUnresolved(p.clientNamespace) && p.clientNamespace === nsName) {
          errors.push(`${key}.namespace: "${nsName}" conflicts with the client (runners) namespace (the engines namespace is privileged; keep runners apart)`);
        }
        for (const e of p.engines) {
          try {
            checkEngineObjectNames(e, transport, "name");
          } catch (err) {
            if (err instanceof PlanError) errors.push(err.message);
            else throw err;
          }
        }
        return errors;
      },
    });
    if (p.warnings ?? true) {
      const cloud = p.cloud?.enabled ?? false;
      for (const w of engineWarnings({ mode: p.mode, transport, port: p.port, cache: p.cache, vpa: p.vpa, configPath: key, cloud, versions: p.engines.map((e) => e.version) })) {
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
        metadata: { name: pc.name ?? `${p.namePrefix}-dagger-engine` },
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

    // --- Dagger Cloud ------------------------------------------------------------------------
    let magicacheSecret: string | undefined;
    let cloudTokenSecret: { name: string; key: string } | undefined;
    // Engines before 0.18.17 read the cache-service token; later ones have nothing to read.
    const engineNeedsToken = p.engines.some((e) => engineReadsCacheService(parseVersion(e.version)));
    if (p.cloud?.enabled) {
      if (p.cloud.existingSecretName) {
        magicacheSecret = p.cloud.existingSecretName;
        cloudTokenSecret = { name: p.cloud.existingSecretName, key: CLIENT_CLOUD_TOKEN_KEY };
      } else {
        const token = new TerraformVariable(this, "dagger-cloud-token", {
          type: "string",
          sensitive: true,
          nullable: false,
          description: "Dagger Cloud token (runners' traces; Magicache for engines before 0.18.17); set TF_VAR_dagger_cloud_token. Never put it in the config.",
        });
        token.overrideLogicalId(DAGGER_CLOUD_TOKEN_VARIABLE);
        this.cloudTokenVariable = token;
        if (engineNeedsToken) {
          const engineSecret = new SecretV1(this, "cloud-token-engines", {
            metadata: { name: `${p.namePrefix}-dagger-cloud`, namespace },
            type: "Opaque",
            data: { [MAGICACHE_TOKEN_KEY]: token.stringValue },
          });
          magicacheSecret = engineSecret.metadata.name;
        }
        const clientSecret = new SecretV1(this, "cloud-token-clients", {
          metadata: { name: p.clientCloudSecretName ?? DEFAULT_CLIENT_CLOUD_SECRET, namespace: p.clientNamespace },
          type: "Opaque",
          data: { [CLIENT_CLOUD_TOKEN_KEY]: token.stringValue },
        });
        cloudTokenSecret = { name: clientSecret.metadata.name, key: CLIENT_CLOUD_TOKEN_KEY };
      }
    }

    // --- Engines -----------------------------------------------------------------------------
    const releases: Record<string, HelmRelease> = {};
    this.specs = p.engines.map((e) => {
      const values = daggerChartValues(p, e.version, { priorityClassName, magicacheSecret, port });
      releases[e.version] = new HelmRelease(this, `release-${id(e.version)}`, {
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
        image: imageOverride(p.image, e.version),
        serviceAccountName: saName,
        cloudTokenSecret,
        imagePullSecrets: p.imagePullSecrets,
        nodeSelector: p.nodeSelector,
        tolerations: p.tolerations,
      });

      if (transport === "tcp" && port !== undefined) {
        // Our own Service (the chart's, where it has one, differs by version) and a
        // NetworkPolicy admitting only labelled client pods from the client namespace.
        new ServiceV1(this, `service-${id(e.version)}`, {
          metadata: { name: engineServiceName(e.releaseName), namespace, labels: { "app.kubernetes.io/part-of": "dagger-engines" } },
          spec: {
            type: "ClusterIP",
            selector: { name: e.workloadName },
            port: [{ name: "dagger", port, targetPort: String(port), protocol: "TCP" }],
            // DaemonSet: reach the engine on the client's own node (its cache), like unix.
            internalTrafficPolicy: p.mode === "daemonset" ? "Local" : "Cluster",
          },
        });
        new NetworkPolicyV1(this, `network-policy-${id(e.version)}`, {
          metadata: { name: `${engineServiceName(e.releaseName)}-clients`, namespace },
          spec: {
            podSelector: { matchLabels: { name: e.workloadName } },
            policyTypes: ["Ingress"],
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.clientNamespace } },
                    podSelector: { matchLabels: { ...(spec.clientPodLabels ?? {}) } },
                  },
                ],
                ports: [{ port: String(port), protocol: "TCP" }],
              },
              // The metrics endpoint, from any pod: the scraper's namespace and labels differ by
              // collector, and the endpoint serves counts and sizes only (cmd/engine/metrics.go).
              ...(p.metrics?.versions.includes(e.version) ? [{ ports: [{ port: String(p.metrics.port), protocol: "TCP" }] }] : []),
            ],
          },
        });
      }

      if (p.vpa?.enabled) {
        const policy: Record<string, unknown> = {
          containerName: ENGINE_CONTAINER_NAME,
          controlledResources: ["cpu", "memory"],
          ...(p.vpa.minAllowed ? { minAllowed: p.vpa.minAllowed } : {}),
          ...(p.vpa.maxAllowed ? { maxAllowed: p.vpa.maxAllowed } : {}),
        };
        new Manifest(this, `vpa-${id(e.version)}`, {
          manifest: {
            apiVersion: "autoscaling.k8s.io/v1",
            kind: "VerticalPodAutoscaler",
            metadata: { name: e.workloadName, namespace },
            spec: {
              targetRef: {
                apiVersion: "apps/v1",
                kind: p.mode === "daemonset" ? "DaemonSet" : "StatefulSet",
                name: e.workloadName,
              },
              updatePolicy: { updateMode: p.vpa.updateMode ?? DEFAULT_VPA_UPDATE_MODE },
              resourcePolicy: { containerPolicies: [policy] },
            },
          },
        });
      }
      return spec;
    });
    this.releases = releases;

    // --- kube-pod RBAC -----------------------------------------------------------------------
    if (transport === "kube-pod") {
      const pods = p.engines.map((e) => e.podName).filter((n): n is string => !!n);
      const role = new RoleV1(this, "client-role", {
        metadata: { name: `${p.namePrefix}-engine-client`, namespace },
        rule: [
          // `kubectl exec` reads the pod, then opens pods/exec; only the engine pods, by name.
          // SPDY exec is a POST (`create`); kubectl 1.30+ first tries a WebSocket upgrade, a GET
          // that RBAC checks as `get` (kubernetes/kubernetes issue 133515, kubectl issue 1761),
          // and Kubernetes 1.35 also checks `create` on it (KEP-4006). Both verbs, so exec works
          // whatever the kubectl/cluster pair; `get` on pods/exec grants nothing beyond `create`.
          { apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: pods },
          { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"], resourceNames: pods },
        ],
      });
      new RoleBindingV1(this, "client-role-binding", {
        metadata: { name: `${p.namePrefix}-engine-client`, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subject: [{ kind: "ServiceAccount", name: saName, namespace: p.clientNamespace }],
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

/** {@link DaggerEnginesProps} from a validated config and its plan. */
export function daggerEnginesPropsFromConfig(
  config: RunnersConfig,
  plan: DeploymentPlan,
  clientNamespace: string,
): DaggerEnginesProps {
  const e = config.dagger.engine;
  const layer = plan.engine; // every default resolved once, by the plan
  return {
    engines: plan.engines,
    mode: layer.mode,
    clientNamespace,
    clientServiceAccountName: config.runners.serviceAccountName,
    namePrefix: config.name,
    namespace: layer.namespace,
    transport: layer.transport,
    port: layer.port,
    cache: layer.cache,
    resources: e.resources,
    priorityClass: e.priorityClass,
    nodeSelector: layer.placement.nodeSelector,
    tolerations: layer.placement.tolerations,
    // From the plan: pinned or mirrored engine images (none by default: the chart's own), and
    // dagger.engine.imagePullSecrets plus mirrors.images.pullSecrets.
    image: Object.keys(plan.artifacts.engineImageOverrides).length > 0 ? plan.artifacts.engineImageOverrides : undefined,
    imagePullSecrets: plan.artifacts.enginePullSecrets,
    chartRepository: plan.artifacts.chartRepositories.dagger,
    engineConfig: e.config,
    vpa: e.vpa,
    cloud: e.cloud,
    metrics: plan.monitoring.engineMetrics,
    warnings: false,
  };
}

/** Builds the engine layer from config (its warnings are in `plan.warnings`). */
export function daggerEnginesFromConfig(
  scope: Construct,
  name: string,
  config: RunnersConfig,
  plan: DeploymentPlan,
  clientNamespace: string,
): DaggerEngines {
  return new DaggerEngines(scope, name, daggerEnginesPropsFromConfig(config, plan, clientNamespace));
}
