/**
 * Two deployments side by side (issue 12, part 6): `peers` names the other deployment's config;
 * synth refuses a peer that would collide on GitHub (a scale-set name in the same runner group),
 * in Terraform (the same name) or in a cluster (the same one), and accepts staging beside prod
 * once their labels differ, without changing prod's labels.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, loadConfig } from "../lib/config/load";
import { runScript, scratchDirs } from "./util";

const tmp = scratchDirs("peers-test-");
const ORG = "github: { configUrl: https://github.com/my-org, pat: true }";

/** Writes `files` (name -> YAML) into a fresh directory; returns its path. */
function write(files: Record<string, string>): string {
  const dir = tmp();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const PROD = `gcp: { projectId: prod-proj-123 }\n${ORG}\n`;

describe("peers: staging beside prod in one GitHub organization", () => {
  test("the same labels in the same runner group: refused, naming the peer, the scale set and the way out", () => {
    const dir = write({ "prod.yaml": PROD, "staging.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\n${ORG}\npeers: [prod.yaml]\n` });
    expect(() => loadConfig(path.join(dir, "staging.yaml"))).toThrow(ConfigError);
    expect(() => loadConfig(path.join(dir, "staging.yaml"))).toThrow(
      /^peers\[0\]: "prod\.yaml" registers scale set "dagger-v0\.20\.3" \(and 2 more\) in runner group "default" of https:\/\/github\.com\/my-org too \(ARC would reuse one scale set for both; set runners\.labelPrefix, e\.g\. "dagger-staging", or github\.runnerGroup\)$/,
    );
  });

  test("a label prefix or another runner group tells them apart; prod's labels do not change", () => {
    const dir = write({
      "prod.yaml": PROD,
      "staging.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\n${ORG}\nrunners: { labelPrefix: dagger-staging }\npeers: [prod.yaml]\n`,
      "staging-group.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\ngithub: { configUrl: https://github.com/my-org, pat: true, runnerGroup: staging }\npeers: [prod.yaml]\n`,
    });
    const staging = loadConfig(path.join(dir, "staging.yaml"));
    expect(Object.keys(staging.plan.runnerLabels).sort()).toEqual(["dagger-staging-latest", "dagger-staging-v0.20", "dagger-staging-v0.20.3"]);
    expect(Object.keys(loadConfig(path.join(dir, "staging-group.yaml")).plan.runnerLabels).sort()).toEqual(["dagger-latest", "dagger-v0.20", "dagger-v0.20.3"]);
    expect(Object.keys(loadConfig(path.join(dir, "prod.yaml")).plan.runnerLabels).sort()).toEqual(["dagger-latest", "dagger-v0.20", "dagger-v0.20.3"]);
  });

  test("another organization may use the same labels", () => {
    const dir = write({ "prod.yaml": PROD, "other.yaml": `name: dagger-other\ngcp: { projectId: stg-proj-123 }\ngithub: { configUrl: https://github.com/other-org, pat: true }\npeers: [prod.yaml]\n` });
    expect(loadConfig(path.join(dir, "other.yaml")).plan.runnerLabels["dagger-v0.20"]).toBe("0.20.3");
  });

  test.each([
    ["the same name", `gcp: { projectId: stg-proj-123 }\n${ORG}\nrunners: { labelPrefix: dagger-staging }\n`, /^peers\[0\]: "prod\.yaml" is named "dagger-runners" too \(the stacks dagger-runners-runners and the engine releases would be the same; set name to tell them apart\)$/],
    [
      "the same GKE cluster",
      `name: dagger-staging\ngcp: { projectId: prod-proj-123 }\ncluster: { name: dagger-runners }\n${ORG}\nrunners: { labelPrefix: dagger-staging }\n`,
      /^peers\[0\]: "prod\.yaml" deploys to the same cluster \(gke prod-proj-123\/us-central1\/dagger-runners\); one deployment per cluster: ARC's CRDs and controller are cluster-wide \(deploy staging to its own cluster\)$/,
    ],
  ])("%s: refused", (_name, staging, message) => {
    const dir = write({ "prod.yaml": PROD, "staging.yaml": `${staging}peers: [prod.yaml]\n` });
    expect(() => loadConfig(path.join(dir, "staging.yaml"))).toThrow(message);
  });

  test("a peer that cannot be read or is not valid: one line naming peers[i]", () => {
    const dir = write({ "bad.yaml": "dagger: { versions: [nope] }\n", "a.yaml": "peers: [missing.yaml]\n", "b.yaml": "peers: [bad.yaml]\n" });
    expect(() => loadConfig(path.join(dir, "a.yaml"))).toThrow(/^peers\[0\]: "missing\.yaml" is not a usable peer config \(no such file\)$/);
    expect(() => loadConfig(path.join(dir, "b.yaml"))).toThrow(/^peers\[0\]: "bad\.yaml" is not a usable peer config \(dagger\.versions\[0\]: "nope" /);
  });

  test("through npm run synth: one line, exit 1, nothing written", async () => {
    const dir = write({ "prod.yaml": PROD, "staging.yaml": `name: dagger-staging\ngcp: { projectId: stg-proj-123 }\n${ORG}\npeers: [prod.yaml]\n` });
    const out = path.join(dir, "out");
    const r = await runScript("scripts/synth.ts", [], { RUNNERS_CONFIG: path.join(dir, "staging.yaml"), CDKTF_OUTDIR: out });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^error: peers\[0\]: "prod\.yaml" registers scale set "dagger-v0\.20\.3"/)]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
