/**
 * Engine layer, pure parts: the chart naming rule, connection spec strings (the contract with
 * the runner layer), engine.json validation and warnings. No synth.
 */
import { daggerChartFullname } from "../lib/planning/names";
import {
  defaultTransport,
  engineServiceName,
  hostSocketDir,
  imageOverride,
  planEngineNames,
  planEngineSpec,
} from "../lib/planning/engines";
import { engineTransportRule, formatProblem } from "../lib/planning/rules";
import { parseVersion, parseVersionList } from "../lib/planning/versions";
import { defaultEngineConfig, effectiveEngineConfig, validateEngineConfig } from "../lib/planning/engine-config";
import { engineWarnings } from "../lib/planning/engines";

// dagger/dagger helm/dagger/templates/_helpers.tpl `dagger.fullname`:
//   contains "dagger-helm" .Release.Name -> release; else printf "%s-%s" release "dagger-helm";
//   then trunc 63 | trimSuffix "-".
describe("chart fullname rule (contract)", () => {
  const r = (n: number, c = "a") => c.repeat(n);
  it.each([
    ["dagger-runners-v0-20-3", "dagger-runners-v0-20-3-dagger-helm"],
    ["ci-dagger-helm-v0-20-3", "ci-dagger-helm-v0-20-3"], // already contains the chart name
    [r(51), `${r(51)}-dagger-helm`], // exactly 63: untouched
    [r(52), `${r(52)}-dagger-hel`], // 64 -> truncated to 63
    [r(55), `${r(55)}-dagger`], // cut lands after "-dagger-": trailing "-" trimmed (62 chars)
    [r(62), r(62)], // cut lands on the first "-": trimmed
    [r(70), r(63)], // longer than 63 on its own
  ])("%s -> %s", (release, fullname) => {
    expect(daggerChartFullname(release)).toBe(fullname);
    expect(daggerChartFullname(release).length).toBeLessThanOrEqual(63);
  });
});

describe("engine names against limits", () => {
  const v = [parseVersion("0.20.3")];
  it("names the workload and the StatefulSet pod as the chart does", () => {
    const [e] = planEngineNames("dagger-runners", v, "statefulset");
    expect(e).toEqual({
      version: "0.20.3",
      releaseName: "dagger-runners-v0-20-3",
      fullname: "dagger-runners-v0-20-3-dagger-helm",
      workloadName: "dagger-runners-v0-20-3-dagger-helm-engine",
      podName: "dagger-runners-v0-20-3-dagger-helm-engine-0",
    });
  });
  it("a release long enough to hit the chart's 63-character truncation is rejected (pod label `name` would exceed 63)", () => {
    const name = "x".repeat(45); // release 53 chars -> fullname truncated to 63 -> workload 70
    expect(daggerChartFullname(`${name}-v0-20-3`)).toHaveLength(63);
    expect(() => planEngineNames(name, v, "daemonset")).toThrow(
      `name: "${name}" makes engine daemonset name "${name}-v0-20-3-dagger-he-engine" 70 characters long (at most 63); use a shorter name`,
    );
  });
  it("accepts a DaemonSet name of exactly 63 and rejects a StatefulSet over 52", () => {
    const name = "y".repeat(36); // release 44, fullname 56, workload 63
    const [e] = planEngineNames(name, v, "daemonset");
    expect(e.workloadName).toHaveLength(63);
    expect(() => planEngineNames(name, v, "statefulset")).toThrow(/statefulset name .* 63 characters long \(at most 52\)/);
  });
});

describe("connection specs (contract with the runner layer)", () => {
  const [names] = planEngineNames("dagger-runners", parseVersionList(["0.20.3"]), "daemonset");
  const [stsNames] = planEngineNames("dagger-runners", parseVersionList(["0.20.3"]), "statefulset");

  it("unix: the chart's run hostPath, mounted at the CLI's default socket dir", () => {
    const s = planEngineSpec(names, { mode: "daemonset", transport: "unix", namespace: "dagger-engines", nodeSelector: { pool: "engines" } });
    expect(s).toEqual({
      version: "0.20.3",
      transport: "unix",
      runnerHost: "unix:///run/dagger/engine.sock",
      hostSocketDir: "/run/dagger-dagger-runners-v0-20-3-dagger-helm",
      socketMountPath: "/run/dagger",
      image: "registry.dagger.io/engine:v0.20.3",
      cliPath: "/usr/local/bin/dagger",
      namespace: "dagger-engines",
      releaseName: "dagger-runners-v0-20-3",
      waitForEngine: true,
      nodeSelector: { pool: "engines" },
    });
  });

  it("unix: every supported chart (v0.17.0 on) puts the socket under /run/dagger-<fullname>", () => {
    // dagger/dagger helm/dagger/templates/engine-daemonset.yaml at v0.17.0: `path: /run/dagger-{{ include "dagger.fullname" . }}`
    expect(hostSocketDir("f")).toBe("/run/dagger-f");
  });

  it("kube-pod: the StatefulSet's single pod, and the RBAC ServiceAccount", () => {
    const s = planEngineSpec(stsNames, { mode: "statefulset", transport: "kube-pod", namespace: "dagger-engines" });
    expect(s.runnerHost).toBe("kube-pod://dagger-runners-v0-20-3-dagger-helm-engine-0?namespace=dagger-engines");
    expect(s.serviceAccountName).toBe("dagger-runner");
    expect(s.waitForEngine).toBe(false);
    // Dagger's kube-pod connhelper accepts only ^[-a-z0-9.]+$ names.
    const m = /^kube-pod:\/\/([^?]+)\?namespace=(.+)$/.exec(s.runnerHost)!;
    expect(m[1]).toMatch(/^[-a-z0-9.]+$/);
    expect(m[2]).toMatch(/^[-a-z0-9.]+$/);
  });

  it("tcp: our Service's cluster DNS name, port and client label", () => {
    const s = planEngineSpec(stsNames, { mode: "statefulset", transport: "tcp", namespace: "eng", port: 4321, image: "mirror/engine:v0.20.3" });
    expect(s.runnerHost).toBe("tcp://dagger-runners-v0-20-3-tcp.eng.svc.cluster.local:4321");
    expect(s.clientPodLabels).toEqual({ "dagger-runners/engine": "dagger-runners-v0-20-3" });
    expect(s.serviceName).toBe("dagger-runners-v0-20-3-tcp");
    expect(s.port).toBe(4321);
    expect(s.image).toBe("mirror/engine:v0.20.3");
    expect(s.waitForEngine).toBe(false);
    const d = planEngineSpec(names, { mode: "daemonset", transport: "tcp", namespace: "eng" });
    expect(d.runnerHost).toBe("tcp://dagger-runners-v0-20-3-tcp.eng.svc.cluster.local:1234");
    expect(d.waitForEngine).toBe(true); // internalTrafficPolicy Local: the node's own engine
  });

  it("defaults and invalid transports per mode", () => {
    expect(defaultTransport("daemonset")).toBe("unix");
    expect(defaultTransport("statefulset")).toBe("kube-pod");
    // One rule, named by the caller's paths: config keys or construct props.
    const config = { mode: ["dagger", "engine", "mode"], transport: ["dagger", "engine", "transport"] };
    const props = { mode: ["mode"], transport: ["transport"] };
    expect(engineTransportRule({ mode: "statefulset", transport: "unix" }, config).map(formatProblem)).toEqual([
      expect.stringMatching(/^dagger\.engine\.transport: "unix" is not valid with dagger\.engine\.mode "statefulset" \(/),
    ]);
    expect(engineTransportRule({ mode: "daemonset", transport: "kube-pod" }, props).map(formatProblem)).toEqual([
      expect.stringMatching(/^transport: "kube-pod" is not valid with mode "daemonset" \(/),
    ]);
    expect(engineTransportRule({ mode: "daemonset", transport: "tcp" }, props)).toEqual([]);
    expect(engineTransportRule({ mode: "statefulset" }, props)).toEqual([]);
    expect(engineServiceName("r")).toBe("r-tcp");
  });

  it("image overrides: {version} template and per-version map", () => {
    expect(imageOverride("m.example/dagger/engine:v{version}", "0.20.3")).toBe("m.example/dagger/engine:v0.20.3");
    expect(imageOverride({ "0.20.3": "a/b:1" }, "0.20.3")).toBe("a/b:1");
    expect(imageOverride({ "v0.20.3": "a/b:1" }, "0.20.3")).toBe("a/b:1");
    expect(imageOverride(undefined, "0.20.3")).toBeUndefined();
  });
});

describe("engine.json", () => {
  // Every engine version whose schema the package ships: 0.17.0 to 1.0.0-beta.10 (lib/schemas/engine/SOURCES).
  const ALL = ["0.17.0", "0.18.9", "0.18.11", "0.19.0", "0.20.3", "0.21.8", "1.0.0-beta.10"];
  it("default GC settings satisfy the engine schema of every version in both modes", () => {
    expect(validateEngineConfig(defaultEngineConfig("daemonset"), ALL)).toBeUndefined();
    expect(validateEngineConfig(defaultEngineConfig("statefulset"), ALL)).toBeUndefined();
    expect(defaultEngineConfig("daemonset")).toEqual({
      gc: { maxUsedSpace: "50%", minFreeSpace: "25%", reservedSpace: "5GB" },
      // Jobs share the engine: none may ask it for a privileged container (Dagger allows it by default).
      security: { insecureRootCapabilities: false },
    });
  });
  it("user keys replace the defaults' top-level keys", () => {
    expect(effectiveEngineConfig("daemonset", { logLevel: "debug" })).toEqual({ ...defaultEngineConfig("daemonset"), logLevel: "debug" });
    expect(effectiveEngineConfig("daemonset", { gc: { enabled: false } })).toEqual({ gc: { enabled: false }, security: { insecureRootCapabilities: false } });
    // The opt-in replaces the security block and keeps the GC defaults.
    expect(effectiveEngineConfig("statefulset", { security: { insecureRootCapabilities: true } })).toEqual({
      gc: { maxUsedSpace: "80%", minFreeSpace: "15%", reservedSpace: "10GB" },
      security: { insecureRootCapabilities: true },
    });
  });
  it.each([
    [{ gc: { maxUsedSpace: "lots" } }, ["gc", "maxUsedSpace"], /^is not a disk space/],
    [{ logLevel: "loud" }, ["logLevel"], /^is not allowed \(expected one of: error, warn, info/],
    [{ gcc: {} }, ["gcc"], /^is not an engine.json key here for engine 0\.20\.3 \(its schema, published at v0\.19\.0, allows: logLevel, gc, security, registries\); the engine would refuse to start$/],
    [{ registries: { "docker.io": { mirrors: ["mirror.gcr.io"] } } }, ["registries", "docker.io", "http"], /^is required/],
    [{ gc: { policies: [{ keepDuration: "soon" }] } }, ["gc", "policies", 0, "keepDuration"], /^is not a duration/],
  ])("%j is rejected", (config, path, message) => {
    const p = validateEngineConfig(config, ["0.20.3"])!;
    expect(p.path).toEqual(path);
    expect(p.message).toMatch(message);
  });
  it("accepts a docker.io mirror written in full", () => {
    expect(
      validateEngineConfig({ registries: { "docker.io": { mirrors: ["mirror.gcr.io"], http: false, insecure: false, ca: [] } } }, ["0.20.3"]),
    ).toBeUndefined();
  });
  it.each([
    // Keys that the schema on dagger/dagger main had but no released engine knows.
    [{ telemetry: {} }, ["0.20.3"], "0.20.3", "0.19.0", ["telemetry"]],
    [{ remoteCache: {} }, ["0.21.8"], "0.21.8", "0.19.0", ["remoteCache"]],
    // registries arrived in 0.19.0: refused for an older version in the list, named.
    [{ registries: {} }, ["0.20.3", "0.18.19"], "0.18.19", "0.18.11", ["registries"]],
    // gc.dagqlCache arrived in 1.0.0-beta.10.
    [{ gc: { dagqlCache: {} } }, ["0.21.8"], "0.21.8", "0.19.0", ["gc", "dagqlCache"]],
  ])("%j is refused for the version that does not know it (%j)", (config, versions, version, since, path) => {
    const p = validateEngineConfig(config, versions)!;
    expect(p.path).toEqual(path);
    expect(p.message).toContain(`for engine ${version} (its schema, published at v${since}, allows: `);
  });
  it("gc.dagqlCache is accepted from 1.0.0-beta.10, registries from 0.19.0", () => {
    expect(validateEngineConfig({ gc: { dagqlCache: {} } }, ["1.0.0-beta.10"])).toBeUndefined();
    expect(validateEngineConfig({ registries: {} }, ["0.19.0", "0.21.8"])).toBeUndefined();
  });
  it("a config error from the file names the key and the version", () => {
    const { ConfigError, parseConfig } = require("../lib/config/load") as typeof import("../lib/config/load");
    expect(() => parseConfig({ dagger: { versions: ["0.18.19", "0.20.3"], engine: { config: { registries: {} } } } })).toThrow(ConfigError);
    expect(() => parseConfig({ dagger: { versions: ["0.18.19", "0.20.3"], engine: { config: { registries: {} } } } })).toThrow(
      'dagger.engine.config.registries: {} is not an engine.json key here for engine 0.18.19 (its schema, published at v0.18.11, allows: logLevel, gc, security); the engine would refuse to start',
    );
  });
  it("a version newer than the last shipped schema is checked against it, with a warning", () => {
    const { parseConfig } = require("../lib/config/load") as typeof import("../lib/config/load");
    const { plan } = parseConfig({ dagger: { versions: ["0.20.3", "1.0.0"] } });
    expect(plan.warnings).toContain(
      "dagger.engine.config: engine 1.0.0 is newer than v1.0.0-beta.10, the last tag whose engine.json schema this package ships; it was checked against that schema (add the version's schema to lib/schemas/engine/ if it changed)",
    );
    expect(parseConfig({ dagger: { versions: ["0.21.8"] } }).plan.warnings.join()).not.toContain("newer than");
  });
});

describe("warnings for risky choices", () => {
  it("flags each risky choice once and nothing by default", () => {
    expect(engineWarnings({ mode: "daemonset", transport: "unix" })).toEqual([]);
    const w = engineWarnings({
      mode: "statefulset",
      transport: "kube-pod",
      port: 1234,
      cache: { storageClass: "standard" },
      vpa: { enabled: true, updateMode: "Recreate" },
    });
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/^dagger.engine.port: 1234 makes every engine listen on unauthenticated TCP/);
    expect(w[1]).toMatch(/^dagger.engine.cache.storageClass: "standard" is a standard persistent disk \(HDD\)/);
    expect(w[2]).toMatch(/^dagger.engine.vpa.updateMode: "Recreate" lets the VPA restart an engine/);
    expect(
      engineWarnings({ mode: "daemonset", transport: "unix", nodeDiskTypes: [{ path: "cluster.nodePools.runners", diskType: "pd-standard" }] }),
    ).toEqual([expect.stringMatching(/^cluster.nodePools.runners.diskType: "pd-standard" \(HDD\) holds the daemonset engines' cache/)]);
    expect(engineWarnings({ mode: "daemonset", transport: "tcp", networkPolicyUnknown: true })).toEqual([
      expect.stringMatching(/"tcp" has no authentication/),
    ]);
  });
});
