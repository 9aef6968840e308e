/** Config and construct validation of the GitHub runner layer, and its pure helpers. */
import { engineSpec, synthRunners } from "./github-runners-fixtures";
import { configError } from "./util";
import { gitHubEnterpriseServerHost } from "../lib/planning/runner-warnings";
import { mergePatch, waitForSocketScript, buildRunnerPodTemplate } from "../lib/planning/runner-pod";
import { runnersPodSecurityLevel } from "../lib/planning/arc-values";

const URL = "https://github.com/acme";
const ok = { github: { configUrl: URL, pat: true } };
const err = configError;

describe("config errors: one line naming the key", () => {
  test.each([
    [
      "controller/scale-set version mismatch",
      { ...ok, arc: { version: "0.14.2", scaleSetVersion: "0.13.1" } },
      'arc.scaleSetVersion: "0.13.1" must match arc.version 0.14.2',
    ],
    // ARC below 0.13.1 ships no CRD chart here (docs/runners.md#upgrading-arc): refused before any other ARC rule.
    [
      "an ARC version whose CRDs the package does not ship",
      { ...ok, arc: { version: "0.11.0", scaleSetVersion: "0.11.1" } },
      'arc.version: "0.11.0" has no CRD chart in this package (shipped: 0.13.1, 0.14.1, 0.14.2); add it with npm run arc-crds',
    ],
    ["a scale-set minor below the controller's", { ...ok, arc: { version: "0.13.1", scaleSetVersion: "0.11.1" } }, 'arc.scaleSetVersion: "0.11.1" must match arc.version 0.13.1'],
    ["multi-label with ARC < 0.14", { ...ok, arc: { version: "0.13.1", labelStrategy: "multi-label" } }, 'arc.labelStrategy: "multi-label" needs ARC 0.14.0 or newer (arc.version is 0.13.1'],
    [
      "multi-label with scale sets < 0.14",
      { ...ok, arc: { version: "0.14.1", scaleSetVersion: "0.13.9", labelStrategy: "multi-label" } },
      "arc.scaleSetVersion",
    ],
    ["missing credentials", { github: { configUrl: URL } }, 'github: {"configUrl":"https://github.com/acme"} needs credentials: set exactly one of github.app'],
    [
      "conflicting credentials (app + pat)",
      { github: { configUrl: URL, pat: true, app: { id: 1, installationId: 2 } } },
      "github.pat: true conflicts with github.app (",
    ],
    [
      "conflicting credentials (pat + existing secret)",
      { github: { configUrl: URL, pat: true, existingSecretName: "gh" } },
      'github.existingSecretName: "gh" conflicts with github.pat (',
    ],
    ["a token in the config file", { github: { configUrl: URL, pat: "ghp_abc" } }, 'github.pat: "ghp_abc" is a string (expected true or false)'],
    ["a private key in the config file", { github: { configUrl: URL, app: { id: 1, installationId: 2, privateKey: "x" } } }, "github.app.privateKey: unknown key"],
    ["http URL", { ...ok, github: { ...ok.github, configUrl: "http://github.com/acme" } }, 'github.configUrl: "http://github.com/acme" is not a GitHub organization, repository or enterprise URL'],
    ["URL without owner", { github: { configUrl: "https://github.com/", pat: true } }, "github.configUrl:"],
    ["URL too deep", { github: { configUrl: "https://github.com/acme/repo/tree", pat: true } }, "github.configUrl:"],
    ["URL without scheme", { github: { configUrl: "github.com/acme", pat: true } }, "github.configUrl:"],
    ["bad installation id", { github: { configUrl: URL, app: { id: 1, installationId: "abc" } } }, 'github.app.installationId: "abc" is not a GitHub App installation id'],
    ["min > max", { ...ok, runners: { minRunners: 6, maxRunners: 5 } }, "runners.minRunners: 6 is greater than runners.maxRunners (5)"],
    ["alias min > max", { ...ok, runners: { aliasMinRunners: 9, maxRunners: 5 } }, "runners.aliasMinRunners: 9 is greater than runners.maxRunners (5)"],
    [
      "scale-set name over 45 characters",
      { ...ok, runners: { sizes: { "extra-extra-extra-extra-large-xx": {} } } },
      'runners.sizes.extra-extra-extra-extra-large-xx: "extra-extra-extra-extra-large-xx" makes scale-set name',
    ],
    ["unpinned kubectl", { ...ok, runners: { kubectlImage: "registry.k8s.io/kubectl:latest" } }, "runners.kubectlImage:"],
    ["unpinned copy tool", { ...ok, runners: { copyToolImage: "busybox" } }, 'runners.copyToolImage: "busybox" is not a pinned image'],
    ["bad cron", { ...ok, runners: { cleanup: { schedule: "every hour" } } }, 'runners.cleanup.schedule: "every hour" is not a cron schedule'],
  ])("%s", (_name, raw, expected) => {
    const msg = err(raw);
    expect(msg).toContain(expected);
    expect(msg).not.toContain("\n");
  });

  test.each([
    ["patch mismatch from 0.12 on", { ...ok, arc: { version: "0.14.2", scaleSetVersion: "0.14.1" } }],
    ["repository URL", { github: { configUrl: "https://github.com/acme/widgets", pat: true } }],
    ["enterprise URL", { github: { configUrl: "https://github.com/enterprises/acme", pat: true } }],
    ["GHES URL", { github: { configUrl: "https://ghe.example.com:8443/acme", app: { id: "Iv23liAbC", installationId: 7 } } }],
    ["placeholder config without credentials", {}],
  ])("accepts %s", (_n, raw) => {
    expect(err(raw)).toBe("(no error)");
  });
});

describe("construct validation", () => {
  const unix = (vs: string[]) => vs.map((v) => engineSpec(v, "unix"));
  test("runners and controller in the same namespace (a config error, before any construct)", () => {
    expect(() => synthRunners({ ...ok, runners: { namespace: "arc" }, arc: { namespace: "arc" } }, unix)).toThrow(
      'arc.namespace: "arc" conflicts with runners.namespace (the controller, runners and engines namespaces must differ)',
    );
  });
  // Engine specs that do not fit the scale sets are construct errors: they name the props.
  test("an engine version without a connection spec", () => {
    expect(() => synthRunners({ ...ok, dagger: { versions: ["0.19.10", "0.20.3"] } }, () => [engineSpec("0.20.3", "tcp")])).toThrow(
      /scaleSets\[1\]\.version: "0\.19\.10" has no engine \(engines: 0\.20\.3\)\n[^\n]*\n\s*If you wish/,
    );
  });
  test("a unix spec without socket directory", () => {
    expect(() => synthRunners(ok, (vs) => vs.map((v) => engineSpec(v, "unix", { hostSocketDir: undefined })))).toThrow(/has transport unix but no hostSocketDir/);
  });
  test("runners.serviceAccountName conflicting with a kube-pod engine's", () => {
    expect(() =>
      synthRunners({ ...ok, runners: { serviceAccountName: "mine" } }, (vs) => vs.map((v) => engineSpec(v, "kube-pod"))),
    ).toThrow(/pod\.serviceAccountName: "mine" differs from the ServiceAccount "dagger-runner" the kube-pod engine 0\.20\.3 grants exec to/);
  });
  test("a controller ServiceAccount named default", () => {
    expect(() =>
      synthRunners({ ...ok, arc: { controllerValues: { serviceAccount: { name: "default" } } } }, (vs) => vs.map((v) => engineSpec(v, "tcp"))),
    ).toThrow(/arc\.controllerValues\.serviceAccount\.name: "default" must be a non-default ServiceAccount name/);
  });
  test("runners.serviceAccountName is used by tcp runners", () => {
    const s = synthRunners({ ...ok, runners: { serviceAccountName: "mine" } }, (vs) => vs.map((v) => engineSpec(v, "tcp")));
    const r: any = Object.values<any>(s.stack.resource.helm_release).find((x) => x.chart === "gha-runner-scale-set");
    const t = JSON.parse(r.values[0]).template;
    expect(t.spec.serviceAccountName).toBe("mine");
    expect(t.spec.automountServiceAccountToken).toBe(false); // tcp runners never call the API
    const sa: any = Object.values<any>(s.stack.resource.kubernetes_service_account_v1);
    expect(sa.map((x: any) => x.metadata.name)).toContain("mine");
  });
});

describe("pure helpers", () => {
  test.each([
    [["unix"], "privileged"],
    [["tcp", "kube-pod"], "baseline"],
    [["tcp", "unix"], "privileged"],
    [[], "baseline"],
  ] as const)("pod security for %j is %s", (t, level) => {
    expect(runnersPodSecurityLevel(t)).toBe(level);
  });

  test.each([
    [{ a: 1, b: { c: 1 } }, { b: { d: 2 } }, { a: 1, b: { c: 1, d: 2 } }],
    [{ a: 1, b: 2 }, { a: null }, { b: 2 }],
    [{ l: [1, 2] }, { l: [3] }, { l: [3] }],
    [
      { c: [{ name: "x", v: 1 }, { name: "y", v: 1 }] },
      { c: [{ name: "y", v: 2 }, { name: "z", v: 3 }] },
      { c: [{ name: "x", v: 1 }, { name: "y", v: 2 }, { name: "z", v: 3 }] },
    ],
  ])("mergePatch(%j, %j)", (base, patch, want) => {
    const before = JSON.stringify(base);
    expect(mergePatch(base, patch)).toEqual(want);
    expect(JSON.stringify(base)).toBe(before);
  });

  test("the socket wait is bounded", () => {
    expect(waitForSocketScript(60)).toContain('-gt 30 ]; then');
    expect(waitForSocketScript(1)).toContain('-gt 1 ]; then');
  });

  test.each([
    ["https://github.com/acme", undefined],
    ["https://acme.ghe.com/acme", undefined],
    ["https://ghe.example.com:8443/enterprises/acme", "ghe.example.com"],
  ])("GHES host of %s", (url, host) => {
    expect(gitHubEnterpriseServerHost(url)).toBe(host);
  });

  test("the pod builder refuses an unusable spec", () => {
    expect(() =>
      buildRunnerPodTemplate({
        engine: engineSpec("0.20.3", "kube-pod", { serviceAccountName: undefined }),
        runnerImage: "r:1",
        kubectl: { image: "k:1", path: "/bin/kubectl" },
        copyToolImage: "b:1",
      }),
    ).toThrow(/no serviceAccountName/);
  });
});
