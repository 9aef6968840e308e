/**
 * The plan's transports (printed by `npm run report -- --json`, read by the report) are computed
 * without building constructs: they must equal the specs the engine layer hands the runner layer
 * at synth.
 */
import { App, Testing, Token } from "cdktf";
import { parseConfig } from "../lib/config/load";
import { buildStacks } from "../lib/app";

const CONFIGS: Record<string, unknown> = {
  // gke: DaemonSet engines pinned to the runners pool (placement), unix transport.
  "gke daemonset": {},
  // gke with a gpu pool: the DaemonSet tolerates the runners and gpu pools.
  "gke daemonset on runners and gpu": {
    cluster: { nodePools: { gpu: { accelerator: { type: "nvidia-l4" } } } },
    runners: { sizes: { "": { requests: { cpu: "500m", memory: "1Gi" } }, gpu: { requests: { cpu: "2", memory: "8Gi" } } } },
  },
  // existing cluster: StatefulSet engines over tcp with Dagger Cloud (created client Secret).
  "existing-cluster tcp with cloud": {
    target: "existing-cluster",
    dagger: { versions: ["0.19.10", "0.20.3"], engine: { mode: "statefulset", transport: "tcp", cloud: { enabled: true } } },
  },
  "existing cloud secret": { dagger: { engine: { cloud: { enabled: true, existingSecretName: "dagger-cloud" } } } },
  // mirrors: mirrored and pinned engine images, engine pull Secrets plus the mirror's.
  "mirrors, one pinned engine image": {
    dagger: { versions: ["0.19.10", "0.20.3"], engine: { image: { "0.19.10": "registry.corp.example/pinned/engine:v0.19.10" }, imagePullSecrets: ["engine-pull"] } },
    mirrors: { images: { registry: "registry.corp.example/mirror", pullSecrets: ["mirror-pull", "engine-pull"] } },
  },
};

describe.each(Object.entries(CONFIGS))("report transports: %s", (_name, raw) => {
  const { config, plan } = parseConfig(raw);
  const { runners } = buildStacks(Testing.app() as App, config, plan);
  const reported = plan.transports;

  test("equal the engine layer's connection specs", () => {
    expect(Object.keys(reported)).toEqual(runners.engines.specs.map((s) => s.version));
    for (const spec of runners.engines.specs) {
      const { cloudTokenSecret, ...rest } = spec;
      const { cloudTokenSecret: reportedSecret, ...reportedRest } = reported[spec.version];
      expect(reportedRest).toEqual(rest);
      // A created Secret's name is a reference at synth; the report shows its planned name.
      if (cloudTokenSecret && Token.isUnresolved(cloudTokenSecret.name)) {
        expect(reportedSecret).toEqual({ name: "dagger-cloud-token", key: cloudTokenSecret.key });
      } else {
        expect(reportedSecret).toEqual(cloudTokenSecret);
      }
    }
  });
});

test("report transports carry the placement of node-local engines", () => {
  const { plan } = parseConfig({});
  expect(plan.transports["0.20.3"].nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners" });
});
