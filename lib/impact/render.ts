/**
 * The impact as short, scannable text (the terminal and the deploy pipeline's pull request
 * comment) and as data (`--json`). Pure code.
 */
import type { Action } from "./diff";
import { Finding, Impact, Severity, countActions } from "./assess";

const HEADINGS: readonly [Severity, string, string][] = [
  ["fails", "Will fail at apply", "x"],
  ["disruptive", "Disrupts running jobs", "!"],
  ["safe", "Safe", "-"],
];

const VERDICT: Readonly<Record<Severity, string>> = {
  safe: "SAFE",
  disruptive: "DISRUPTIVE",
  fails: "WILL FAIL AT APPLY",
};

const SYMBOL: Readonly<Record<Action, string>> = { create: "+", update: "~", replace: "-/+", delete: "-" };

/** "2 to create, 1 to update, 0 to replace, 1 to destroy". */
export function actionCounts(impact: Impact): string {
  const n = countActions(impact.resources);
  return `${n.create} to create, ${n.update} to update, ${n.replace} to replace, ${n.delete} to destroy`;
}

/** The findings, worst first, one line each (no header, no resource list): for the PR comment. */
export function renderFindings(findings: readonly Finding[], bullet = "  "): string[] {
  const lines: string[] = [];
  for (const [sev, heading, mark] of HEADINGS) {
    const fs = findings.filter((f) => f.severity === sev);
    if (fs.length === 0) continue;
    lines.push(`${heading}:`);
    for (const f of fs) lines.push(`${bullet}${mark} ${f.text}`);
  }
  return lines;
}

/** The whole report: verdict, findings, then every resource that changes, by stack. */
export function renderImpact(impact: Impact): string {
  const lines = [`Impact of ${impact.before} → ${impact.after}: ${VERDICT[impact.verdict]} (exit ${impact.exitCode})`];
  if (impact.resources.length === 0) {
    lines.push("No resource changes.");
    return lines.join("\n");
  }
  lines.push("", ...renderFindings(impact.findings));
  const stacks = [...new Set(impact.resources.map((r) => r.stack))];
  for (const stack of stacks) {
    const rs = impact.resources.filter((r) => r.stack === stack);
    const n = countActions(rs);
    lines.push("", `Resources of ${stack}: ${n.create} to create, ${n.update} to update, ${n.replace} to replace, ${n.delete} to destroy`);
    for (const r of rs) {
      const why =
        r.action === "replace"
          ? ` (forced by ${r.forcedBy.join(", ")})`
          : r.action === "update"
            ? ` (${[...new Set(r.changed.map((c) => c.split(".")[0]))].join(", ")})${r.analysed ? "" : " (replacement not analysed)"}`
            : "";
      lines.push(`  ${SYMBOL[r.action].padEnd(3)} ${r.type}.${r.id}${why}`);
    }
  }
  return lines.join("\n");
}

/** `--json`: the same as data. */
export function impactJson(impact: Impact): string {
  return JSON.stringify(
    {
      before: impact.before,
      after: impact.after,
      verdict: impact.verdict,
      exitCode: impact.exitCode,
      counts: countActions(impact.resources),
      findings: impact.findings,
      resources: impact.resources,
    },
    null,
    2,
  );
}
