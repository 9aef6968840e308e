/**
 * `npm run verify`: renders every `helm_release` of synthesized stacks with the real chart of
 * its version and checks the contracts between the charts and our own resources
 * ({@link checkContracts}). See docs/verify.md.
 */
import { Finding, checkContracts } from "./checks";
import { KUBERNETES_SCHEMA_VERSION, KubeSchemas } from "./kube-schema";
import { ChartSource, RenderedRelease, helmReleases, locateChart, renderRelease } from "./render";
import { readSynthOutput, tfResources } from "./terraform";
import { monitoringCrdsDir } from "./scrape";

export { CannotVerify } from "./terraform";
export { formatFinding } from "./checks";
export type { Finding } from "./checks";

export interface VerifyOptions extends ChartSource {
  /** cdktf output directory (`manifest.json`, `stacks/*`, `deployment-plan.json`). */
  readonly outdir: string;
  /** Kubernetes version to render for. @default KUBERNETES_SCHEMA_VERSION */
  readonly kubeVersion?: string;
}

export interface VerifyResult {
  readonly releases: readonly RenderedRelease[];
  readonly findings: readonly Finding[];
}

/** Renders and checks; throws {@link CannotVerify} when it cannot run (no manifest, chart missing). */
export async function verify(o: VerifyOptions): Promise<VerifyResult> {
  const out = readSynthOutput(o.outdir);
  const resources = tfResources(out);
  const inputs = helmReleases(resources);
  // Every chart is located (pulled) concurrently; the first failure in release order is reported.
  const located = await Promise.allSettled(inputs.map((r) => locateChart(r, o)));
  const failed = located.find((x): x is PromiseRejectedResult => x.status === "rejected");
  if (failed) throw failed.reason;
  const dirs = located.map((x) => (x as PromiseFulfilledResult<string>).value);
  const releases = await Promise.all(inputs.map((r, i) => renderRelease(r, dirs[i], o.helm, o.kubeVersion ?? KUBERNETES_SCHEMA_VERSION)));
  const schemas = new KubeSchemas();
  for (const d of new Set(dirs)) schemas.addChartCrds(d);
  // The scrape objects' CRDs (Managed Prometheus, Prometheus Operator): no chart here ships them.
  schemas.addChartCrds(monitoringCrdsDir());
  return { releases, findings: checkContracts({ releases, resources, plan: out.plan, schemas }) };
}
