/**
 * GPU engines (issue 14 part 4): where a gpu node pool exists, each engine version gets a GPU
 * engine on it (GPU image, _EXPERIMENTAL_DAGGER_GPU_SUPPORT, nvidia.com/gpu, the GPU taint's
 * toleration), the gpu size's labels route to it, and the capacity plan counts GPUs per node for
 * runners and engines. Facts from dagger/dagger v0.20.3: the `-gpu` image tag
 * (toolchains/engine-dev/main.go `targets`), the variable (core/container_exec.go).
 */
import { TerraformStack, Testing } from "cdktf";
import { parseConfig } from "../lib/config/load";
import { DaggerEngines } from "../lib/constructs/dagger-engines";
import { planEngineNames } from "../lib/planning/engines";
import { parseVersionList } from "../lib/planning/versions";
import { PlanError } from "../lib/planning/errors";
import { planCapacity } from "../lib/planning/capacity";
import { planRunners } from "../lib/planning/labels";
import { renderReport } from "../lib/report";
import { planPicture } from "../lib/picture/graph";
import { configError, helmValues, resources, synthConfig } from "./util";

const GITHUB = { configUrl: "https://github.com/acme", app: { id: 1, installationId: 2 } };
const GPU_TOLERATION = { key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" };
const GPU_POOL = { "cloud.google.com/gke-nodepool": "gpu" };
const SIZES = { "": { requests: { cpu: "500m", memory: "1Gi" } }, gpu: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "16Gi" } } };

/** A gke config with a gpu pool; `gpu` and `dagger` are merged in. */
function raw(gpu: Record<string, unknown> = {}, dagger: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    github: GITHUB,
    runners: { sizes: SIZES },
    dagger: { versions: ["0.20.3"], ...dagger },
    cluster: { nodePools: { gpu: { machineType: "g2-standard-8", accelerator: { type: "nvidia-l4" }, ...gpu } } },
    ...extra,
  };
}

const releases = (stack: any) => Object.values<any>(resources(stack, "helm_release"));
const engineValues = (stack: any, name: string) => helmValues(releases(stack).find((r) => r.name === name)).engine;
const scaleSetSpec = (stack: any, label: string) => helmValues(releases(stack).find((r) => r.chart === "gha-runner-scale-set" && helmValues(r).runnerScaleSetName === label)).template.spec;
const runnerOf = (spec: any) => spec.containers.find((c: any) => c.name === "runner");

describe("GPU engine: one per version, on the gpu pool", () => {
  const s = synthConfig(raw({}, { versions: ["0.19.10", "0.20.3"] }, { cluster: { nodePools: { gpu: { machineType: "g2-standard-24", accelerator: { type: "nvidia-l4", count: 2 }, engineGpus: 1 } } } }));
  const runners = s.stacks["dagger-runners-runners"];

  test("a second release per version, named <name>-v<version>-gpu", () => {
    const engines = releases(runners).filter((r) => r.chart === "dagger-helm").map((r) => `${r.name}@${r.version}`).sort();
    expect(engines).toEqual(["dagger-runners-v0-19-10-gpu@0.19.10", "dagger-runners-v0-19-10@0.19.10", "dagger-runners-v0-20-3-gpu@0.20.3", "dagger-runners-v0-20-3@0.20.3"]);
  });

  test.each(["0.19.10", "0.20.3"])("%s: GPU image, GPU support variable, nvidia.com/gpu, GPU pool and taint", (version) => {
    const v = engineValues(runners, `dagger-runners-v${version.replace(/\./g, "-")}-gpu`);
    expect(v.image).toEqual({ ref: `registry.dagger.io/engine:v${version}-gpu` });
    expect(v.env).toContainEqual({ name: "_EXPERIMENTAL_DAGGER_GPU_SUPPORT", value: "true" });
    expect(v.resources.requests["nvidia.com/gpu"]).toBe("1");
    expect(v.resources.limits["nvidia.com/gpu"]).toBe("1");
    // The engine's own resources are kept beside the GPU.
    expect(v.resources.requests).toMatchObject({ cpu: "1", memory: "2Gi" });
    expect(v.nodeSelector).toEqual(GPU_POOL);
    expect(v.tolerations).toEqual([GPU_TOLERATION]);
    // Same engine.json and PriorityClass as the engine of its version.
    const normal = engineValues(runners, `dagger-runners-v${version.replace(/\./g, "-")}`);
    expect(v.configJson).toBe(normal.configJson);
    expect(v.priorityClassName).toBe(normal.priorityClassName);
  });

  test("the normal engines have none of it and stay off the gpu pool", () => {
    const v = engineValues(runners, "dagger-runners-v0-20-3");
    expect(v.image).toBeUndefined();
    expect(JSON.stringify(v)).not.toContain("nvidia.com/gpu");
    expect((v.env ?? []).map((e: any) => e.name)).not.toContain("_EXPERIMENTAL_DAGGER_GPU_SUPPORT");
    expect(v.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners" });
  });

  test("gpu labels keep their names and reach the GPU engine of their version; the runners request no GPU", () => {
    const plan = parseConfig(raw({}, { versions: ["0.19.10", "0.20.3"] }, { cluster: { nodePools: { gpu: { machineType: "g2-standard-24", accelerator: { type: "nvidia-l4", count: 2 }, engineGpus: 1 } } } })).plan;
    expect(plan.gpuEngines?.labels).toEqual(["dagger-v0.20.3-gpu", "dagger-v0.19.10-gpu", "dagger-v0.20-gpu", "dagger-v0.19-gpu", "dagger-latest-gpu"]);
    for (const [label, release] of [
      ["dagger-v0.19.10-gpu", "dagger-runners-v0-19-10-gpu"],
      ["dagger-v0.19-gpu", "dagger-runners-v0-19-10-gpu"],
      ["dagger-latest-gpu", "dagger-runners-v0-20-3-gpu"],
    ]) {
      const spec = scaleSetSpec(runners, label);
      expect(spec.volumes.find((v: any) => v.name === "dagger-engine-socket").hostPath.path).toBe(`/run/${release.replace(/^/, "dagger-")}-dagger-helm`);
      expect(spec.nodeSelector).toEqual(GPU_POOL);
      expect(spec.tolerations).toEqual([GPU_TOLERATION]);
      expect(JSON.stringify(runnerOf(spec).resources)).not.toContain("nvidia.com/gpu");
      // Its dagger CLI comes from the GPU image (the CLI matches the engine it drives).
      expect(spec.initContainers.find((c: any) => c.name === "install-dagger-cli").image).toMatch(/-gpu$/);
    }
    const plain = scaleSetSpec(runners, "dagger-latest");
    expect(plain.volumes.find((v: any) => v.name === "dagger-engine-socket").hostPath.path).toBe("/run/dagger-dagger-runners-v0-20-3-dagger-helm");
  });

  test("a gpu scale set is removed before, and created after, its GPU engine", () => {
    const set = releases(runners).find((r) => r.chart === "gha-runner-scale-set" && helmValues(r).runnerScaleSetName === "dagger-v0.20-gpu");
    expect(set.depends_on).toContainEqual(expect.stringMatching(/^helm_release\.dagger-engines_release-v0-20-3-gpu_/));
    expect(set.depends_on).not.toContainEqual(expect.stringMatching(/^helm_release\.dagger-engines_release-v0-20-3_/));
  });
});

describe("transports: the GPU engine uses the normal engines' transport", () => {
  test("StatefulSet engines (kube-pod): a GPU StatefulSet on the gpu pool, its pod in the exec Role", () => {
    const s = synthConfig(raw({}, { engine: { mode: "statefulset" } }));
    const runners = s.stacks["dagger-runners-runners"];
    expect(engineValues(runners, "dagger-runners-v0-20-3-gpu")).toMatchObject({ kind: "StatefulSet", nodeSelector: GPU_POOL, tolerations: [GPU_TOLERATION] });
    const host = runnerOf(scaleSetSpec(runners, "dagger-v0.20-gpu")).env.find((e: any) => e.name === "_EXPERIMENTAL_DAGGER_RUNNER_HOST").value;
    expect(host).toBe("kube-pod://dagger-runners-v0-20-3-gpu-dagger-helm-engine-0?namespace=dagger-engines");
    const [role] = Object.values<any>(resources(runners, "kubernetes_role_v1"));
    expect(role.rule[0].resource_names).toEqual(["dagger-runners-v0-20-3-dagger-helm-engine-0", "dagger-runners-v0-20-3-gpu-dagger-helm-engine-0"]);
  });

  test("tcp: a Service and NetworkPolicy of its own", () => {
    const s = synthConfig(raw({}, { engine: { transport: "tcp" } }));
    const runners = s.stacks["dagger-runners-runners"];
    const services = Object.values<any>(resources(runners, "kubernetes_service_v1")).map((x) => x.metadata.name).sort();
    expect(services).toEqual(["dagger-runners-v0-20-3-gpu-tcp", "dagger-runners-v0-20-3-tcp"]);
    const host = runnerOf(scaleSetSpec(runners, "dagger-v0.20-gpu")).env.find((e: any) => e.name === "_EXPERIMENTAL_DAGGER_RUNNER_HOST").value;
    expect(host).toBe("tcp://dagger-runners-v0-20-3-gpu-tcp.dagger-engines.svc.cluster.local:1234");
    expect(Object.keys(resources(runners, "kubernetes_network_policy_v1"))).toHaveLength(2);
  });
});

describe("cluster.nodePools.gpu.engines: false keeps the GPU in the runner pod", () => {
  const s = synthConfig(raw({ engines: false }));
  const runners = s.stacks["dagger-runners-runners"];

  test("no GPU engine; the gpu runners request the pool's GPUs and use the normal engine, which tolerates the GPU taint", () => {
    expect(releases(runners).filter((r) => r.chart === "dagger-helm").map((r) => r.name)).toEqual(["dagger-runners-v0-20-3"]);
    expect(engineValues(runners, "dagger-runners-v0-20-3").tolerations).toEqual([GPU_TOLERATION]);
    expect(runnerOf(scaleSetSpec(runners, "dagger-v0.20-gpu")).resources.limits["nvidia.com/gpu"]).toBe("1");
  });

  test("engineGpus and engineImage are then ignored, with a warning", () => {
    const { plan } = parseConfig(raw({ engines: false, engineGpus: 1, engineImage: "m.example/engine:v{version}-gpu" }));
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        "cluster.nodePools.gpu.engineGpus is ignored: cluster.nodePools.gpu.engines is false (no GPU engines)",
        "cluster.nodePools.gpu.engineImage is ignored: cluster.nodePools.gpu.engines is false (no GPU engines)",
      ]),
    );
  });
});

describe("GPU capacity per node", () => {
  const pool = (plan: ReturnType<typeof parseConfig>["plan"], name: string) => plan.capacity!.pools.find((p) => p.name === name)!;

  test("1-GPU node: one GPU engine takes the GPU; runners are limited by CPU and memory, not by GPUs they do not request", () => {
    // Small gpu runners: were they to count the engine's GPU (or ask for one), none would fit.
    const { plan } = parseConfig(raw({}, {}, { runners: { sizes: { "": SIZES[""], gpu: { requests: { cpu: "500m", memory: "1Gi" } } } } }));
    const gpu = pool(plan, "gpu");
    expect(gpu.daemonSetEngines).toEqual(["0.20.3"]);
    expect(gpu.node.daemonSetEngines).toEqual({ cpuMillis: 1000, memoryMiB: 2048, gpus: 1 });
    expect(gpu.node.free.gpus).toBe(0);
    // g2-standard-8: 7910m / ~28.3Gi allocatable - 400m / 512Mi system - 1 / 2Gi engine = 6510m: 13 runners of 500m.
    expect(gpu.runnersPerNode).toEqual({ gpu: 13 });
    const engine = plan.capacity!.engines.find((e) => e.releaseName === "dagger-runners-v0-20-3-gpu")!;
    expect(engine).toMatchObject({ pools: ["gpu"], requests: { gpus: 1 }, scaleSets: 3 });
    // The normal engine serves the other sizes only.
    expect(plan.capacity!.engines.find((e) => e.releaseName === "dagger-runners-v0-20-3")).toMatchObject({ pools: ["runners"], scaleSets: 3 });
  });

  test("1-GPU node without GPU engines: one GPU runner per node (it requests the GPU), not three", () => {
    const { plan } = parseConfig(raw({ engines: false }));
    const gpu = pool(plan, "gpu");
    expect(gpu.node.daemonSetEngines.gpus).toBe(0);
    // 2 CPU / 8Gi would fit 3 times; the GPU once.
    expect(gpu.runnersPerNode).toEqual({ gpu: 1 });
    expect(gpu.maxRunnersAtMax).toEqual({ gpu: 2 });
  });

  test("4-GPU node: the engine takes all four by default; two versions need engineGpus, then share the node", () => {
    const four = { machineType: "g2-standard-48", accelerator: { type: "nvidia-l4", count: 4 } };
    const one = parseConfig(raw(four)).plan;
    expect(pool(one, "gpu").node.daemonSetEngines.gpus).toBe(4);
    expect(one.gpuEngines?.gpus).toBe(4);
    expect(configError(raw(four, { versions: ["0.19.10", "0.20.3"] }))).toBe(
      'cluster.nodePools.gpu.engineGpus: 4 makes every node of pool "gpu" run 2 GPU engine DaemonSets (one per version) needing 8 GPUs, but one g2-standard-48 node has 4 GPUs; lower it, use fewer engine versions, or a machine type with more GPUs',
    );
    const two = parseConfig(raw({ ...four, engineGpus: 2 }, { versions: ["0.19.10", "0.20.3"] })).plan;
    expect(pool(two, "gpu").node.daemonSetEngines.gpus).toBe(4);
    expect(pool(two, "gpu").node.free.gpus).toBe(0);
  });

  test("StatefulSet GPU engines sit on one node each when a node holds one", () => {
    const { plan } = parseConfig(raw({ maxNodes: 2 }, { versions: ["0.19.10", "0.20.3"], engine: { mode: "statefulset" } }));
    expect(pool(plan, "gpu")).toMatchObject({ statefulSetEngines: ["0.19.10", "0.20.3"], engineNodes: 2 });
    expect(configError(raw({ maxNodes: 1 }, { versions: ["0.19.10", "0.20.3"], engine: { mode: "statefulset" } }))).toBe(
      'cluster.nodePools.gpu.maxNodes: 1 is too few for the 2 engine StatefulSets placed on pool "gpu" (they need 2 nodes of this machine type)',
    );
  });

  test("an engine asking for more GPUs than the node has is refused, naming the key", () => {
    expect(configError(raw({ engineGpus: 2 }))).toBe(
      'cluster.nodePools.gpu.engineGpus: 2 makes every node of pool "gpu" run a GPU engine needing 2 GPUs, but one g2-standard-8 node has 1 GPU; lower it, use fewer engine versions, or a machine type with more GPUs',
    );
  });

  test("a pool without GPUs refuses a GPU engine", () => {
    const plan = planRunners({ versions: ["0.20.3"], sizes: [""] });
    const run = () =>
      planCapacity({
        mode: "daemonset",
        pools: [{ name: "runners", path: "cluster.nodePools.runners", machineType: "n2-standard-8", maxNodes: 3 }],
        engines: [{ version: "0.20.3", releaseName: "x-v0-20-3-gpu", pools: ["runners"], requests: { cpu: "1", memory: "2Gi", "nvidia.com/gpu": 1 }, path: "dagger.engine.resources.requests", gpuPath: "cluster.nodePools.gpu.engineGpus" }],
        sizes: [{ name: "", pool: "runners", requests: { cpu: "500m", memory: "1Gi" }, path: 'runners.sizes[""].requests' }],
        scaleSets: plan.scaleSets,
      });
    expect(run).toThrow(PlanError);
    expect(run).toThrow('cluster.nodePools.gpu.engineGpus: 1 makes every node of pool "runners" run a GPU engine needing 1 GPU, but one n2-standard-8 node has no GPU');
  });

  test("the report names the GPU engine and its GPU", () => {
    const text = renderReport(parseConfig(raw()).plan);
    expect(text).toMatch(/^dagger-v0\.20-gpu\s+0\.20\.3 GPU\s+dagger-v0\.20-gpu\s+gpu$/m);
    expect(text).toMatch(/^0\.20\.3 GPU\s+daemonset\s+gpu\s+1 \/ 2Gi \/ 1 GPU\s+3\s+30\s+/m);
  });
});

describe("monitoring: GPU engines are scraped; a gpu pool at zero nodes is no outage", () => {
  const down = (plan: ReturnType<typeof parseConfig>["plan"]) =>
    plan.alerts.objects.flatMap((o) => o.groups.flatMap((g) => g.rules)).find((r) => r.alert === "DaggerEngineDown")!.expr;

  test("minNodes 0: the GPU engine is a target, alerting on up == 0 but not on an absent pod", () => {
    const { plan } = parseConfig(raw());
    expect(plan.monitoring.targets.map((t) => t.name)).toContain("dagger-runners-v0-20-3-gpu");
    expect(down(plan)).toBe('up{job=~"dagger-runners-v0-20-3|dagger-runners-v0-20-3-gpu"} == 0 or absent(up{job="dagger-runners-v0-20-3"})');
  });

  test("minNodes 1: a missing GPU engine pod alerts too", () => {
    expect(down(parseConfig(raw({ minNodes: 1 })).plan)).toContain('absent(up{job="dagger-runners-v0-20-3-gpu"})');
  });
});

describe("the picture draws the GPU engine between the gpu pool and the gpu scale sets", () => {
  test("gpu pool -> engine 0.20.3 GPU -> the -gpu scale sets; the runners pool -> engine 0.20.3 -> the others", () => {
    const pic = planPicture(parseConfig(raw()).plan);
    const id = (column: keyof typeof pic.columns, first: string) => pic.columns[column].find((n) => n.lines[0] === first)!.id;
    const to = (from: string) => pic.edges.filter((e) => e.from === from).map((e) => pic.columns.scaleSet.concat(pic.columns.engine).find((n) => n.id === e.to)!.lines[0]);
    expect(to(id("pool", "pool gpu"))).toEqual(["engine 0.20.3 GPU"]);
    expect(to(id("pool", "pool runners"))).toEqual(["engine 0.20.3"]);
    expect(to(id("engine", "engine 0.20.3 GPU"))).toEqual(["scale set dagger-v0.20.3-gpu", "scale set dagger-v0.20-gpu", "scale set dagger-latest-gpu"]);
    expect(to(id("engine", "engine 0.20.3"))).toEqual(["scale set dagger-v0.20.3", "scale set dagger-v0.20", "scale set dagger-latest"]);
  });
});

describe("images: the GPU variant, mirrored or pinned", () => {
  test("a private mirror rewrites the GPU image too", () => {
    const { plan } = parseConfig(raw({}, {}, { mirrors: { images: { registry: "registry.corp.example/mirror" } } }));
    expect(plan.artifacts.gpuEngineImages).toEqual({ "0.20.3": "registry.corp.example/mirror/engine:v0.20.3-gpu" });
    expect(plan.artifacts.images.find((i) => i.location.endsWith("-gpu"))).toMatchObject({ upstream: "registry.dagger.io/engine:v0.20.3-gpu", source: "mirrors.images.registry" });
  });

  test("engineImage pins it; a pinned dagger.engine.image alone warns which GPU image is pulled", () => {
    const pinned = parseConfig(raw({ engineImage: "ghcr.io/acme/engine:v{version}-gpu" })).plan;
    expect(pinned.gpuEngines?.images).toEqual({ "0.20.3": "ghcr.io/acme/engine:v0.20.3-gpu" });
    const warned = parseConfig(raw({}, { engine: { image: "ghcr.io/acme/engine:v{version}" } })).plan;
    expect(warned.warnings).toContain(
      "cluster.nodePools.gpu.engineImage is not set while dagger.engine.image pins the engine images: the GPU engines pull registry.dagger.io/engine:v0.20.3-gpu (set cluster.nodePools.gpu.engineImage to pin them too)",
    );
  });

  test("bad engineImage values: one line naming the key", () => {
    expect(configError(raw({ engineImage: "engine:latest" }))).toMatch(/^cluster\.nodePools\.gpu\.engineImage: "engine:latest" is not a pinned image/);
    expect(configError(raw({ engineImage: "a/engine:v1-gpu" }, { versions: ["0.19.10", "0.20.3"] }))).toBe(
      'cluster.nodePools.gpu.engineImage: "a/engine:v1-gpu" is one image for 2 engine versions (put {version} in it, or map each version to its image)',
    );
    expect(configError(raw({ engineImage: { "0.18.0": "a/engine:v1-gpu" } }))).toBe(
      'cluster.nodePools.gpu.engineImage.0.18.0: "a/engine:v1-gpu" is the image of a version that is not in dagger.versions (0.20.3)',
    );
    expect(configError(raw({ engineGpus: 0 }))).toMatch(/^cluster\.nodePools\.gpu\.engineGpus: 0 /);
  });
});

describe("DaggerEngines used directly", () => {
  const versions = parseVersionList(["0.20.3"], "versions");
  const props = (gpu: any) => ({
    engines: planEngineNames("ci", versions, "daemonset"),
    mode: "daemonset" as const,
    clientNamespace: "runners",
    namePrefix: "ci",
    gpu,
  });

  test("the gpu prop adds the GPU releases and their specs", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const e = new DaggerEngines(stack, "engines", props({ engines: planEngineNames("ci", versions, "daemonset", {}, { gpu: true }), gpus: 2, nodeSelector: { pool: "gpu" } }));
    expect(e.gpuSpecs.map((x) => [x.releaseName, x.image, x.hostSocketDir])).toEqual([["ci-v0-20-3-gpu", "registry.dagger.io/engine:v0.20.3-gpu", "/run/dagger-ci-v0-20-3-gpu-dagger-helm"]]);
    const out = JSON.parse(Testing.synth(stack));
    const gpu = helmValues(Object.values<any>(out.resource.helm_release).find((r) => r.name === "ci-v0-20-3-gpu")).engine;
    expect(gpu.resources.limits["nvidia.com/gpu"]).toBe("2");
    expect(gpu.nodeSelector).toEqual({ pool: "gpu" });
  });

  test("a GPU engine reusing an engine's release name, or of another version, is refused, naming the prop", () => {
    const errors = (gpuEngines: any) => {
      const stack = new TerraformStack(Testing.app(), "s");
      return new DaggerEngines(stack, "engines", props({ engines: gpuEngines })).node.validate();
    };
    expect(errors(planEngineNames("ci", versions, "daemonset"))).toEqual([
      'gpu.engines[0].releaseName: "ci-v0-20-3" is also an engine\'s release name (a GPU engine needs its own, e.g. planEngineNames with gpu: true)',
    ]);
    expect(errors(planEngineNames("ci", parseVersionList(["0.19.10"], "versions"), "daemonset", {}, { gpu: true }))).toEqual([
      'gpu.engines[0].releaseName: "ci-v0-19-10-gpu" is a GPU engine of version 0.19.10, which is not among engines (0.20.3)',
    ]);
  });
});
