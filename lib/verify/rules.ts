/**
 * Alert rules (`Rules`, `PrometheusRule`) against the scrape objects beside them: every `job`
 * a rule selects is one a scrape object of these stacks gives its series (on Managed Prometheus
 * in the rule's own namespace, which is all a namespaced `Rules` sees), and every metric it reads
 * is one of lib/planning/metric-names.ts. Pure: no helm, no files.
 */
import { METRIC_NAMES } from "../planning/metric-names";
import { PromQLError, metricNamesOf } from "../planning/promql";
import type { K8sObject } from "./render";
import type { ScrapeObject } from "./scrape";

type Add = (release: string, field: string, message: string) => void;

const RULE_KINDS = new Set(["monitoring.googleapis.com/v1 Rules", "monitoring.coreos.com/v1 PrometheusRule"]);

export function isRuleObject(o: K8sObject | undefined): o is K8sObject {
  return !!o && RULE_KINDS.has(`${o.apiVersion} ${o.kind}`);
}

/** Whether `name` is a listed metric, or a histogram's `_bucket`/`_sum`/`_count` series. */
export function knownMetric(name: string): boolean {
  if (METRIC_NAMES.some((m) => m.name === name)) return true;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return !!base && METRIC_NAMES.some((m) => m.name === base && m.type === "histogram");
}

/** The `job` values a PromQL expression selects (`job="x"`, `job=~"a|b"` of plain names). */
export function jobsOf(expr: string): string[] {
  const out: string[] = [];
  for (const m of expr.matchAll(/\bjob\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
    const value = m[2].replace(/\\\\/g, "\\");
    for (const j of m[1] === "=" ? [value] : value.split("|")) out.push(j.replace(/\\(.)/g, "$1"));
  }
  return out;
}

export interface RuleObject {
  /** `kubernetes_manifest.<name>` for findings. */
  readonly ref: string;
  readonly object: K8sObject;
}

export function checkRuleObjects(rules: readonly RuleObject[], scrapes: readonly ScrapeObject[], add: Add): void {
  for (const { ref, object: o } of rules) {
    const gmp = o.kind === "Rules";
    const ns = o.metadata.namespace ?? "default";
    // The jobs this rule object can see: PodMonitoring names of its namespace (GMP), or `<ns>/<name>` of every PodMonitor.
    const jobs = new Set(
      scrapes
        .filter((s) => (gmp ? s.object.kind === "PodMonitoring" && (s.object.metadata.namespace ?? "default") === ns : s.object.kind === "PodMonitor"))
        .map((s) => (gmp ? s.object.metadata.name : `${s.object.metadata.namespace ?? "default"}/${s.object.metadata.name}`)),
    );
    const groups = ((o.spec as { groups?: { name: string; rules?: { alert?: string; expr?: string }[] }[] })?.groups ?? []);
    groups.forEach((g, gi) =>
      (g.rules ?? []).forEach((r, ri) => {
        const at = `${ref} spec.groups[${gi}].rules[${ri}].expr`;
        const expr = String(r.expr ?? "");
        let names: string[] = [];
        try {
          names = metricNamesOf(expr);
        } catch (e) {
          if (!(e instanceof PromQLError)) throw e;
          add(ref, at, e.message);
        }
        for (const n of names) if (!knownMetric(n)) add(ref, at, `${r.alert ?? "rule"} reads ${n}, which is not in the cited metric list (lib/planning/metric-names.ts)`);
        for (const j of jobsOf(expr)) {
          if (!jobs.has(j)) {
            add(ref, at, `${r.alert ?? "rule"} selects job "${j}", which no scrape object ${gmp ? `in namespace ${ns} ` : ""}gives its series (jobs: ${[...jobs].join(", ") || "none"})`);
          }
        }
      }),
    );
  }
}
