/**
 * The deployment report printed after `npm run synth`: plain-text tables read from the
 * deployment plan (never re-derived). Pure code.
 */
import type { DeploymentPlan } from "./planning/deployment";

/** Renders rows as an aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The `runs-on` label table: label, engine version, scale set, size. */
export function labelTable(plan: DeploymentPlan): string {
  return table(
    ["LABEL", "ENGINE", "SCALE SET", "SIZE"],
    plan.runners.labels.map((l) => [l.label, l.version, l.scaleSet, l.size === "" ? "(default)" : l.size]),
  );
}

/** The whole human report. */
export function renderReport(plan: DeploymentPlan): string {
  const parts = [
    `Stacks: ${[plan.stacks.cluster, plan.stacks.runners].filter(Boolean).join(", ")}`,
    `Label strategy: ${plan.runners.strategy} (${plan.runners.scaleSets.length} scale sets, ${plan.runners.labels.length} labels)`,
    "",
    labelTable(plan),
  ];
  if (plan.warnings.length > 0) {
    parts.push("", "Warnings:", ...plan.warnings.map((w) => `  ! ${w}`));
  }
  return parts.join("\n");
}
