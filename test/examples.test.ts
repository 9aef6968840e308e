/**
 * Every shipped example synthesizes, with assertions on what makes each one distinct.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig, parseConfigText } from "../lib/config/load";
import { Synthesized, helmValues, resources, synthConfig } from "./util";

const DIR = path.join(__dirname, "..", "examples");
const load = (file: string) => parseConfigText(fs.readFileSync(path.join(DIR, file), "utf8"), file);
const synth = (file: string) => synthConfig(load(file));
const values = (stack: any, type: string) => Object.values(resources(stack, type)) as any[];
const pools = (stack: any) => Object.fromEntries(values(stack, "google_container_node_pool").map((p) => [p.name, p]));
const engineReleases = (stack: any) => values(stack, "helm_release").filter((r) => /dagger-helm/.test(r.chart));

const EXPECTED = [
  "dagger-cloud.yaml",
  "existing-cluster.yaml",
  "gpu-pool.yaml",
  "multi-version.yaml",
  "private-mirror.yaml",
  "private-nat-engine-pool.yaml",
  "simple-daemonset.yaml",
  "statefulset-ssd-spot.yaml",
];

test("the examples directory holds the documented examples", () => {
  expect(fs.readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()).toEqual(EXPECTED);
});

describe("simple-daemonset", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("simple-daemonset.yaml")));
  test("a cluster with a runners pool (and the default system pool) and a DaemonSet engine", () => {
    const cluster = s.stacks["dagger-runners-cluster"];
    expect(Object.keys(pools(cluster))).toEqual(["runners", "system"]);
    const engines = engineReleases(s.stacks["dagger-runners-runners"]);
    expect(engines).toHaveLength(1);
    expect(helmValues(engines[0]).engine.kind).toBe("DaemonSet");
  });
  test("Workload Identity: the runner ServiceAccount carries the jobs' Google service account", () => {
    const runners = s.stacks["dagger-runners-runners"];
    const [sa] = values(runners, "kubernetes_service_account_v1").filter((x) => x.metadata.name === "dagger-runner");
    const gsa = values(s.stacks["dagger-runners-cluster"], "google_service_account").find((x) => /jobs/.test(x.account_id));
    expect(sa.metadata.annotations).toEqual({ "iam.gke.io/gcp-service-account": `${gsa.account_id}@${gsa.project}.iam.gserviceaccount.com` });
    const sets = values(runners, "helm_release").filter((r) => r.chart === "gha-runner-scale-set");
    for (const r of sets) expect(helmValues(r).template.spec.serviceAccountName).toBe("dagger-runner");
  });
});

describe("statefulset-ssd-spot", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("statefulset-ssd-spot.yaml")));
  test("spot runners pool", () => {
    const p = pools(s.stacks["ci-spot-cluster"]).runners;
    expect(p.node_config.spot).toBe(true);
    expect(p.autoscaling.location_policy).toBe("ANY");
  });
  test("StatefulSet engine with an SSD PVC cache", () => {
    const v = helmValues(engineReleases(s.stacks["ci-spot-runners"])[0]).engine;
    expect(v.kind).toBe("StatefulSet");
    expect(v.statefulSet.persistentVolumeClaim).toMatchObject({
      enabled: true,
      storageClassName: "premium-rwo",
      resources: { requests: { storage: "200Gi" } },
    });
  });
});

describe("dagger-cloud", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("dagger-cloud.yaml")));
  test("runners get DAGGER_CLOUD_TOKEN from a Secret fed by a sensitive variable; the 0.20.3 engine gets nothing it would not read", () => {
    const runners = s.stacks["dagger-cloud-runners"];
    const v = helmValues(engineReleases(runners)[0]);
    expect(v.magicache).toBeUndefined();
    // Only the metrics address (monitoring is on by default): no cache-service variable.
    expect(v.engine.env).toEqual([{ name: "_EXPERIMENTAL_DAGGER_METRICS_ADDR", value: "0.0.0.0:9090" }]);
    const secrets = Object.values(resources(runners, "kubernetes_secret_v1")) as any[];
    expect(secrets.filter((x) => x.data?.DAGGER_CLOUD_TOKEN).map((x) => x.data.DAGGER_CLOUD_TOKEN)).toEqual(["${var.dagger_cloud_token}"]);
    expect(runners.variable.dagger_cloud_token.sensitive).toBe(true);
    const set = values(runners, "helm_release").find((r) => r.chart === "gha-runner-scale-set");
    const runner = helmValues(set).template.spec.containers.find((c: any) => c.name === "runner");
    expect(runner.env).toContainEqual({ name: "DAGGER_CLOUD_TOKEN", valueFrom: { secretKeyRef: { name: expect.stringMatching(/^\$\{kubernetes_secret_v1\./), key: "DAGGER_CLOUD_TOKEN" } } });
  });
});

describe("multi-version", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("multi-version.yaml")));
  test("one engine per version, labels for every version, alias and size", () => {
    const runners = s.stacks["dagger-multi-runners"];
    expect(engineReleases(runners).map((r) => r.version).sort()).toEqual(["0.19.11", "0.20.3", "0.20.4"]);
    expect(Object.keys(runners.output.runner_labels.value)).toEqual(
      expect.arrayContaining(["dagger-v0.20.3", "dagger-v0.19", "dagger-v0.20.3-large", "dagger-latest-large"]),
    );
    expect(runners.output.runner_labels.value["dagger-v0.19"]).toBe("0.19.11");
    expect(runners.output.runner_labels.value["dagger-v0.20"]).toBe("0.20.4");
    expect(pools(s.stacks["dagger-multi-cluster"]).runners.node_config.machine_type).toBe("n2-standard-16");
  });
});

describe("existing-cluster", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("existing-cluster.yaml")));
  test("no cluster stack; providers from the kubeconfig context", () => {
    expect(Object.keys(s.stacks)).toEqual(["dagger-runners-runners"]);
    expect(s.stacks["dagger-runners-runners"].provider.kubernetes[0]).toEqual({ config_path: "~/.kube/config", config_context: "my-cluster" });
  });
});

describe("private-nat-engine-pool", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("private-nat-engine-pool.yaml")));
  test("private nodes behind Cloud NAT, authorized networks", () => {
    const cluster = s.stacks["ci-private-cluster"];
    const c = values(cluster, "google_container_cluster")[0];
    expect(c.private_cluster_config).toMatchObject({ enable_private_nodes: true, master_ipv4_cidr_block: "172.16.0.32/28" });
    expect(c.master_authorized_networks_config.cidr_blocks).toEqual([{ cidr_block: "203.0.113.0/24", display_name: "office" }]);
    expect(values(cluster, "google_compute_router_nat")).toHaveLength(1);
  });
  test("a tainted SSD engine pool, and the engine placed on it", () => {
    const p = pools(s.stacks["ci-private-cluster"]).engines;
    expect(p.node_config).toMatchObject({ disk_type: "pd-ssd", taint: [{ key: "dagger.io/engine", value: "true", effect: "NO_SCHEDULE" }] });
    const v = helmValues(engineReleases(s.stacks["ci-private-runners"])[0]).engine;
    expect(v.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "engines" });
    expect(v.tolerations).toEqual([{ key: "dagger.io/engine", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    // The cache the pool exists for is an SSD persistent disk (the engines pool's default class).
    expect(v.statefulSet.persistentVolumeClaim).toMatchObject({ storageClassName: "premium-rwo", resources: { requests: { storage: "300Gi" } } });
  });
});

describe("private-mirror", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("private-mirror.yaml")));
  test("no public registry anywhere; images from the mirror, charts from its OCI repository", () => {
    for (const host of ["registry.dagger.io", "ghcr.io", "docker.io", "registry.k8s.io"]) expect(s.text).not.toContain(host);
    const runners = s.stacks["ci-airgap-runners"];
    const releases = values(runners, "helm_release");
    // Every chart from the mirror, but ARC's CRD chart, which is bundled in the stack output.
    expect(new Set(releases.filter((r) => r.name !== "arc-crds").map((r) => r.repository))).toEqual(new Set(["oci://registry.corp.example/charts"]));
    expect(releases.find((r) => r.name === "arc-crds")!.chart).toMatch(/^assets\/.*\.tgz$/);
    expect(engineReleases(runners).map((r) => helmValues(r).engine.image.ref).sort()).toEqual([
      "registry.corp.example/mirror/engine:v0.19.11",
      "registry.corp.example/mirror/engine:v0.20.3",
    ]);
    const set = helmValues(releases.find((r) => r.chart === "gha-runner-scale-set")).template.spec;
    expect(set.initContainers.map((c: any) => c.name)).toEqual(["stage-copy-tool", "install-dagger-cli", "install-kubectl"]);
    for (const c of [...set.initContainers, ...set.containers]) expect(c.image).toMatch(/^registry\.corp\.example\/mirror\//);
    expect(set.imagePullSecrets).toEqual([{ name: "mirror-pull" }]);
  });
});

describe("gpu-pool", () => {
  let s: Synthesized;
  beforeAll(() => (s = synth("gpu-pool.yaml")));
  test("a GPU pool with an L4 and the driver installed", () => {
    const p = pools(s.stacks["ci-gpu-cluster"]).gpu;
    expect(p.node_config.guest_accelerator).toEqual([{ type: "nvidia-l4", count: 1, gpu_driver_installation_config: { gpu_driver_version: "DEFAULT" } }]);
    expect(p.node_config.spot).toBe(true);
  });
  test("gpu-sized labels route to a GPU engine on the gpu pool; the normal engine stays on the runners pool", () => {
    const runners = s.stacks["ci-gpu-runners"];
    expect(Object.keys(runners.output.runner_labels.value)).toContain("dagger-v0.20-gpu");
    const [normal, gpu] = ["ci-gpu-v0-20-3", "ci-gpu-v0-20-3-gpu"].map((n) => helmValues(engineReleases(runners).find((r: any) => r.name === n)).engine);
    expect(normal.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners" });
    expect(normal.tolerations).toBeUndefined();
    expect(normal.image).toBeUndefined();
    expect(gpu.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "gpu" });
    expect(gpu.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }]);
    expect(gpu.image).toEqual({ ref: "registry.dagger.io/engine:v0.20.3-gpu" });
    expect(gpu.resources).toEqual({ requests: { cpu: "1", memory: "2Gi", "nvidia.com/gpu": "1" }, limits: { memory: "8Gi", "nvidia.com/gpu": "1" } });
    expect(gpu.env).toContainEqual({ name: "_EXPERIMENTAL_DAGGER_GPU_SUPPORT", value: "true" });
  });
  test("gpu-size runners run on the gpu pool, use the GPU engine and request no GPU; other sizes stay on the runners pool", () => {
    const sets = Object.values<any>(s.stacks["ci-gpu-runners"].resource.helm_release).filter((r) => r.chart === "gha-runner-scale-set");
    const template = (name: string) => helmValues(sets.find((r) => helmValues(r).runnerScaleSetName === name)).template.spec;
    const gpu = template("dagger-v0.20-gpu");
    expect(gpu.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "gpu" });
    expect(gpu.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }]);
    const runner = gpu.containers.find((c: any) => c.name === "runner");
    expect(runner.resources.limits).toEqual({ memory: "16Gi" });
    expect(gpu.volumes.find((v: any) => v.name === "dagger-engine-socket").hostPath.path).toBe("/run/dagger-ci-gpu-v0-20-3-gpu-dagger-helm");
    expect(gpu.initContainers.find((c: any) => c.name === "install-dagger-cli").image).toBe("registry.dagger.io/engine:v0.20.3-gpu");
    const cpu = template("dagger-v0.20");
    expect(cpu.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners" });
    expect(cpu.containers.find((c: any) => c.name === "runner").resources.limits).toEqual({ memory: "2Gi" });
    expect(cpu.volumes.find((v: any) => v.name === "dagger-engine-socket").hostPath.path).toBe("/run/dagger-ci-gpu-v0-20-3-dagger-helm");
  });
  test("a gpu runnerSize that is not a runner size is a config error", () => {
    const raw = load("gpu-pool.yaml") as any;
    delete raw.runners.sizes.gpu;
    expect(() => parseConfig(raw)).toThrow('cluster.nodePools.gpu.runnerSize: "gpu" is not one of runners.sizes ("")');
  });
});
