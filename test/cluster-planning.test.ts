import { cidrsOverlap, clusterLocation, findOverlaps, parseCidr, serviceAccountId, zoneRegion, Cidr } from "../lib/planning/network";
import { GPU_TAINT, NODE_POOL_LABEL, planCluster } from "../lib/planning/cluster";
import { mergePlacement, planPlacement, tolerationFor } from "../lib/planning/placement";
import { defaultLabel, workflowSnippet } from "../lib/planning/workflow";
import { parseConfig } from "../lib/config/load";

const cfg = (raw: Record<string, unknown>) =>
  parseConfig(raw.target === "existing-cluster" ? raw : { gcp: { projectId: "my-proj-123" }, ...raw }).config;

describe("parseCidr", () => {
  test.each([
    ["10.0.0.0/20", 0x0a000000, 0x0a000fff],
    ["10.4.0.0/14", 0x0a040000, 0x0a07ffff],
    ["0.0.0.0/0", 0, 0xffffffff],
    ["192.168.1.7/32", 0xc0a80107, 0xc0a80107],
  ])("%s", (text, start, end) => {
    const c = parseCidr(text) as Cidr;
    expect([c.start, c.end]).toEqual([start, end]);
  });
  test.each([
    ["10.0.0.0", /is not an IPv4 CIDR block/],
    ["10.0.0.256/24", /octets 0-255/],
    ["10.0.0.0/33", /prefix length/],
    ["10.0.1.0/20", /did you mean 10.0.0.0\/20/],
  ])("rejects %s", (text, msg) => {
    expect(parseCidr(text)).toMatch(msg);
  });
});

describe("overlaps", () => {
  test.each([
    ["10.0.0.0/20", "10.0.15.0/24", true],
    ["10.0.0.0/20", "10.0.16.0/24", false],
    ["10.4.0.0/14", "10.7.255.0/24", true],
    ["10.4.0.0/14", "10.8.0.0/20", false],
    ["0.0.0.0/0", "172.16.0.0/28", true],
  ])("%s vs %s", (a, b, overlap) => {
    expect(cidrsOverlap(parseCidr(a) as Cidr, parseCidr(b) as Cidr)).toBe(overlap);
  });
  test("findOverlaps blames the later block", () => {
    expect(
      findOverlaps([
        { key: "a", cidr: "10.0.0.0/16" },
        { key: "b", cidr: "10.1.0.0/16" },
        { key: "c", cidr: "10.0.128.0/20" },
        { key: "d", cidr: "bad" },
      ]),
    ).toEqual([{ key: "c", cidr: "10.0.128.0/20", otherKey: "a", otherCidr: "10.0.0.0/16" }]);
  });
});

describe("locations", () => {
  test.each([
    ["us-central1-a", "us-central1"],
    ["europe-west4-c", "europe-west4"],
    ["us-central1", undefined],
  ])("zoneRegion(%s)", (z, r) => expect(zoneRegion(z)).toBe(r));

  test.each([
    [true, [], { location: "us-central1", nodeLocations: [] }],
    [true, ["us-central1-a", "us-central1-b"], { location: "us-central1", nodeLocations: ["us-central1-a", "us-central1-b"] }],
    [false, ["us-central1-f"], { location: "us-central1-f", nodeLocations: [] }],
    [false, ["us-central1-f", "us-central1-a"], { location: "us-central1-f", nodeLocations: ["us-central1-a"] }],
  ])("regional=%s zones=%j", (regional, zones, want) => {
    expect(clusterLocation("us-central1", zones, regional)).toEqual(want);
  });
  test("zonal without a zone", () => expect(clusterLocation("us-central1", [], false)).toMatch(/needs gcp.zones/));
});

describe("serviceAccountId", () => {
  test.each([
    ["dagger-runners", "nodes", "dagger-runners-nodes"],
    ["a-very-long-cluster-name-of-forty-chars", "jobs", "a-very-long-cluster-name-jobs"],
    ["abcdefghijklmnopqrstuvwx-yz", "nodes", "abcdefghijklmnopqrstuvwx-nodes"],
    ["abcdefghijklmnopqrstuvw-xyz", "nodes", "abcdefghijklmnopqrstuvw-nodes"],
  ])("%s + %s", (base, suffix, want) => {
    const id = serviceAccountId(base, suffix);
    expect(id).toBe(want);
    expect(id.length).toBeLessThanOrEqual(30);
  });
});

describe("planCluster", () => {
  test("defaults: regional, created network, node and jobs accounts, one pool", () => {
    const p = planCluster(cfg({}));
    expect(p).toMatchObject({
      name: "dagger-runners",
      location: "us-central1",
      regional: true,
      network: { create: true, name: "dagger-runners", subnetName: "dagger-runners-nodes", podsRangeName: "dagger-runners-pods" },
      nodeServiceAccount: { accountId: "dagger-runners-nodes", email: "dagger-runners-nodes@my-proj-123.iam.gserviceaccount.com" },
      jobsServiceAccount: { accountId: "dagger-runners-jobs" },
      workloadPool: "my-proj-123.svc.id.goog",
      verticalPodAutoscaling: false,
    });
    expect(p.nat).toBeUndefined();
    expect(p.pools.map((x) => x.name)).toEqual(["runners", "system"]);
  });

  test("created network: default CIDRs unless given", () => {
    expect(planCluster(cfg({})).network).toMatchObject({ subnetCidr: "10.0.0.0/20", podsCidr: "10.4.0.0/14", servicesCidr: "10.8.0.0/20" });
    expect(planCluster(cfg({ cluster: { network: { podsCidr: "10.64.0.0/14" } } })).network.podsCidr).toBe("10.64.0.0/14");
  });

  test("Shared VPC: ids in the host project", () => {
    const p = planCluster(cfg({ cluster: { network: { create: false, hostProject: "host-proj-1", name: "shared", subnetName: "gke" } } }));
    expect(p.network.networkId).toBe("projects/host-proj-1/global/networks/shared");
    expect(p.network.subnetId).toBe("projects/host-proj-1/regions/us-central1/subnetworks/gke");
  });

  test("a deployment name starting with a digit needs cluster.name", () => {
    expect(() => planCluster(cfg({ name: "1runners" }))).toThrow('name: "1runners" is not a valid GKE cluster name');
    expect(planCluster(cfg({ name: "1runners", cluster: { name: "runners" } })).name).toBe("runners");
  });

  test("zonal without zones", () => {
    expect(() => planCluster(cfg({ cluster: { regional: false } }))).toThrow("cluster.regional: false needs gcp.zones");
  });

  test("control plane: defaults, and an authorized network without a name is named by its CIDR", () => {
    expect(planCluster(cfg({})).controlPlane).toMatchObject({ releaseChannel: "REGULAR", deletionProtection: true, privateNodes: false, masterAuthorizedNetworks: [] });
    const cp = planCluster(
      cfg({ cluster: { privateNodes: true, masterIpv4Cidr: "172.16.0.16/28", masterAuthorizedNetworks: [{ cidr: "203.0.113.0/24" }, { cidr: "198.51.100.0/24", name: "vpn" }] } }),
    ).controlPlane;
    expect(cp.privateNodes).toBe(true);
    expect(cp.masterIpv4Cidr).toBe("172.16.0.16/28");
    expect(cp.masterAuthorizedNetworks).toEqual([{ cidr: "203.0.113.0/24", name: "203.0.113.0/24" }, { cidr: "198.51.100.0/24", name: "vpn" }]);
  });

  test("gpu accelerator on the wrong machine series warns", () => {
    const p = planCluster(cfg({ runners: { sizes: { "": {}, gpu: {} } }, cluster: { nodePools: { gpu: { machineType: "n2-standard-8", accelerator: { type: "nvidia-l4" } } } } }));
    expect(p.warnings.join("\n")).toMatch(/cluster.nodePools.gpu.machineType "n2-standard-8" does not take accelerator nvidia-l4/);
    expect(p.pools.find((x) => x.key === "gpu")?.implicitTaints).toEqual([GPU_TAINT]);
  });
});

describe("placement", () => {
  const pool = (name: string) => ({ [NODE_POOL_LABEL]: name });
  const engineTol = { key: "dagger.io/engine", operator: "Equal", value: "true", effect: "NoSchedule" };
  const gpuTol = { key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" };

  test("existing cluster: no constraint", () => {
    const c = cfg({ target: "existing-cluster" });
    expect(planPlacement(c, undefined)).toEqual({
      engines: { nodeSelector: {}, tolerations: [] },
      runners: { nodeSelector: {}, tolerations: [] },
      arc: { nodeSelector: {}, tolerations: [] },
      arcIsolated: false,
    });
  });

  test.each([
    [
      "daemonset, runners pool only",
      {},
      { nodeSelector: pool("runners"), tolerations: [] },
    ],
    [
      "daemonset with a gpu pool and GPU engines (the default): the runners pool (GPU engines serve the gpu pool)",
      { runners: { sizes: { "": {}, gpu: {} } }, cluster: { nodePools: { gpu: { accelerator: { type: "nvidia-l4" } } } } },
      { nodeSelector: pool("runners"), tolerations: [] },
    ],
    [
      "daemonset with a gpu pool without GPU engines: everywhere runners run, tolerating the GPU taint",
      { runners: { sizes: { "": {}, gpu: {} } }, cluster: { nodePools: { gpu: { accelerator: { type: "nvidia-l4" }, engines: false } } } },
      { nodeSelector: {}, tolerations: [gpuTol] },
    ],
    [
      "statefulset: the runners pool",
      { dagger: { engine: { mode: "statefulset" } } },
      { nodeSelector: pool("runners"), tolerations: [] },
    ],
    [
      "statefulset with an engines pool: the tainted pool",
      { dagger: { engine: { mode: "statefulset" } }, cluster: { nodePools: { engines: {} } } },
      { nodeSelector: pool("engines"), tolerations: [engineTol] },
    ],
  ])("engines: %s", (_name, raw, want) => {
    const c = cfg(raw);
    expect(planPlacement(c, planCluster(c)).engines).toEqual(want);
  });

  test("runners stay on the runners pool, tolerating its taints", () => {
    const c = cfg({ cluster: { nodePools: { runners: { taints: [{ key: "ci" }] } } } });
    expect(planPlacement(c, planCluster(c)).runners).toEqual({
      nodeSelector: pool("runners"),
      tolerations: [{ key: "ci", operator: "Exists", effect: "NoSchedule" }],
    });
  });

  test("gpu size without GPU engines: gpu pool, GPU toleration, GPU limit", () => {
    const c = cfg({ runners: { sizes: { "": {}, "gpu-l4": {} } }, cluster: { nodePools: { gpu: { accelerator: { type: "nvidia-l4", count: 2 }, runnerSize: "gpu-l4", engines: false } } } });
    const p = planPlacement(c, planCluster(c));
    expect(p.gpu).toEqual({
      size: "gpu-l4",
      gpus: 2,
      nodeSelector: pool("gpu"),
      tolerations: [gpuTol],
      resources: { limits: { "nvidia.com/gpu": "2" } },
      gpuEngines: false,
    });
    expect(p.gpuEngines).toBeUndefined();
  });

  test("gpu size with GPU engines: gpu pool and toleration, no GPU of its own; the GPU engines get the gpu pool", () => {
    const c = cfg({ runners: { sizes: { "": {}, "gpu-l4": {} } }, cluster: { nodePools: { gpu: { accelerator: { type: "nvidia-l4", count: 2 }, runnerSize: "gpu-l4" } } } });
    const p = planPlacement(c, planCluster(c));
    expect(p.gpu).toEqual({ size: "gpu-l4", gpus: 0, nodeSelector: pool("gpu"), tolerations: [gpuTol], gpuEngines: true });
    expect(p.gpuEngines).toEqual({ nodeSelector: pool("gpu"), tolerations: [gpuTol] });
  });

  test("DaemonSet engines cannot use a dedicated engines pool (a config error, at load)", () => {
    expect(() => cfg({ cluster: { nodePools: { engines: {} } } })).toThrow('dagger.engine.mode: "daemonset" conflicts with cluster.nodePools.engines');
  });

  test("explicit settings win and add up", () => {
    expect(
      mergePlacement(
        { nodeSelector: { a: "1", b: "2" }, tolerations: [tolerationFor({ key: "x", value: "", effect: "NoSchedule" })] },
        { nodeSelector: { b: "3" }, tolerations: [{ key: "y", operator: "Exists" }] },
      ),
    ).toEqual({
      nodeSelector: { a: "1", b: "3" },
      tolerations: [
        { key: "x", operator: "Exists", effect: "NoSchedule" },
        { key: "y", operator: "Exists" },
      ],
    });
  });

  test.each([
    ["engines pool, no class given: the cluster default too (a pool never changes the class)", { cluster: { nodePools: { engines: {} } } }, undefined],
    ["engines pool, explicit class wins", { cluster: { nodePools: { engines: {} } }, dagger: { engine: { mode: "statefulset", cache: { storageClass: "fast", size: "50Gi" } } } }, "fast"],
    ["no engines pool: the cluster default", {}, undefined],
  ])("engine cache StorageClass: %s", (_name, raw, want) => {
    const { plan } = parseConfig({ gcp: { projectId: "my-proj-123" }, dagger: { engine: { mode: "statefulset" } }, ...raw });
    expect(plan.engine.cache?.storageClass).toBe(want);
    if (want === "fast") expect(plan.engine.cache?.size).toBe("50Gi");
  });

  test("the plan resolves placement once: pools with the explicit settings on top, the config untouched", () => {
    const { config: c, plan } = parseConfig({
      gcp: { projectId: "my-proj-123" },
      dagger: { engine: { mode: "statefulset", nodeSelector: { disk: "ssd" } } },
      runners: { tolerations: [{ key: "ci", operator: "Exists" }] },
      cluster: { nodePools: { engines: {} } },
    });
    expect(plan.placement.engines).toEqual({ nodeSelector: { ...pool("engines"), disk: "ssd" }, tolerations: [engineTol] });
    expect(plan.engine.placement).toBe(plan.placement.engines);
    expect(plan.placement.runners).toEqual({ nodeSelector: pool("runners"), tolerations: [{ key: "ci", operator: "Exists" }] });
    expect(c.dagger.engine.nodeSelector).toEqual({ disk: "ssd" });
    expect(plan.transports["0.20.3"].nodeSelector).toBeUndefined(); // kube-pod: not node-local
  });
});

describe("workflow snippet", () => {
  test("uses the newest minor alias, unsized", () => {
    const { plan } = parseConfig({ dagger: { versions: ["0.19.11", "0.20.3"] }, runners: { sizes: { "": {}, large: {} } } });
    expect(defaultLabel(plan.runners)).toBe("dagger-v0.20");
    expect(workflowSnippet(plan.runners)).toContain("    runs-on: dagger-v0.20\n");
  });
  test("with sized labels only, the first size", () => {
    const { plan } = parseConfig({ runners: { sizes: { small: {}, large: {} } } });
    expect(defaultLabel(plan.runners)).toBe("dagger-v0.20-small");
  });
});
