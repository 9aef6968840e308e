/**
 * The GitHub runner layer against hand-written engine specs for all three transports.
 * Facts asserted (actions/actions-runner-controller charts 0.14.x): scale-set values keys,
 * runner container `runner` running /home/runner/run.sh, `controllerServiceAccount` set
 * explicitly, `scaleSetLabels` registered only at creation (issue 4424).
 */
import { helmValues } from "./util";
import { controllerRelease, engineSpec, scaleSetReleases, synthRunners, RunnersSynth } from "./github-runners-fixtures";
import { COPY_TOOL, COPY_TOOL_DIR, RUNNER_PATH, SAFE_TO_EVICT, TOOLS_DIR } from "../lib/planning/runner-pod";

// Static BusyBox staged by the first init container (docker-library/busybox builds it with
// CONFIG_STATIC=y at /bin/busybox); it runs the copies inside the engine and kubectl images.
const BUSYBOX_IMAGE = "docker.io/library/busybox:1.37.0-musl";
const COPY_MOUNT = { name: "dagger-copy-tool", mountPath: COPY_TOOL_DIR };
const TOOLS_MOUNT = { name: "dagger-tools", mountPath: TOOLS_DIR };
const STAGE = {
  name: "stage-copy-tool",
  image: BUSYBOX_IMAGE,
  command: ["/bin/busybox", "cp", "/bin/busybox", COPY_TOOL],
  volumeMounts: [COPY_MOUNT],
};

const APP = { configUrl: "https://github.com/acme", app: { id: 12345, installationId: "678" } };
const SIZES = {
  "": { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  large: { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "8Gi" } },
};
const base = (extra: Record<string, unknown> = {}) => ({
  github: APP,
  dagger: { versions: ["0.19.10", "0.20.3"] },
  runners: { sizes: SIZES, minRunners: 1, aliasMinRunners: 0, maxRunners: 5 },
  ...extra,
});

/** The deployment's warnings (planned once; RunnersStack annotates them, GithubRunners adds none). */
const warnings = (s: RunnersSynth) => {
  const annotated = s.runners.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn"));
  if (annotated.length > 0) throw new Error(`GithubRunners annotated warnings of its own: ${annotated.map((m) => m.data).join("; ")}`);
  return s.warnings;
};

const nsRef = (which: "controller" | "runners") => `\${kubernetes_namespace_v1.namespaces_${which}_`;
const env = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe("per-label strategy, unix transport", () => {
  let s: RunnersSynth;
  let sets: Record<string, any>;
  beforeAll(() => {
    s = synthRunners(base(), (vs) => vs.map((v) => engineSpec(v, "unix")));
    sets = scaleSetReleases(s.stack);
  });

  test("one scale set per label, named exactly after it", () => {
    const names = Object.values(sets).map((r) => helmValues(r).runnerScaleSetName).sort();
    expect(names).toEqual(
      [
        "dagger-v0.20.3", "dagger-v0.19.10", "dagger-v0.20", "dagger-v0.19", "dagger-latest",
        "dagger-v0.20.3-large", "dagger-v0.19.10-large", "dagger-v0.20-large", "dagger-v0.19-large", "dagger-latest-large",
      ].sort(),
    );
    expect(Object.keys(sets).sort()).toContain("dagger-v0-19-10-large");
    for (const r of Object.values(sets)) {
      const v = helmValues(r);
      expect(v.runnerScaleSetName.length).toBeLessThanOrEqual(45);
      expect(v).not.toHaveProperty("scaleSetLabels");
      expect(r.lifecycle).toBeUndefined();
    }
    expect(s.stack.resource.terraform_data).toBeUndefined();
  });

  test("runner_labels come from the real scale sets", () => {
    expect(s.runners.runnerLabels).toEqual({
      "dagger-v0.20.3": "0.20.3", "dagger-v0.19.10": "0.19.10", "dagger-v0.20": "0.20.3", "dagger-v0.19": "0.19.10", "dagger-latest": "0.20.3",
      "dagger-v0.20.3-large": "0.20.3", "dagger-v0.19.10-large": "0.19.10", "dagger-v0.20-large": "0.20.3", "dagger-v0.19-large": "0.19.10", "dagger-latest-large": "0.20.3",
    });
  });

  test("scale-set values: URL, Secret name, group, min/max, controller SA, same chart version", () => {
    const ctrl = controllerRelease(s.stack);
    const exact = helmValues(sets["dagger-v0-20-3"]);
    expect(exact.githubConfigUrl).toBe("https://github.com/acme");
    expect(exact.githubConfigSecret).toMatch(/^\$\{kubernetes_secret_v1\.[\w-]+\.metadata\[0\]\.name\}$/);
    expect(exact.runnerGroup).toBe("default");
    expect([exact.minRunners, exact.maxRunners]).toEqual([1, 5]);
    expect(helmValues(sets["dagger-latest"]).minRunners).toBe(0); // aliasMinRunners
    expect(exact.controllerServiceAccount.name).toBe("arc-gha-rs-controller");
    expect(exact.controllerServiceAccount.namespace).toContain(nsRef("controller"));
    expect(helmValues(ctrl).serviceAccount).toEqual({ create: true, name: "arc-gha-rs-controller" });
    for (const r of [ctrl, ...Object.values(sets)]) {
      expect(r.version).toBe("0.14.2");
      expect(r.repository).toBe("oci://ghcr.io/actions/actions-runner-controller-charts");
    }
    expect(sets["dagger-v0-20-3"].namespace).toContain(nsRef("runners"));
    expect(sets["dagger-v0-20-3"].depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.github_controller_release/)]));
  });

  test("pod template: CLI init container, bounded socket wait, read-only socket, env, annotations", () => {
    const t = helmValues(sets["dagger-v0-19-10-large"]).template;
    expect(t.metadata.annotations).toEqual({ [SAFE_TO_EVICT]: "false" });
    expect(t.metadata.labels).toBeUndefined();
    const [stage, cli, wait, ...rest] = t.spec.initContainers;
    expect(rest).toEqual([]);
    expect(stage).toMatchObject(STAGE);
    // No shell and no `cp` of the engine image: the staged static BusyBox is the command.
    expect(cli).toMatchObject({
      name: "install-dagger-cli",
      image: "registry.dagger.io/engine:v0.19.10",
      command: [COPY_TOOL, "cp", "/usr/local/bin/dagger", `${TOOLS_DIR}/dagger`],
      volumeMounts: [COPY_MOUNT, TOOLS_MOUNT],
    });
    expect(wait.name).toBe("wait-for-engine");
    expect(wait.image).toBe("ghcr.io/actions/actions-runner:2.333.1");
    expect(wait.command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(wait.command[2]).toContain('-gt 150'); // 300 s in 2 s steps, then exit 1
    expect(wait.command[2]).toContain("exit 1");
    expect(env(wait)).toEqual({ SOCKET: "/run/dagger/engine.sock" });
    expect(wait.volumeMounts).toEqual([{ name: "dagger-engine-socket", mountPath: "/run/dagger", readOnly: true }]);

    expect(t.spec.containers).toHaveLength(1);
    const runner = t.spec.containers[0];
    expect(runner.name).toBe("runner");
    expect(runner.image).toBe("ghcr.io/actions/actions-runner:2.333.1");
    expect(runner.command).toEqual(["/home/runner/run.sh"]);
    expect(env(runner)).toEqual({
      _EXPERIMENTAL_DAGGER_RUNNER_HOST: "unix:///run/dagger/engine.sock",
      _EXPERIMENTAL_DAGGER_CLI_BIN: `${TOOLS_DIR}/dagger`,
      PATH: RUNNER_PATH,
      DAGGER_CLOUD_TOKEN: { secretKeyRef: { name: "dagger-cloud-token", key: "DAGGER_CLOUD_TOKEN" } },
    });
    expect(RUNNER_PATH.startsWith(`${TOOLS_DIR}:`)).toBe(true);
    expect(runner.resources).toEqual(SIZES.large);
    expect(runner.volumeMounts).toEqual([
      { name: "dagger-tools", mountPath: TOOLS_DIR, readOnly: true },
      { name: "dagger-engine-socket", mountPath: "/run/dagger", readOnly: true },
    ]);
    expect(t.spec.volumes).toEqual([
      { name: "dagger-tools", emptyDir: {} },
      { name: "dagger-copy-tool", emptyDir: {} },
      { name: "dagger-engine-socket", hostPath: { path: "/run/dagger-dagger-runners-v0-19-10-dagger-helm", type: "DirectoryOrCreate" } },
    ]);
    // Every volume is mounted by some container.
    const mounted = new Set([...t.spec.initContainers, ...t.spec.containers].flatMap((c: any) => c.volumeMounts.map((m: any) => m.name)));
    expect(t.spec.volumes.every((v: any) => mounted.has(v.name))).toBe(true);
    expect(t.spec.automountServiceAccountToken).toBe(false);
    // Every runner pod uses the one runner ServiceAccount (Workload Identity maps it on GKE).
    expect(t.spec.serviceAccountName).toBe("dagger-runner");
  });

  test("namespaces: runners privileged (hostPath socket), controller baseline", () => {
    const ns = s.stack.resource.kubernetes_namespace_v1;
    expect(Object.keys(ns)).toHaveLength(2);
    const byName = Object.fromEntries(Object.values<any>(ns).map((n) => [n.metadata.name, n.metadata.labels]));
    expect(byName["arc-runners"]).toMatchObject({
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/audit": "privileged",
      "pod-security.kubernetes.io/warn": "privileged",
    });
    expect(byName["arc-systems"]).toMatchObject({ "pod-security.kubernetes.io/enforce": "baseline" });
  });

  test("controller values: typed keys", () => {
    expect(helmValues(controllerRelease(s.stack))).toEqual({
      replicaCount: 1,
      // eventual: a changed scale set waits for running and pending jobs (arc.updateStrategy default).
      flags: { logLevel: "info", logFormat: "json", updateStrategy: "eventual" },
      // arc.metrics defaults to true (issue 15): the chart's documented metrics values.
      metrics: { controllerManagerAddr: ":8080", listenerAddr: ":8080", listenerEndpoint: "/metrics" },
      serviceAccount: { create: true, name: "arc-gha-rs-controller" },
      // The default GKE system pool: the controller (and the listeners) off the job pool.
      nodeSelector: { "cloud.google.com/gke-nodepool": "system" },
    });
    expect(controllerRelease(s.stack).namespace).toContain(nsRef("controller"));
  });
});

describe("multi-label strategy, tcp transport", () => {
  let s: RunnersSynth;
  let sets: Record<string, any>;
  beforeAll(() => {
    s = synthRunners(
      base({
        arc: {
          labelStrategy: "multi-label",
          replicas: 2,
          logLevel: "debug",
          logFormat: "text",
          updateStrategy: "immediate",
          metrics: true,
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
          nodeSelector: { pool: "system" },
          tolerations: [{ key: "system", operator: "Exists", effect: "NoSchedule" }],
          controllerValues: { priorityClassName: "system-cluster-critical" },
        },
      }),
      (vs) => vs.map((v) => engineSpec(v, "tcp", { cloudTokenSecret: undefined })),
    );
    sets = scaleSetReleases(s.stack);
  });

  test("one scale set per version and size: exact label as name, or with aliases the exact label plus their hash", () => {
    const got = Object.fromEntries(Object.values(sets).map((r) => [helmValues(r).runnerScaleSetName, helmValues(r).scaleSetLabels]));
    // The hashes: sha256sum of the sorted aliases joined by newlines, first 6 hex digits.
    expect(got).toEqual({
      "dagger-v0.20.3-945c2d": ["dagger-v0.20.3", "dagger-v0.20", "dagger-latest"],
      "dagger-v0.19.10-e7064c": ["dagger-v0.19.10", "dagger-v0.19"],
      "dagger-v0.20.3-large-d01f46": ["dagger-v0.20.3-large", "dagger-v0.20-large", "dagger-latest-large"],
      "dagger-v0.19.10-large-fe5082": ["dagger-v0.19.10-large", "dagger-v0.19-large"],
    });
    expect(helmValues(sets["dagger-v0-20-3-945c2d"]).minRunners).toBe(1);
    expect(Object.keys(s.runners.runnerLabels)).toHaveLength(10);
  });

  test("no replacement trigger: a label change is a new scale set (new name); Helm waits up to 6 h for an uninstall", () => {
    expect(s.stack.resource.terraform_data).toBeUndefined();
    for (const r of Object.values(sets)) {
      expect(r.lifecycle).toBeUndefined();
      expect([r.wait, r.timeout]).toEqual([true, 21600]);
    }
  });

  test("pod template: NetworkPolicy labels, no socket, no hostPath, no cloud token", () => {
    const t = helmValues(sets["dagger-v0-20-3-945c2d"]).template;
    expect(t.metadata.labels).toEqual({ "dagger-runners/engine": "dagger-runners-v0-20-3" }); // the engine's NetworkPolicy admits these
    expect(t.metadata.annotations[SAFE_TO_EVICT]).toBe("false");
    expect(t.spec.initContainers.map((c: any) => c.name)).toEqual(["stage-copy-tool", "install-dagger-cli"]);
    expect(t.spec.volumes).toEqual([
      { name: "dagger-tools", emptyDir: {} },
      { name: "dagger-copy-tool", emptyDir: {} },
    ]);
    const runner = t.spec.containers[0];
    expect(env(runner)._EXPERIMENTAL_DAGGER_RUNNER_HOST).toBe("tcp://dagger-runners-v0-20-3-tcp.dagger-engines.svc.cluster.local:1234");
    expect(env(runner)).not.toHaveProperty("DAGGER_CLOUD_TOKEN");
    expect(runner.volumeMounts).toEqual([{ name: "dagger-tools", mountPath: TOOLS_DIR, readOnly: true }]);
  });

  test("runners namespace is baseline without node sockets", () => {
    const byName = Object.fromEntries(Object.values<any>(s.stack.resource.kubernetes_namespace_v1).map((n: any) => [n.metadata.name, n.metadata.labels]));
    expect(byName["arc-runners"]["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  test("controller: replicas, log flags, metrics, pass-through values", () => {
    expect(helmValues(controllerRelease(s.stack))).toEqual({
      replicaCount: 2,
      flags: { logLevel: "debug", logFormat: "text", updateStrategy: "immediate" },
      metrics: { controllerManagerAddr: ":8080", listenerAddr: ":8080", listenerEndpoint: "/metrics" },
      serviceAccount: { create: true, name: "arc-gha-rs-controller" },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      // The system pool's selector with arc.nodeSelector on top.
      nodeSelector: { "cloud.google.com/gke-nodepool": "system", pool: "system" },
      tolerations: [{ key: "system", operator: "Exists", effect: "NoSchedule" }],
      priorityClassName: "system-cluster-critical",
    });
  });

  test("github.com config: no GitHub Enterprise Server label warning", () => {
    expect(warnings(s).filter((w) => w.includes("AllowRunnerScaleSetCustomLabels"))).toEqual([]);
  });
});

describe("kube-pod transport", () => {
  let s: RunnersSynth;
  let sets: Record<string, any>;
  beforeAll(() => {
    s = synthRunners(
      base({
        runners: {
          sizes: SIZES,
          nodeSelector: { pool: "runners" },
          tolerations: [{ key: "runners", operator: "Exists", effect: "NoSchedule" }],
          templatePatch: { priorityClassName: "runners", containers: [{ name: "runner", env: [{ name: "EXTRA", value: "1" }] }] },
        },
      }),
      (vs) => vs.map((v) => engineSpec(v, "kube-pod", { imagePullSecrets: ["regcred"] })),
    );
    sets = scaleSetReleases(s.stack);
  });

  test("creates the runner ServiceAccount the engine's RBAC binds to, once", () => {
    const sas = Object.values<any>(s.stack.resource.kubernetes_service_account_v1);
    const runnerSa = sas.filter((a) => a.metadata.name === "dagger-runner");
    expect(runnerSa).toHaveLength(1);
    expect(runnerSa[0].metadata.namespace).toContain(nsRef("runners"));
    expect(runnerSa[0].automount_service_account_token).toBe(true);
    expect(sets["dagger-v0-20-3"].depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_service_account_v1\./)]));
  });

  test("pod template: ServiceAccount, pinned kubectl copied onto PATH, no hostPath", () => {
    const t = helmValues(sets["dagger-v0-20"]).template;
    expect(t.spec.serviceAccountName).toBe("dagger-runner");
    expect(t.spec.automountServiceAccountToken).toBe(true);
    expect(t.spec.imagePullSecrets).toEqual([{ name: "regcred" }]);
    const kubectl = t.spec.initContainers.find((c: any) => c.name === "install-kubectl");
    // registry.k8s.io/kubectl is distroless (no sh, no cp): the staged static BusyBox copies
    // /bin/kubectl out, run as the container command inside the kubectl image.
    expect(kubectl).toMatchObject({
      image: "registry.k8s.io/kubectl:v1.34.9",
      command: [COPY_TOOL, "cp", "/bin/kubectl", `${TOOLS_DIR}/kubectl`],
      volumeMounts: [COPY_MOUNT, TOOLS_MOUNT],
    });
    expect(kubectl.image).not.toMatch(/bitnami|:latest$/);
    expect(t.spec.initContainers.map((c: any) => c.name)).toEqual(["stage-copy-tool", "install-dagger-cli", "install-kubectl"]);
    expect(t.spec.initContainers[0]).toMatchObject(STAGE);
    expect(env(t.spec.containers[0])._EXPERIMENTAL_DAGGER_RUNNER_HOST).toBe("kube-pod://dagger-runners-v0-20-3-dagger-helm-engine-0?namespace=dagger-engines");
    expect(t.spec.volumes.map((v: any) => v.name)).toEqual(["dagger-tools", "dagger-copy-tool"]);
    // The copy tool never reaches the runner container.
    expect(t.spec.containers[0].volumeMounts.map((m: any) => m.name)).toEqual(["dagger-tools"]);
  });

  test("runner pool placement and templatePatch merge", () => {
    const t = helmValues(sets["dagger-v0-19-10"]).template;
    // The planned runners pool, with runners.nodeSelector on top.
    expect(t.spec.nodeSelector).toEqual({ "cloud.google.com/gke-nodepool": "runners", pool: "runners" });
    expect(t.spec.tolerations).toEqual([{ key: "runners", operator: "Exists", effect: "NoSchedule" }]);
    expect(t.spec.priorityClassName).toBe("runners");
    expect(t.spec.containers).toHaveLength(1);
    const e = env(t.spec.containers[0]);
    expect(e.EXTRA).toBe("1");
    expect(e._EXPERIMENTAL_DAGGER_RUNNER_HOST).toMatch(/^kube-pod:\/\//);
    expect(t.spec.containers[0].command).toEqual(["/home/runner/run.sh"]);
  });

  test("runners namespace is baseline", () => {
    const byName = Object.fromEntries(Object.values<any>(s.stack.resource.kubernetes_namespace_v1).map((n: any) => [n.metadata.name, n.metadata.labels]));
    expect(byName["arc-runners"]["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  test("failed-pod cleanup: own ServiceAccount, Role limited to list/delete pods, kubectl without a shell", () => {
    const roles = Object.values<any>(s.stack.resource.kubernetes_role_v1);
    expect(roles).toHaveLength(1);
    expect(roles[0].metadata.namespace).toContain(nsRef("runners"));
    expect(roles[0].rule).toEqual([{ api_groups: [""], resources: ["pods"], verbs: ["list", "delete"] }]);
    const binding = Object.values<any>(s.stack.resource.kubernetes_role_binding_v1)[0];
    expect(binding.role_ref).toMatchObject({ kind: "Role", api_group: "rbac.authorization.k8s.io" });
    expect(binding.subject).toHaveLength(1);
    expect(binding.subject[0].kind).toBe("ServiceAccount");
    expect(binding.subject[0].name).toMatch(/^\$\{kubernetes_service_account_v1\.github_cleanup_sa/);

    const cron = Object.values<any>(s.stack.resource.kubernetes_cron_job_v1)[0];
    expect(cron.spec.schedule).toBe("*/15 * * * *");
    const pod = cron.spec.job_template.spec.template.spec;
    expect(pod.service_account_name).toBe(binding.subject[0].name);
    const [c] = pod.container;
    expect(c.image).toBe("registry.k8s.io/kubectl:v1.34.9");
    expect(c.command[0]).toBe("/bin/kubectl");
    expect(c.command).not.toContain("sh");
    expect(c.command).toEqual(expect.arrayContaining(["delete", "pods", "--field-selector=status.phase==Failed", "--wait=false"]));
  });
});

describe("image and controller knobs change the output", () => {
  let s: RunnersSynth;
  let sets: Record<string, any>;
  beforeAll(() => {
    s = synthRunners(
      base({
        github: { configUrl: "https://ghe.example.com/acme", pat: true },
        arc: { labelStrategy: "multi-label", scaleSetVersion: "0.14.1", controllerValues: { serviceAccount: { name: "arc-ctrl" } } },
        runners: {
          sizes: SIZES,
          image: "ghcr.io/actions/actions-runner:2.334.0",
          kubectlImage: "registry.example.com/tools/kubectl:v1.35.2",
          kubectlPath: "/usr/local/bin/kubectl",
          copyToolImage: "registry.example.com/mirror/busybox:1.37.0-musl",
          cleanup: { image: "registry.example.com/tools/kubectl-cleanup:v2", schedule: "@hourly" },
        },
      }),
      (vs) => vs.map((v) => engineSpec(v, "kube-pod")),
    );
    sets = scaleSetReleases(s.stack);
  });

  test("runner image, kubectl image and path, copy-tool image", () => {
    const t = helmValues(sets["dagger-v0-20-3-945c2d"]).template;
    const byName = Object.fromEntries(t.spec.initContainers.map((c: any) => [c.name, c]));
    expect(byName["stage-copy-tool"].image).toBe("registry.example.com/mirror/busybox:1.37.0-musl");
    expect(byName["install-kubectl"]).toMatchObject({
      image: "registry.example.com/tools/kubectl:v1.35.2",
      command: [COPY_TOOL, "cp", "/usr/local/bin/kubectl", `${TOOLS_DIR}/kubectl`],
    });
    expect(t.spec.containers[0].image).toBe("ghcr.io/actions/actions-runner:2.334.0");
  });

  test("cleanup image and schedule; kubectl run as the command at runners.kubectlPath", () => {
    const cron = Object.values<any>(s.stack.resource.kubernetes_cron_job_v1)[0];
    expect(cron.spec.schedule).toBe("@hourly");
    const [c] = cron.spec.job_template.spec.template.spec.container;
    expect(c.image).toBe("registry.example.com/tools/kubectl-cleanup:v2");
    expect(c.command[0]).toBe("/usr/local/bin/kubectl");
  });

  test("arc.scaleSetVersion pins the scale-set charts (patch only), arc.version the controller", () => {
    expect(controllerRelease(s.stack).version).toBe("0.14.2");
    for (const r of Object.values(sets)) expect(r.version).toBe("0.14.1");
  });

  test("the controller's ServiceAccount (from arc.controllerValues) is what every scale set references", () => {
    expect(helmValues(controllerRelease(s.stack)).serviceAccount).toEqual({ create: true, name: "arc-ctrl" });
    for (const r of Object.values(sets)) expect(helmValues(r).controllerServiceAccount.name).toBe("arc-ctrl");
  });

  test("multi-label on GitHub Enterprise Server warns about the custom-labels flag", () => {
    const w = warnings(s).filter((x) => x.includes("AllowRunnerScaleSetCustomLabels"));
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('arc.labelStrategy: "multi-label" on GitHub Enterprise Server ghe.example.com');
  });
});

describe("credentials and secrets", () => {
  const SENTINEL_KEY = "-----BEGIN RSA PRIVATE KEY-----SENTINEL-KEY-4c1f-----END RSA PRIVATE KEY-----";
  const SENTINEL_PAT = "ghp_SENTINELpat0000000000000000000000000";
  let app: RunnersSynth;
  let pat: RunnersSynth;
  let existing: RunnersSynth;
  beforeAll(() => {
    process.env.TF_VAR_github_app_private_key = SENTINEL_KEY;
    process.env.TF_VAR_github_token = SENTINEL_PAT;
    const unix = (vs: string[]) => vs.map((v) => engineSpec(v, "unix"));
    app = synthRunners(base(), unix);
    pat = synthRunners(base({ github: { configUrl: "https://github.com/acme/widgets", pat: true, runnerGroup: "dagger" } }), unix);
    existing = synthRunners(
      base({ github: { configUrl: "https://github.com/enterprises/acme", existingSecretName: "arc-github" }, runners: { createNamespaces: false, cleanup: { enabled: false } } }),
      unix,
    );
  });
  afterAll(() => {
    delete process.env.TF_VAR_github_app_private_key;
    delete process.env.TF_VAR_github_token;
  });

  test("GitHub App: sensitive variable github_app_private_key into a Secret in the runners namespace", () => {
    expect(app.stack.variable.github_app_private_key).toMatchObject({ sensitive: true, type: "string" });
    expect(app.stack.variable.github_token).toBeUndefined();
    const [secret] = Object.values<any>(app.stack.resource.kubernetes_secret_v1);
    expect(secret.metadata.namespace).toContain(nsRef("runners"));
    expect(secret.data).toEqual({
      github_app_id: "12345",
      github_app_installation_id: "678",
      github_app_private_key: "${var.github_app_private_key}",
    });
  });

  test("PAT: sensitive variable github_token", () => {
    expect(pat.stack.variable.github_token).toMatchObject({ sensitive: true });
    const [secret] = Object.values<any>(pat.stack.resource.kubernetes_secret_v1);
    expect(secret.data).toEqual({ github_token: "${var.github_token}" });
    const v = helmValues(Object.values(scaleSetReleases(pat.stack))[0]);
    expect(v.githubConfigUrl).toBe("https://github.com/acme/widgets");
    expect(v.runnerGroup).toBe("dagger");
  });

  test("existing Secret in a pre-created namespace: nothing created, its name passed", () => {
    expect(existing.stack.resource.kubernetes_secret_v1).toBeUndefined();
    expect(existing.stack.resource.kubernetes_namespace_v1).toBeUndefined();
    expect(existing.stack.resource.kubernetes_cron_job_v1).toBeUndefined();
    expect(existing.stack.variable).toBeUndefined();
    for (const r of Object.values(scaleSetReleases(existing.stack))) {
      expect(r.namespace).toBe("arc-runners");
      const v = helmValues(r);
      expect(v.githubConfigSecret).toBe("arc-github");
      expect(v.controllerServiceAccount.namespace).toBe("arc-systems");
    }
  });

  test("no Helm value carries credentials; githubConfigSecret is always a Secret name", () => {
    for (const s of [app, pat, existing]) {
      for (const r of Object.values<any>(s.stack.resource.helm_release)) {
        const text = (r.values ?? []).join("\n");
        expect(text).not.toMatch(/github_token|github_app_private_key|github_app_id|PRIVATE KEY|var\./);
        expect(r.set ?? []).toEqual([]);
        expect(r.set_sensitive).toBeUndefined();
        if (r.chart === "gha-runner-scale-set") expect(typeof helmValues(r).githubConfigSecret).toBe("string");
      }
    }
  });

  test("sentinel private key and PAT passed as TF variables appear nowhere in the synth output", () => {
    for (const s of [app, pat, existing]) {
      expect(s.allText.length).toBeGreaterThan(1000);
      expect(s.allText).not.toContain("SENTINEL");
    }
  });
});
