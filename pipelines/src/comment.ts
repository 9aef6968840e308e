/**
 * The plan report: one result per stack, rendered as the pull request comment (Markdown, cut to
 * GitHub's comment limit) and as the plain summary `plan` and `deploy` return. Pure: no Dagger
 * imports, so jest loads it directly.
 *
 * Nothing secret reaches a report: plan texts are Terraform's own rendering (sensitive values
 * print as "(sensitive value)"), and the engine replaces the values of an exec's secret
 * variables and mounted secret files with "***" in its stdout and stderr before the module
 * sees them (dagger/dagger, the executor's `NewSecretScrubReader`, engine secret_scrub.go).
 */

/** One stack's outcome. */
export type StackResult =
  | {
      readonly stack: string;
      readonly status: "planned" | "applied";
      readonly add: number;
      readonly change: number;
      readonly destroy: number;
      /** Action (`create`, `update`, `delete`, `replace`) -> resource type -> count. */
      readonly byAction: Readonly<Record<string, Readonly<Record<string, number>>>>;
      /** The stack had been deployed before (its state has outputs). */
      readonly existed: boolean;
      /** `terraform show` of the saved plan. */
      readonly planText: string;
      /** `terraform apply` output (deploy). */
      readonly applyText?: string;
      /** Upstream stacks that change in the same plan: this plan reads their current outputs. */
      readonly upstreamChanging?: readonly string[];
    }
  | {
      readonly stack: string;
      readonly status: "waits";
      /** The upstream stack that does not exist yet, or failed. */
      readonly waitsFor: string;
      readonly reason: "not deployed yet" | "failed";
    }
  | { readonly stack: string; readonly status: "failed"; readonly error: string };

/** Everything a report shows. */
export interface PlanReport {
  /** What was planned: `deploy/runners.yaml`, or `built-in default`. */
  readonly config: string;
  /** `plan` or `deploy`. */
  readonly kind: "plan" | "deploy";
  readonly stacks: readonly StackResult[];
  /** `runs-on` label -> engine version (cdktf.out/deployment-plan.json `runnerLabels`). */
  readonly labels: Readonly<Record<string, string>>;
  /** The deployment's warnings (placeholders, risky choices). */
  readonly warnings: readonly string[];
  /**
   * The picture of the deployment as Mermaid text (cdktf.out/deployment.mmd: node pools ->
   * engines -> scale sets -> labels), when the synth wrote one.
   */
  readonly picture?: string;
  /** Required Terraform variables the plan did not receive (set to a placeholder). */
  readonly placeholderVariables: readonly string[];
  /** The commit planned, when known. */
  readonly commit?: string;
}

/** The hidden marker of a config's comment: one comment per pull request and config. */
export function commentMarker(config: string): string {
  return `<!-- cdktf-dagger-runners:plan config=${config.replace(/-->|[\r\n]/g, "_")} -->`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** "creates 3 helm_release, 1 kubernetes_namespace_v1; replaces 1 ..." for one stack. */
export function impactInWords(r: Extract<StackResult, { status: "planned" | "applied" }>): string {
  const verbs: [string, string][] = [
    ["create", "creates"],
    ["update", "changes"],
    ["replace", "replaces"],
    ["delete", "destroys"],
  ];
  const parts = verbs
    .filter(([a]) => Object.keys(r.byAction[a] ?? {}).length > 0)
    .map(([a, verb]) => {
      const types = Object.entries(r.byAction[a]).sort(([x], [y]) => x.localeCompare(y));
      return `${verb} ${types.map(([t, n]) => `${n} ${t}`).join(", ")}`;
    });
  if (parts.length === 0) return "no changes";
  const lead = r.existed ? "" : "first deploy: ";
  return lead + parts.join("; ");
}

function statusCell(r: StackResult): string {
  switch (r.status) {
    case "planned":
    case "applied": {
      const base = r.status === "applied" ? "applied" : r.add + r.change + r.destroy === 0 ? "no changes" : "changes";
      const notes = [
        ...(r.existed ? [] : ["new stack"]),
        ...(r.upstreamChanging?.length ? [`planned against the current outputs of ${r.upstreamChanging.map(code).join(", ")}, which change too`] : []),
      ];
      return notes.length ? `${base} (${notes.join("; ")})` : base;
    }
    case "waits":
      return `waits for ${code(r.waitsFor)} (${r.reason})`;
    case "failed":
      return "**failed**";
  }
}

const count = (r: StackResult, k: "add" | "change" | "destroy") => (r.status === "planned" || r.status === "applied" ? String(r[k]) : "–");

/**
 * Largest picture the comment shows (a quarter of GitHub's 65536-character limit), so the
 * plans keep most of the room; a larger one is named, not shown.
 */
export const PICTURE_MAX = 16384;

/** A fence longer than any backtick run in `text`. */
function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  return "`".repeat(longest + 1);
}

/** The head of the comment: everything but the folded plans. */
function head(report: PlanReport, marker: string): string {
  const title = report.kind === "plan" ? "Terraform plan" : "Terraform deploy";
  const lines = [marker, `### ${title} of ${code(report.config)}${report.commit ? ` at ${report.commit.slice(0, 12)}` : ""}`, ""];
  lines.push("| Stack | Add | Change | Destroy | Status |", "| --- | ---: | ---: | ---: | --- |");
  for (const r of report.stacks) lines.push(`| ${code(r.stack)} | ${count(r, "add")} | ${count(r, "change")} | ${count(r, "destroy")} | ${statusCell(r)} |`);
  lines.push("");
  const impact = report.stacks.filter((r): r is Extract<StackResult, { status: "planned" | "applied" }> => r.status === "planned" || r.status === "applied");
  if (impact.length > 0) {
    lines.push("**Impact**", "");
    for (const r of impact) lines.push(`- ${code(r.stack)}: ${impactInWords(r)}`);
    lines.push("");
  }
  for (const r of report.stacks) {
    if (r.status === "failed") lines.push(`**${code(r.stack)} failed:**`, "", fence(r.error) + "text", r.error, fence(r.error), "");
  }
  const labels = Object.entries(report.labels);
  if (labels.length > 0) {
    lines.push("**Runner labels** (`runs-on` -> engine)", "", "| Label | Engine |", "| --- | --- |");
    for (const [l, v] of labels) lines.push(`| ${code(l)} | ${v} |`);
    lines.push("");
  }
  const picture = report.picture?.trimEnd();
  if (picture) {
    lines.push("**Deployment** (node pools -> engines -> scale sets -> `runs-on` labels)", "");
    if (picture.length <= PICTURE_MAX) lines.push(fence(picture) + "mermaid", picture, fence(picture), "");
    else lines.push(`The picture (${picture.length} characters of Mermaid) is left out to keep room for the plans: \`cdktf.out/deployment.svg\` has it.`, "");
  }
  if (report.warnings.length > 0) {
    lines.push("**Warnings**", "");
    for (const w of report.warnings) lines.push(`- ${w.replace(/\n/g, " ")}`);
    lines.push("");
  }
  if (report.placeholderVariables.length > 0) {
    lines.push(
      `Not given to this plan, so set to a placeholder: ${report.placeholderVariables.map(code).join(", ")}. Resources that use them may show as changed; the deploy on main uses the real values.`,
      "",
    );
  }
  return lines.join("\n");
}

/** The folded full plan of one stack, its text cut to `room` characters when needed. */
function details(r: Extract<StackResult, { status: "planned" | "applied" }>, room: number): string {
  const summary = `<details><summary>Full plan: ${r.stack} (${r.add} to add, ${r.change} to change, ${r.destroy} to destroy)</summary>`;
  const text = r.applyText ? `${r.planText}\n\n${r.applyText}` : r.planText;
  const wrap = (body: string, note: string) => {
    const f = fence(body);
    return `${summary}\n\n${f}text\n${body}\n${f}\n${note}\n</details>\n`;
  };
  const whole = wrap(text, "");
  if (whole.length <= room) return whole;
  // Cut at a line boundary, leaving room for the note.
  const note = (shown: number) =>
    `\n**Cut:** ${shown} of ${text.length} characters shown; GitHub comments hold at most 65536 characters. The whole plan is in the job's log.\n`;
  let budget = room - wrap("", note(text.length)).length - 8;
  if (budget < 0) budget = 0;
  let cut = text.slice(0, budget);
  const nl = cut.lastIndexOf("\n");
  if (nl > 0) cut = cut.slice(0, nl);
  return wrap(cut, note(cut.length));
}

/**
 * The pull request comment: head (status table, impact, labels, the deployment's picture,
 * warnings) and one folded full
 * plan per planned stack, at most `limit` characters (GitHub's comment limit); plans that do
 * not fit are cut with a note, the last ones first.
 */
export function renderComment(report: PlanReport, limit = 65536): string {
  const marker = commentMarker(report.config);
  let out = head(report, marker);
  const footer = "\n<sub>Posted by the `plan` function of the cdktf-dagger-runners Dagger module; updated on every push.</sub>\n";
  const planned = report.stacks.filter((r): r is Extract<StackResult, { status: "planned" | "applied" }> => r.status === "planned" || r.status === "applied");
  // Smallest plans first: each takes what it needs up to an even share of what is left, so one
  // huge plan is cut while the small ones stay whole.
  const whole = planned.map((r) => details(r, Number.POSITIVE_INFINITY));
  let remaining = limit - out.length - footer.length - planned.length; // one "\n" before each block
  const room: number[] = [];
  const bySize = planned.map((_, i) => i).sort((x, y) => whole[x].length - whole[y].length);
  bySize.forEach((i, k) => {
    const share = Math.floor(remaining / (planned.length - k));
    room[i] = Math.max(0, Math.min(whole[i].length, share));
    remaining -= room[i];
  });
  planned.forEach((r, i) => {
    out += "\n" + (whole[i].length <= room[i] ? whole[i] : details(r, room[i]));
  });
  out += footer;
  if (out.length > limit) {
    // Only reachable with a head larger than the limit (thousands of labels): keep the marker.
    const note = "\n\n**Cut:** this comment is over GitHub's 65536-character limit; see the job's log.\n";
    out = out.slice(0, limit - note.length) + note;
  }
  return out;
}

/** The plain summary `plan` and `deploy` return (and print in the job's log). */
export function renderSummary(report: PlanReport): string {
  const lines = [`${report.kind} of ${report.config}:`];
  for (const r of report.stacks) {
    if (r.status === "planned" || r.status === "applied") {
      lines.push(`  ${r.stack}: ${r.add} to add, ${r.change} to change, ${r.destroy} to destroy${r.status === "applied" ? " (applied)" : ""}${r.existed ? "" : " (new stack)"}`);
    } else if (r.status === "waits") {
      lines.push(`  ${r.stack}: waits for ${r.waitsFor} (${r.reason})`);
    } else if (r.status === "failed") {
      lines.push(`  ${r.stack}: failed: ${r.error.split("\n").filter(Boolean).slice(-1)[0] ?? "error"}`);
    }
  }
  for (const r of report.stacks) {
    if (r.status === "planned" || r.status === "applied") lines.push("", `=== ${r.stack}`, r.planText, ...(r.applyText ? ["", r.applyText] : []));
  }
  return lines.join("\n");
}
