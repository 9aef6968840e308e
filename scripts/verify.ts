/**
 * `npm run verify [-- --charts DIR] [--out DIR] [--kube-version X.Y.Z]`: the preflight against
 * the real charts. Synthesizes the config (RUNNERS_CONFIG, or the built-in default) into a
 * scratch directory, or reads an existing cdktf output (`--out`), renders every Helm release
 * with `helm template` and checks the contracts (docs/verify.md).
 *
 * Exit 0: clean. 1: findings (one line each), or a bad config. 2: cannot run (no helm, a chart
 * missing, bad arguments), one line on stderr.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

process.setSourceMapsEnabled(false);

const USAGE = "usage: npm run verify [-- --charts DIR] [--out DIR] [--kube-version X.Y.Z]";

interface Args {
  charts?: string;
  out?: string;
  kubeVersion?: string;
}

function parseArgs(argv: readonly string[]): Args | string {
  const a: Args = {};
  const keys: Record<string, keyof Args> = { "--charts": "charts", "--out": "out", "--kube-version": "kubeVersion" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const key = keys[flag];
    if (!key) return `unknown argument ${JSON.stringify(argv[i])} (${USAGE})`;
    const value = inline ?? argv[++i];
    if (value === undefined || value === "") return `${flag} needs a value (${USAGE})`;
    a[key] = value;
  }
  if (a.kubeVersion && !/^\d+\.\d+\.\d+$/.test(a.kubeVersion)) return `--kube-version ${JSON.stringify(a.kubeVersion)} is not MAJOR.MINOR.PATCH (e.g. 1.33.0)`;
  if (a.charts && !fs.existsSync(a.charts)) return `--charts ${JSON.stringify(a.charts)}: no such directory`;
  return a;
}

/* eslint-disable @typescript-eslint/no-require-imports -- loaded after the arguments are checked (a usage error is immediate) */
async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    process.stderr.write(`error: ${args}\n`);
    return 2;
  }
  const { CannotVerify, formatFinding, verify } = require("../lib/verify") as typeof import("../lib/verify");
  const { findHelm } = require("../lib/verify/render") as typeof import("../lib/verify/render");
  const { KUBERNETES_SCHEMA_VERSION } = require("../lib/verify/kube-schema") as typeof import("../lib/verify/kube-schema");
  let helm: string;
  try {
    helm = findHelm();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }

  let outdir = args.out;
  let scratch: string | undefined;
  let source = `cdktf output ${args.out}`;
  if (!outdir) {
    const { ConfigError, loadConfig } = require("../lib/config/load") as typeof import("../lib/config/load");
    const { synthDeployment } = require("../lib/app") as typeof import("../lib/app");
    const { formatSynthError } = require("../lib/errors") as typeof import("../lib/errors");
    try {
      const loaded = loadConfig();
      source = loaded.source;
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), "verify-synth-"));
      synthDeployment(loaded.config, loaded.plan, scratch);
      outdir = scratch;
    } catch (e) {
      process.stderr.write(`error: ${e instanceof ConfigError ? e.message : formatSynthError(e)}\n`);
      return 1;
    }
  }

  try {
    const kubeVersion = args.kubeVersion ?? KUBERNETES_SCHEMA_VERSION;
    const { releases, findings } = await verify({ outdir, chartsDir: args.charts, helm, kubeVersion });
    const from = args.charts ? `charts from ${args.charts}` : "charts pulled from their repositories";
    const lines = [`Config: ${source}`, `Rendered ${releases.length} Helm releases for Kubernetes ${kubeVersion} (${from}; schemas: Kubernetes ${KUBERNETES_SCHEMA_VERSION} and the charts' CRDs):`];
    // A chart bundled in the stack output (assets/.../<chart>-<version>.tgz) shows as `<chart> <version> (bundled)`.
    const chart = (r: (typeof releases)[number]) =>
      r.release.chart.endsWith(".tgz") ? `${r.release.chart.replace(/^.*\//, "").replace(/-[0-9][^-]*\.tgz$/, "")} ${r.release.version} (bundled)` : `${r.release.chart} ${r.release.version}`;
    const w = Math.max(...releases.map((r) => r.release.name.length));
    const cw = Math.max(...releases.map((r) => chart(r).length));
    for (const r of releases) {
      const bad = findings.some((f) => f.release === r.release.name);
      lines.push(`  ${bad ? "FAIL" : "ok  "}  ${r.release.name.padEnd(w)}  ${chart(r).padEnd(cw)}  ${r.error ? "does not render" : `${r.objects.length} objects`}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    if (findings.length === 0) {
      process.stdout.write("verify: no findings\n");
      return 0;
    }
    process.stdout.write(`${findings.map((f) => `finding: ${formatFinding(f)}`).join("\n")}\nverify: ${findings.length} finding${findings.length === 1 ? "" : "s"}\n`);
    return 1;
  } catch (e) {
    if (e instanceof CannotVerify) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
