/**
 * Engine layer, synthesized: Helm values per mode and transport, RBAC, Service and
 * NetworkPolicy, VPA objects, Dagger Cloud secrets (and that the token never reaches
 * cdktf.out), config validation errors and warnings.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, Token } from "cdktf";
import { parseConfig } from "../lib/config/load";
import { buildStacks, synthDeployment } from "../lib/app";
import type { EngineConnectionSpec } from "../lib/engine-spec";
import { daggerChartValues } from "../lib/planning/engine-values";
import { configError, helmValues, resources, synthConfig } from "./util";

const STACK = "dagger-runners-runners";
const strip = (r: any) => {
  const { ["//"]: _, ...rest } = r;
  return rest;
};
const all = (stack: any, type: string) => Object.values(resources(stack, type)).map(strip);
/** The engine releases (the stack also holds ARC's). */
const engineReleases = (stack: any) => all(stack, "helm_release").filter((r: any) => r.chart === "dagger-helm");
/** The runners namespace: a literal, or the runner layer's namespace resource when it creates it. */
const RUNNERS_NS = /^arc-runners$|^\$\{kubernetes_namespace_v1\.runner-namespaces_runners_[0-9A-F]+\.metadata\[0\]\.name\}$/;

/** Builds the stacks (no synth) to read the engine specs and annotations. */
function build(raw: unknown) {
  const { config, plan } = parseConfig(raw);
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "dr-eng-")) });
  const { runners } = buildStacks(app, config, plan);
  const warnings = runners.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));
  return { specs: runners.engines.specs as EngineConnectionSpec[], engines: runners.engines, warnings };
}

describe("daemonset + unix (defaults)", () => {
  let stack: any;
  let release: any;
  let values: any;
  beforeAll(() => {
    stack = synthConfig({}).stacks[STACK];
    [release] = engineReleases(stack);
    values = helmValues(release);
  });

  it("installs the chart version = engine version from the OCI registry into the engines namespace", () => {
    expect(engineReleases(stack)).toHaveLength(1);
    expect(release).toMatchObject({
      name: "dagger-runners-v0-20-3",
      repository: "oci://registry.dagger.io",
      chart: "dagger-helm",
      version: "0.20.3",
    });
    expect(release.namespace).toMatch(/^\$\{kubernetes_namespace_v1\..*\.metadata\[0\]\.name\}$/);
  });

  it("creates a privileged engines namespace", () => {
    const [ns] = all(stack, "kubernetes_namespace_v1").filter((n: any) => n.metadata.name === "dagger-engines");
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/audit": "privileged",
      "pod-security.kubernetes.io/warn": "privileged",
    });
  });

  it("sets DaemonSet values: resources, priority class, GC config; no PVC, no port, no Cloud", () => {
    expect(values.engine.kind).toBe("DaemonSet");
    expect(values.engine.resources).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "8Gi" } });
    expect(values.engine.priorityClassName).toMatch(/^\$\{kubernetes_priority_class_v1\./);
    expect(JSON.parse(values.engine.configJson)).toEqual({
      gc: { maxUsedSpace: "50%", minFreeSpace: "25%", reservedSpace: "5GB" },
      security: { insecureRootCapabilities: false },
    });
    expect(values.engine.statefulSet).toBeUndefined();
    expect(values.engine.hostPath).toBeUndefined(); // chart default: hostPath data + run volumes
    expect(values.engine.port).toBeUndefined();
    expect(values.engine.image).toBeUndefined(); // chart default registry.dagger.io/engine:v<chart version>
    // Only the metrics address (monitoring.engineMetrics, on by default; test/monitoring.test.ts).
    expect(values.engine.env).toEqual([{ name: "_EXPERIMENTAL_DAGGER_METRICS_ADDR", value: "0.0.0.0:9090" }]);
    expect(values.magicache).toBeUndefined();
  });

  it("creates a PriorityClass above runners", () => {
    const [pc] = all(stack, "kubernetes_priority_class_v1");
    // Never: an engine waits for room, it never evicts a running runner (docs/capacity.md).
    expect(pc).toMatchObject({ metadata: { name: "dagger-runners-dagger-engine" }, value: 1000000, global_default: false, preemption_policy: "Never" });
  });

  it("creates no RBAC, Service, NetworkPolicy, VPA or Cloud objects", () => {
    for (const t of ["kubernetes_role_v1", "kubernetes_service_v1", "kubernetes_network_policy_v1", "kubernetes_manifest"]) {
      // The engines' PodMonitoring (test/monitoring.test.ts) and alert Rules (test/alerts.test.ts) are monitoring objects, not one of these.
      expect(all(stack, t).filter((r: any) => JSON.stringify(r).includes("engine") && !["PodMonitoring", "Rules"].includes(r.manifest?.kind))).toEqual([]);
    }
    expect(stack.variable?.dagger_cloud_token).toBeUndefined();
  });

  it("hands the runner layer a unix spec with the chart's socket dir", () => {
    const { specs, engines } = build({});
    expect(specs).toHaveLength(1);
    expect(engines.spec("0.20.3")).toBe(specs[0]);
    expect(engines.spec("v0.20.3")).toBe(specs[0]);
    expect(() => engines.spec("0.19.0")).toThrow("no Dagger engine 0.19.0 (engines: 0.20.3)");
    expect(specs[0]).toMatchObject({
      transport: "unix",
      runnerHost: "unix:///run/dagger/engine.sock",
      hostSocketDir: "/run/dagger-dagger-runners-v0-20-3-dagger-helm",
      socketMountPath: "/run/dagger",
      image: "registry.dagger.io/engine:v0.20.3",
      cliPath: "/usr/local/bin/dagger",
      waitForEngine: true,
    });
  });
});

describe("statefulset + kube-pod, two versions", () => {
  let stack: any;
  let specs: EngineConnectionSpec[];
  beforeAll(() => {
    const raw = {
      dagger: {
        versions: ["0.20.3", "0.19.11"],
        engine: { mode: "statefulset", cache: { size: "200Gi", storageClass: "premium-rwo", retainOnDelete: true } },
      },
    };
    stack = synthConfig(raw).stacks[STACK];
    specs = build(raw).specs;
  });

  it("one release per version with PVC cache values", () => {
    const releases = engineReleases(stack);
    expect(releases.map((r: any) => [r.name, r.version]).sort()).toEqual([
      ["dagger-runners-v0-19-11", "0.19.11"],
      ["dagger-runners-v0-20-3", "0.20.3"],
    ]);
    for (const r of releases) {
      const v = helmValues(r);
      expect(v.engine.kind).toBe("StatefulSet");
      expect(v.engine.hostPath).toEqual({ dataVolume: { enabled: false } });
      expect(v.engine.statefulSet).toEqual({
        persistentVolumeClaim: {
          enabled: true,
          storageClassName: "premium-rwo",
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "200Gi" } },
        },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      });
      expect(JSON.parse(v.engine.configJson).gc.maxUsedSpace).toBe("80%");
    }
  });

  it("Role allows get pods and create (SPDY) / get (WebSocket) pods/exec only on the engine pods by name", () => {
    const [role] = all(stack, "kubernetes_role_v1").filter((r: any) => r.metadata.name === "dagger-runners-engine-client");
    const pods = ["dagger-runners-v0-19-11-dagger-helm-engine-0", "dagger-runners-v0-20-3-dagger-helm-engine-0"];
    expect(role.metadata.namespace).toMatch(/kubernetes_namespace_v1/);
    expect(role.rule).toEqual([
      { api_groups: [""], resources: ["pods"], verbs: ["get"], resource_names: pods },
      { api_groups: [""], resources: ["pods/exec"], verbs: ["create", "get"], resource_names: pods },
    ]);
  });

  it("RoleBinding binds the runners' ServiceAccount in the runners namespace", () => {
    const [rb] = all(stack, "kubernetes_role_binding_v1").filter((r: any) => r.metadata.name === "dagger-runners-engine-client");
    expect(rb.role_ref).toEqual({ api_group: "rbac.authorization.k8s.io", kind: "Role", name: expect.stringMatching(/kubernetes_role_v1/) });
    expect(rb.subject).toEqual([{ kind: "ServiceAccount", name: "dagger-runner", namespace: expect.stringMatching(RUNNERS_NS) }]);
  });

  it("specs give kube-pod hosts with the chart's pod names", () => {
    expect(specs.map((s) => s.runnerHost)).toEqual([
      "kube-pod://dagger-runners-v0-19-11-dagger-helm-engine-0?namespace=dagger-engines",
      "kube-pod://dagger-runners-v0-20-3-dagger-helm-engine-0?namespace=dagger-engines",
    ]);
    expect(specs.every((s) => s.serviceAccountName === "dagger-runner" && !s.waitForEngine)).toBe(true);
  });
});

describe("tcp transport", () => {
  let sts: any;
  let ds: any;
  let dsSpecs: EngineConnectionSpec[];
  beforeAll(() => {
    sts = synthConfig({
      dagger: { engine: { mode: "statefulset", transport: "tcp", port: 4000, priorityClass: { name: "eng-high", value: 5000 } } },
    }).stacks[STACK];
    const dsRaw = { dagger: { engine: { transport: "tcp" } } };
    ds = synthConfig(dsRaw).stacks[STACK];
    dsSpecs = build(dsRaw).specs;
  });

  it("the engine listens on the port and our own Service selects the engine pods", () => {
    expect(helmValues(engineReleases(sts)[0]).engine.port).toBe(4000);
    const [svc] = all(sts, "kubernetes_service_v1").filter((s: any) => s.metadata.name === "dagger-runners-v0-20-3-tcp");
    expect(svc.spec).toEqual({
      type: "ClusterIP",
      selector: { name: "dagger-runners-v0-20-3-dagger-helm-engine" },
      port: [{ name: "dagger", port: 4000, target_port: "4000", protocol: "TCP" }],
      internal_traffic_policy: "Cluster",
    });
    const [dsSvc] = all(ds, "kubernetes_service_v1").filter((s: any) => s.metadata.name === "dagger-runners-v0-20-3-tcp");
    expect(dsSvc.spec.internal_traffic_policy).toBe("Local");
    expect(dsSvc.spec.port[0].port).toBe(1234);
  });

  it("the NetworkPolicy admits only labelled runner pods from the runners namespace, on the port", () => {
    const [np] = all(sts, "kubernetes_network_policy_v1");
    expect(np.spec).toEqual({
      pod_selector: { match_labels: { name: "dagger-runners-v0-20-3-dagger-helm-engine" } },
      policy_types: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespace_selector: { match_labels: { "kubernetes.io/metadata.name": expect.stringMatching(RUNNERS_NS) } },
              pod_selector: { match_labels: { "dagger-runners/engine": "dagger-runners-v0-20-3" } },
            },
          ],
          ports: [{ port: "4000", protocol: "TCP" }],
        },
        // The metrics port, from any pod (monitoring.engineMetrics; test/monitoring.test.ts).
        { ports: [{ port: "9090", protocol: "TCP" }] },
      ],
    });
  });

  it("statefulset without cache settings: 100Gi PVC on the default StorageClass, deleted with its version", () => {
    const v = helmValues(engineReleases(sts)[0]);
    expect(v.engine.hostPath).toEqual({ dataVolume: { enabled: false } });
    expect(v.engine.statefulSet).toEqual({
      persistentVolumeClaim: { enabled: true, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
    });
  });

  it("priorityClass.name and .value shape the created class, and the engines use it", () => {
    expect(all(sts, "kubernetes_priority_class_v1")).toEqual([
      expect.objectContaining({ metadata: { name: "eng-high" }, value: 5000, global_default: false }),
    ]);
    expect(helmValues(engineReleases(sts)[0]).engine.priorityClassName).toMatch(/^\$\{kubernetes_priority_class_v1\./);
  });

  it("no kube-pod RBAC for tcp", () => {
    expect(all(sts, "kubernetes_role_v1").filter((r: any) => r.metadata.name === "dagger-runners-engine-client")).toEqual([]);
  });

  it("spec gives the Service DNS name and the labels the policy admits", () => {
    expect(dsSpecs[0]).toMatchObject({
      transport: "tcp",
      runnerHost: "tcp://dagger-runners-v0-20-3-tcp.dagger-engines.svc.cluster.local:1234",
      clientPodLabels: { "dagger-runners/engine": "dagger-runners-v0-20-3" },
      waitForEngine: true,
    });
  });
});

describe("VPA", () => {
  it.each([
    ["daemonset", "DaemonSet"],
    ["statefulset", "StatefulSet"],
  ])("%s: one VerticalPodAutoscaler per engine targeting the exact workload", (mode, kind) => {
    const stack = synthConfig({
      dagger: {
        versions: ["0.20.3", "0.19.11"],
        engine: { mode, vpa: { enabled: true, updateMode: "Initial", minAllowed: { cpu: "500m", memory: "1Gi" }, maxAllowed: { memory: "16Gi" } } },
      },
    }).stacks[STACK];
    const vpas = all(stack, "kubernetes_manifest").map((m: any) => m.manifest).filter((m: any) => m.kind === "VerticalPodAutoscaler");
    expect(vpas).toHaveLength(2);
    const v = vpas.find((m: any) => m.metadata.name === "dagger-runners-v0-20-3-dagger-helm-engine");
    expect(v).toEqual({
      apiVersion: "autoscaling.k8s.io/v1",
      kind: "VerticalPodAutoscaler",
      metadata: { name: "dagger-runners-v0-20-3-dagger-helm-engine", namespace: expect.stringMatching(/kubernetes_namespace_v1/) },
      spec: {
        targetRef: { apiVersion: "apps/v1", kind, name: "dagger-runners-v0-20-3-dagger-helm-engine" },
        updatePolicy: { updateMode: "Initial" },
        resourcePolicy: {
          containerPolicies: [
            {
              containerName: "dagger-engine",
              controlledResources: ["cpu", "memory"],
              minAllowed: { cpu: "500m", memory: "1Gi" },
              maxAllowed: { memory: "16Gi" },
            },
          ],
        },
      },
    });
  });
});

/** Synthesizes `raw` with TF_VAR_dagger_cloud_token set; returns the runners stack and every file of cdktf.out. */
function synthWithToken(raw: unknown, token: string): { stack: any; outText: string } {
  const prev = process.env.TF_VAR_dagger_cloud_token;
  process.env.TF_VAR_dagger_cloud_token = token;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "dr-cloud-"));
  try {
    const { config, plan } = parseConfig(raw);
    synthDeployment(config, plan, outdir);
    const stack = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", STACK, "cdk.tf.json"), "utf8"));
    const texts: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else texts.push(fs.readFileSync(p, "utf8"));
      }
    };
    walk(outdir);
    return { stack, outText: texts.join("\n") };
  } finally {
    if (prev === undefined) delete process.env.TF_VAR_dagger_cloud_token;
    else process.env.TF_VAR_dagger_cloud_token = prev;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe("Dagger Cloud", () => {
  const SENTINEL = "dct-SENTINEL-3f9a1c7e-never-in-output";
  const SECRET_REF = /^\$\{kubernetes_secret_v1\.[^}]+\.metadata\[0\]\.name\}$/;
  const CACHE_ENV = (secret: unknown) => [
    { name: "_EXPERIMENTAL_DAGGER_CACHESERVICE_URL", value: "https://api.dagger.cloud/magicache" },
    { name: "_EXPERIMENTAL_DAGGER_CACHESERVICE_TOKEN", valueFrom: { secretKeyRef: { name: secret, key: "_EXPERIMENTAL_DAGGER_CACHESERVICE_TOKEN" } } },
  ];
  // Engines from 0.18.11 serve metrics (on by default, lib/planning/monitoring.ts).
  const METRICS_ENV = { name: "_EXPERIMENTAL_DAGGER_METRICS_ADDR", value: "0.0.0.0:9090" };
  // 0.18.16 is the last engine that reads the cache service (dagger PR #10886 removed it in 0.18.17).
  const MIXED = { dagger: { versions: ["0.18.16", "0.20.3"], engine: { cloud: { enabled: true } } } };
  let stack: any;
  let outText: string;
  let sts: { stack: any; outText: string };
  let recent: { stack: any; outText: string };
  let specs: EngineConnectionSpec[];
  const release = (st: any, version: string) => engineReleases(st).find((r: any) => r.version === version);
  beforeAll(() => {
    ({ stack, outText } = synthWithToken(MIXED, SENTINEL));
    specs = build(MIXED).specs;
    sts = synthWithToken({ dagger: { ...MIXED.dagger, engine: { mode: "statefulset", cloud: { enabled: true } } } }, SENTINEL);
    recent = synthWithToken({ dagger: { engine: { cloud: { enabled: true } } } }, SENTINEL);
  });

  it("the token passed as TF_VAR_dagger_cloud_token appears nowhere in cdktf.out (both modes)", () => {
    for (const text of [outText, sts.outText, recent.outText]) {
      expect(text.length).toBeGreaterThan(1000);
      expect(text).toContain("${var.dagger_cloud_token}"); // the variable is used...
      expect(text).not.toContain(SENTINEL); // ...but its value is never written
    }
  });

  it("declares a sensitive variable without a default", () => {
    expect(stack.variable.dagger_cloud_token).toEqual({
      type: "string",
      sensitive: true,
      nullable: false,
      description: expect.stringContaining("TF_VAR_dagger_cloud_token"),
    });
  });

  it("Secrets: the cache-service key in the engines namespace (an engine before 0.18.17 reads it), DAGGER_CLOUD_TOKEN in the runners namespace", () => {
    const secrets = all(stack, "kubernetes_secret_v1");
    const engine = secrets.find((s: any) => s.metadata.name === "dagger-runners-dagger-cloud");
    const client = secrets.find((s: any) => s.metadata.name === "dagger-cloud-token");
    expect(engine.data).toEqual({ _EXPERIMENTAL_DAGGER_CACHESERVICE_TOKEN: "${var.dagger_cloud_token}" });
    expect(engine.metadata.namespace).toMatch(/kubernetes_namespace_v1/);
    expect(client.data).toEqual({ DAGGER_CLOUD_TOKEN: "${var.dagger_cloud_token}" });
    expect(client.metadata.namespace).toMatch(RUNNERS_NS);
  });

  it("only engines before 0.18.17 get the cache-service variables, through engine.env, in both modes; never a token value", () => {
    for (const st of [stack, sts.stack]) {
      const old = helmValues(release(st, "0.18.16"));
      expect(old.engine.env).toEqual([...CACHE_ENV(expect.stringMatching(SECRET_REF)), METRICS_ENV]);
      expect(old.magicache).toBeUndefined();
      const current = helmValues(release(st, "0.20.3"));
      expect(current.engine.env).toEqual([METRICS_ENV]);
      expect(current.magicache).toBeUndefined();
      for (const v of [old, current]) expect(JSON.stringify(v)).not.toMatch(/token"\s*:/i);
    }
  });

  it("engines from 0.18.17 only: no engines-namespace Secret, the runners' token stays, and a warning says so", () => {
    const names = all(recent.stack, "kubernetes_secret_v1").map((s: any) => s.metadata.name);
    expect(names).toContain("dagger-cloud-token");
    expect(names).not.toContain("dagger-runners-dagger-cloud");
    expect(helmValues(engineReleases(recent.stack)[0]).engine.env).toEqual([METRICS_ENV]);
    expect(parseConfig({ dagger: { engine: { cloud: { enabled: true } } } }).plan.warnings).toContain(
      "dagger.engine.cloud.enabled: engine-side Dagger Cloud caching (Magicache) does not exist in engine 0.20.3 (the engine stopped reading it in 0.18.17, dagger PR #10886): only the runners' DAGGER_CLOUD_TOKEN is set, for traces in Dagger Cloud",
    );
    expect(parseConfig({ dagger: { versions: ["0.18.16"], engine: { cloud: { enabled: true } } } }).plan.warnings.join()).not.toContain("Magicache");
  });

  it("the spec names the client Secret", () => {
    // A reference to the client Secret's name (a token), so runners are ordered after it.
    expect(Token.isUnresolved(specs[0].cloudTokenSecret!.name)).toBe(true);
    expect(specs[0].cloudTokenSecret!.key).toBe("DAGGER_CLOUD_TOKEN");
  });

  it("existingSecretName: no variable and no Secrets; the old engine and the spec use the existing one", () => {
    const raw = { dagger: { ...MIXED.dagger, engine: { cloud: { enabled: true, existingSecretName: "my-cloud" } } } };
    const s = synthConfig(raw).stacks[STACK];
    expect(s.variable?.dagger_cloud_token).toBeUndefined();
    expect(all(s, "kubernetes_secret_v1").filter((x: any) => /cloud/.test(x.metadata.name))).toEqual([]);
    expect(helmValues(release(s, "0.18.16")).engine.env).toEqual([...CACHE_ENV("my-cloud"), METRICS_ENV]);
    expect(helmValues(release(s, "0.20.3")).engine.env).toEqual([METRICS_ENV]);
    expect(build(raw).specs[0].cloudTokenSecret).toEqual({ name: "my-cloud", key: "DAGGER_CLOUD_TOKEN" });
  });

  const base = { engines: [], clientNamespace: "arc-runners", namePrefix: "ci" } as const;
  it.each([
    ["daemonset", "0.17.0", true],
    ["daemonset", "0.18.16", true],
    ["daemonset", "0.18.17", false],
    ["daemonset", "0.20.3", false],
    ["statefulset", "0.18.16", true],
    ["statefulset", "0.20.3", false],
  ] as const)("%s %s: cache-service env %s", (mode, version, env) => {
    const v = daggerChartValues({ ...base, mode }, version, { magicacheSecret: "cloud" });
    expect(v.engine.env).toEqual(env ? CACHE_ENV("cloud") : undefined);
    expect(daggerChartValues({ ...base, mode }, version, {}).engine.env).toBeUndefined();
  });
});

describe("the engine's TCP address", () => {
  const base = { engines: [], clientNamespace: "arc-runners", namePrefix: "ci", mode: "daemonset" } as const;
  it.each([
    ["0.20.4", { port: 1234 }],
    // From chart 0.21.0 `engine.port` also creates the chart's own Service: the address goes through args.
    ["0.21.0", { args: ["--addr", "tcp://0.0.0.0:1234", "--addr", "unix:///run/dagger/engine.sock"] }],
    ["1.0.0-beta.10", { args: ["--addr", "tcp://0.0.0.0:1234", "--addr", "unix:///run/dagger/engine.sock"] }],
  ])("chart %s: %j", (version, want) => {
    const v = daggerChartValues(base, version, { port: 1234 }).engine as unknown as Record<string, unknown>;
    expect({ port: v.port, args: v.args }).toEqual({ port: undefined, args: undefined, ...want });
  });
});

describe("overrides: image, pull secrets, placement, engine.json, priority class", () => {
  let stack: any;
  let specs: EngineConnectionSpec[];
  beforeAll(() => {
    const raw = {
      dagger: {
        versions: ["0.20.3", "0.19.11"],
        engine: {
          image: "mirror.example.com/dagger/engine:v{version}",
          imagePullSecrets: ["mirror-pull"],
          nodeSelector: { "cloud.google.com/gke-nodepool": "engines" },
          tolerations: [{ key: "dagger-engine", operator: "Exists", effect: "NoSchedule" }],
          config: { logLevel: "debug", registries: { "docker.io": { mirrors: ["mirror.gcr.io"], http: false, insecure: false, ca: [] } } },
          priorityClass: { create: false, name: "system-cluster-critical" },
          resources: { requests: { cpu: "2", memory: "4Gi" } },
        },
      },
    };
    stack = synthConfig(raw).stacks[STACK];
    specs = build(raw).specs;
  });

  it("values carry the overrides", () => {
    const v = helmValues(engineReleases(stack).find((r: any) => r.version === "0.19.11"));
    expect(v.engine.image).toEqual({ ref: "mirror.example.com/dagger/engine:v0.19.11" });
    expect(v.engine.imagePullSecrets).toEqual([{ name: "mirror-pull" }]);
    expect(v.engine.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "engines" });
    expect(v.engine.tolerations).toEqual([{ key: "dagger-engine", operator: "Exists", effect: "NoSchedule" }]);
    expect(v.engine.priorityClassName).toBe("system-cluster-critical");
    expect(v.engine.resources).toEqual({ requests: { cpu: "2", memory: "4Gi" } });
    const cfg = JSON.parse(v.engine.configJson);
    expect(cfg.logLevel).toBe("debug");
    expect(cfg.registries["docker.io"].mirrors).toEqual(["mirror.gcr.io"]);
    expect(cfg.gc.minFreeSpace).toBe("25%"); // default gc kept
    expect(all(stack, "kubernetes_priority_class_v1")).toEqual([]);
  });

  it("specs name the image, pull secrets and the engine placement for node-local clients", () => {
    const s = specs.find((x) => x.version === "0.19.11")!;
    expect(s.image).toBe("mirror.example.com/dagger/engine:v0.19.11");
    expect(s.imagePullSecrets).toEqual(["mirror-pull"]);
    expect(s.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "engines" });
    expect(s.tolerations).toEqual([{ key: "dagger-engine", operator: "Exists", effect: "NoSchedule" }]);
  });
});

describe("validation errors", () => {
  it.each([
    [
      "unix with statefulset",
      { dagger: { engine: { mode: "statefulset", transport: "unix" } } },
      'dagger.engine.transport: "unix" is not valid with dagger.engine.mode "statefulset" (the engine pod runs on one node, so other nodes have no engine socket; use kube-pod or tcp)',
    ],
    [
      "kube-pod with daemonset",
      { dagger: { engine: { transport: "kube-pod" } } },
      'dagger.engine.transport: "kube-pod" is not valid with dagger.engine.mode "daemonset" (DaemonSet pod names are random, so a runner cannot name its node\'s engine; use unix or tcp)',
    ],
    [
      "an unknown transport",
      { dagger: { engine: { transport: "ssh" } } },
      'dagger.engine.transport: "ssh" is not allowed (expected one of: unix, kube-pod, tcp)',
    ],
    [
      "cache settings in daemonset mode",
      { dagger: { engine: { cache: { size: "100Gi" } } } },
      'dagger.engine.cache: {"size":"100Gi"} conflicts with dagger.engine.mode "daemonset" (a DaemonSet caches on the node\'s disk; cache.size, storageClass and retainOnDelete need mode statefulset)',
    ],
    [
      "an engine config violating the schema",
      { dagger: { engine: { config: { gc: { maxUsedSpace: "most" } } } } },
      'dagger.engine.config.gc.maxUsedSpace: "most" is not a disk space (expected a size such as "10GB", a percentage such as "75%", or bytes)',
    ],
    [
      "an unknown engine config key",
      { dagger: { engine: { config: { logLevle: "debug" } } } },
      'dagger.engine.config.logLevle: "debug" is not an engine.json key here for engine 0.20.3 (its schema, published at v0.19.0, allows: logLevel, gc, security, registries); the engine would refuse to start',
    ],
    ["a port above range", { dagger: { engine: { transport: "tcp", port: 70000 } } }, "dagger.engine.port: 70000 is too large (expected <= 65535)"],
    ["a port below range", { dagger: { engine: { transport: "tcp", port: 0 } } }, "dagger.engine.port: 0 is too small (expected >= 1)"],
    [
      "an engines namespace over 63 characters",
      { dagger: { engine: { namespace: "n".repeat(64) } } },
      `dagger.engine.namespace: "${"n".repeat(64)}" is longer than 63 characters`,
    ],
    [
      "a StatefulSet name over 52 characters",
      { name: "a".repeat(30), dagger: { engine: { mode: "statefulset" } } },
      `name: "${"a".repeat(30)}" makes engine statefulset name "${"a".repeat(30)}-v0-20-3-dagger-helm-engine" 57 characters long (at most 52); use a shorter name`,
    ],
    [
      "a version older than the chart features we use",
      { dagger: { versions: ["0.16.3"] } },
      'dagger.versions[0]: "0.16.3" is older than 0.17.0, the first Dagger chart with engine.json, port and PVC support',
    ],
    [
      "one image for several versions",
      { dagger: { versions: ["0.20.3", "0.19.11"], engine: { image: "my/engine:v0.20.3" } } },
      'dagger.engine.image: "my/engine:v0.20.3" is one image for 2 engine versions (put {version} in it, or map each version to its image)',
    ],
    [
      "an unpinned image",
      { dagger: { engine: { image: "my/engine:latest" } } },
      'dagger.engine.image: "my/engine:latest" is not a pinned image (expected repository:tag or repository@sha256:digest, not :latest; {version} is replaced by each engine version)',
    ],
    [
      "existingSecretName without cloud.enabled",
      { dagger: { engine: { cloud: { existingSecretName: "x" } } } },
      'dagger.engine.cloud.existingSecretName: "x" needs dagger.engine.cloud.enabled: true',
    ],
  ])("%s", (_what, raw, message) => {
    expect(configError(raw)).toBe(message);
  });

  it("a name that makes the tcp Service name invalid fails at synth", () => {
    expect(() => synthConfig({ name: "1ci", target: "existing-cluster", dagger: { engine: { transport: "tcp" } } })).toThrow(
      /name: "1ci" makes engine Service name "1ci-v0-20-3-tcp" invalid \(a Service name starts with a letter/,
    );
  });
});

describe("warnings", () => {
  it("warns about risky choices on the construct", () => {
    const { warnings } = build({
      target: "existing-cluster",
      dagger: {
        engine: {
          mode: "statefulset",
          port: 1234,
          cache: { storageClass: "standard" },
          vpa: { enabled: true, updateMode: "InPlaceOrRecreate" },
        },
      },
    });
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^dagger.engine.port: 1234 makes every engine listen on unauthenticated TCP while transport is "kube-pod"/),
        expect.stringMatching(/^dagger.engine.cache.storageClass: "standard" is a standard persistent disk \(HDD\)/),
        expect.stringMatching(/^dagger.engine.vpa.updateMode: "InPlaceOrRecreate" lets the VPA restart an engine/),
      ]),
    );
    expect(build({}).warnings.filter((w) => w.startsWith("dagger.engine"))).toEqual([]);
  });
});
