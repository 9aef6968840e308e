/**
 * The library as other cdktf stacks use it: the whole deployment as one construct with the
 * config file's shape as props, and the runners stack on any cluster.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App, Fn, TerraformStack, Testing } from "cdktf";
import { EndpointCluster, KubeconfigCluster, RunnersDeployment } from "../lib";
import { ContainerCluster, GoogleProvider } from "../lib/imports/google";
import { scratchDirs } from "./util";

const tmp = scratchDirs("deployment-test-");

/** Synthesizes `app` into a scratch directory: stack name -> cdk.tf.json, and the manifest. */
function synth(build: (app: App) => void): { stacks: Record<string, any>; manifest: any } {
  const outdir = tmp();
  const app = new App({ outdir, stackTraces: false });
  build(app);
  app.synth();
  const stacks: Record<string, any> = {};
  for (const name of fs.readdirSync(path.join(outdir, "stacks"))) {
    stacks[name] = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  }
  return { stacks, manifest: JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) };
}

const GKE_AUTH = { apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin" };

describe("RunnersDeployment: the config file's shape as props", () => {
  test("target gke: both stacks, the runners stack reaching the cluster stack", () => {
    const { stacks, manifest } = synth((app) => new RunnersDeployment(app, "ci", { name: "ci", gcp: { projectId: "my-project" }, dagger: { versions: ["0.20.3"] } }));
    expect(Object.keys(stacks).sort()).toEqual(["ci-cluster", "ci-runners"]);
    expect(manifest.stacks["ci-runners"].dependencies).toEqual(["ci-cluster"]);
    expect(stacks["ci-runners"].provider.kubernetes[0].host).toMatch(/^https:\/\/\$\{data\.terraform_remote_state\./);
    expect(Object.keys(stacks["ci-runners"].output.runner_labels.value).sort()).toEqual(["dagger-latest", "dagger-v0.20", "dagger-v0.20.3"]);
  });

  test("a cluster of your own from another stack (endpoint, CA and an exec credential): no cluster stack", () => {
    const { stacks, manifest } = synth((app) => {
      const platform = new TerraformStack(app, "platform");
      new GoogleProvider(platform, "google", { project: "my-project", region: "europe-west1" });
      const gke = new ContainerCluster(platform, "gke", { name: "platform", location: "europe-west1", initialNodeCount: 1 });
      const cluster = new EndpointCluster({
        host: `https://${gke.endpoint}`,
        clusterCaCertificate: Fn.base64decode(gke.masterAuth.clusterCaCertificate),
        exec: GKE_AUTH,
        stack: platform,
      });
      new RunnersDeployment(app, "ci", { name: "ci", existingCluster: cluster, github: { configUrl: "https://github.com/acme", pat: true } });
    });
    expect(Object.keys(stacks).sort()).toEqual(["ci-runners", "platform"]);
    expect(manifest.stacks["ci-runners"].dependencies).toEqual(["platform"]);
    const runners = stacks["ci-runners"];
    expect(runners.provider.kubernetes[0]).toEqual({
      host: expect.stringMatching(/^https:\/\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-platform\./),
      cluster_ca_certificate: expect.stringMatching(/^\$\{base64decode\(data\.terraform_remote_state\.cross-stack-reference-input-platform\./),
      exec: [{ api_version: GKE_AUTH.apiVersion, command: GKE_AUTH.command }],
    });
    expect(runners.provider.helm[0].kubernetes.exec).toEqual({ api_version: GKE_AUTH.apiVersion, command: GKE_AUTH.command });
    expect(runners.output.cluster_endpoint).toMatchObject({ sensitive: true });
    expect(runners.provider.google).toBeUndefined();
  });

  test("each scale set depends on its engine's release: destroyed before it, created after it", () => {
    const { stacks } = synth((app) => new RunnersDeployment(app, "ci", { name: "ci", target: "existing-cluster", dagger: { versions: ["0.20.3", "0.20.4"] } }));
    const releases = stacks["ci-runners"].resource.helm_release as Record<string, any>;
    const idOf = (name: string) => `helm_release.${Object.keys(releases).find((k) => releases[k].name === name)}`;
    const want: Record<string, string> = { "dagger-v0-20-3": "ci-v0-20-3", "dagger-v0-20-4": "ci-v0-20-4", "dagger-v0-20": "ci-v0-20-4", "dagger-latest": "ci-v0-20-4" };
    for (const [set, engine] of Object.entries(want)) {
      const deps = releases[idOf(set).replace("helm_release.", "")].depends_on;
      expect([set, deps]).toEqual([set, expect.arrayContaining([idOf(engine), idOf("arc")])]);
      expect(deps).not.toContain(idOf(Object.values(want).find((e) => e !== engine)!));
    }
  });

  test("a draining version keeps its engine; its scale set runs at maxRunners 0; the alias points at the other engine", () => {
    const { stacks } = synth((app) => new RunnersDeployment(app, "ci", { name: "ci", target: "existing-cluster", dagger: { versions: ["0.20.3", "0.20.4"], draining: ["0.20.4"] } }));
    const releases = Object.values(stacks["ci-runners"].resource.helm_release) as any[];
    const values = (name: string) => JSON.parse(releases.find((r) => r.name === name).values[0]);
    expect(releases.filter((r) => r.chart === "dagger-helm").map((r) => r.version).sort()).toEqual(["0.20.3", "0.20.4"]);
    expect([values("dagger-v0-20-4").minRunners, values("dagger-v0-20-4").maxRunners]).toEqual([0, 0]);
    expect(values("dagger-v0-20").maxRunners).toBe(10);
    const host = (name: string) => JSON.stringify(values(name).template.spec.volumes);
    expect(host("dagger-v0-20")).toContain("ci-v0-20-3-dagger-helm");
    expect(host("dagger-latest")).toContain("ci-v0-20-3-dagger-helm");
    expect(stacks["ci-runners"].output.runner_labels.value["dagger-v0.20.4"]).toBe("0.20.4");
  });

  test("a kubeconfig cluster", () => {
    const { stacks } = synth((app) => new RunnersDeployment(app, "ci", { name: "ci", existingCluster: new KubeconfigCluster({ configPath: "/etc/kube/ci", context: "prod" }) }));
    expect(stacks["ci-runners"].provider.kubernetes[0]).toEqual({ config_path: "/etc/kube/ci", config_context: "prod" });
    expect(stacks["ci-runners"].output.kubernetes_context.value).toBe("/etc/kube/ci#prod");
  });

  test("bad props fail synth with one line naming the prop; nothing is built", () => {
    const app = Testing.app();
    const d = new RunnersDeployment(app, "ci", { dagger: { versions: ["0.20"] } });
    expect(d.runnersStack).toBeUndefined();
    expect(() => app.synth()).toThrow(/\n {2}\[ci\] dagger\.versions\[0\]: "0\.20" is not a full version \(expected MAJOR\.MINOR\.PATCH, e\.g\. 0\.20\.3\)(\n|$)/);
    const conflict = Testing.app();
    new RunnersDeployment(conflict, "ci", { target: "gke", existingCluster: new KubeconfigCluster() });
    expect(() => conflict.synth()).toThrow(/\[ci\] existingCluster: conflicts with target "gke"/);
  });

  test("EndpointCluster needs exactly one credential", () => {
    expect(() => new EndpointCluster({ host: "https://x", clusterCaCertificate: "PEM" })).toThrow("EndpointCluster: give exactly one of token and exec (got neither)");
    expect(() => new EndpointCluster({ host: "https://x", clusterCaCertificate: "PEM", token: "t", exec: GKE_AUTH })).toThrow(/\(got both\)$/);
  });
});
