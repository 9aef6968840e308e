/** The package as a library: what another cdktf project imports from "cdktf-dagger-runners". */
import { App, Testing } from "cdktf";
import * as lib from "../lib";

describe("public API (lib/index.ts)", () => {
  test("exports the constructs, stacks, config and planning functions", () => {
    for (const name of [
      "DaggerEngines",
      "GithubRunners",
      "RunnerNamespaces",
      "ArcController",
      "RunnerScaleSet",
      "RunnerCleanup",
      "ArcCrds",
      "RunnerDisruptionBudget",
      "GkeCluster",
      "GkeNodePools",
      "GkeNetwork",
      "GkeSharedVpcGrants",
      "GkeIdentity",
      "ClusterStack",
      "RunnersStack",
      "parseConfig",
      "loadConfig",
      "buildStacks",
      "planRunners",
      "planDeployment",
      "planCapacity",
      "renderReport",
      "planPicture",
      "renderMermaid",
      "renderSvg",
    ]) {
      expect(lib).toHaveProperty(name);
    }
  });

  test("composes into another app and synthesizes", () => {
    const app = Testing.app();
    const { config, plan } = lib.parseConfig({ name: "ci", target: "existing-cluster", dagger: { versions: ["0.19.10", "0.20.3"] } });
    const { cluster, runners } = lib.buildStacks(app as App, config, plan);
    expect(cluster).toBeUndefined();
    const json = JSON.parse(Testing.synth(runners, true));
    expect(json.output.runner_labels.value).toEqual(plan.runnerLabels);
    expect(Object.keys(json.output.runner_labels.value)).toContain("dagger-v0.19");
    expect(runners.engines.specs.map((s) => s.version)).toEqual(["0.19.10", "0.20.3"]);
  });
});
