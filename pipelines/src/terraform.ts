/**
 * What plan and deploy run per stack, and how their output is read. Pure: no Dagger imports,
 * so jest loads it directly (test/pipelines-plan.test.ts) and the scripts can be run with the
 * real `node` on fixtures.
 *
 * One stack is one exec (`sh -c STACK_SCRIPT`):
 *   terraform init; terraform plan -out=<tmpfs>/tfplan; terraform show (human text, stdout);
 *   terraform show -json | node SUMMARY_SCRIPT (one marked summary line, stdout);
 *   deploy only: terraform apply <that same plan file> (stdout after APPLY_MARK).
 * The saved plan is what gets applied, never a re-plan. It lives on a tmpfs mount
 * (`withMountedTemp`) because a plan file holds every variable's value, sensitive ones
 * included, and an exec's filesystem would otherwise be kept as a layer in the engine's cache.
 * The JSON form (which holds sensitive values too) is read only by the summary script inside
 * the container; the module receives counts and resource types, never values.
 */

/** `cdktf.out/manifest.json`, as far as it is read here. */
export interface Manifest {
  readonly stacks: Record<string, { readonly dependencies?: readonly string[] }>;
}

/** A one-line error of plan/deploy input. */
export class PipelineError extends Error {}

/**
 * The stacks to act on, upstream first: `requested` (every stack when empty) in dependency
 * order. An unknown name is a one-line error.
 */
export function stackOrder(manifest: Manifest, requested: readonly string[] = []): string[] {
  const all = Object.keys(manifest.stacks);
  for (const s of requested) {
    if (!all.includes(s)) {
      throw new PipelineError(`stacks: ${JSON.stringify(s)} is not a stack of this deployment (expected one of: ${all.join(", ")})`);
    }
  }
  const wanted = new Set(requested.length > 0 ? requested : all);
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (s: string) => {
    if (order.includes(s)) return;
    if (visiting.has(s)) throw new PipelineError(`cdktf.out/manifest.json: stack ${s} depends on itself`);
    visiting.add(s);
    for (const d of manifest.stacks[s]?.dependencies ?? []) if (d in manifest.stacks) visit(d);
    visiting.delete(s);
    order.push(s);
  };
  all.forEach(visit);
  return order.filter((s) => wanted.has(s));
}

/** The stacks `stack` reads outputs of (its cross-stack references). */
export function upstreamOf(manifest: Manifest, stack: string): string[] {
  return [...(manifest.stacks[stack]?.dependencies ?? [])];
}

/** A Terraform variable that must be given (no default), read from a stack's cdk.tf.json. */
export interface RequiredVariable {
  readonly name: string;
  readonly sensitive: boolean;
}

/** Variables of a synthesized stack without a default: Terraform asks for these. */
export function requiredVariables(stackJson: { variable?: Record<string, { default?: unknown; sensitive?: boolean }> }): RequiredVariable[] {
  return Object.entries(stackJson.variable ?? {})
    .filter(([, v]) => !("default" in v))
    .map(([name, v]) => ({ name, sensitive: v.sensitive === true }));
}

/** Where the plan file lives during one exec (a tmpfs mount). */
export const PLAN_DIR = "/run/pipelines-plan";
/** Where the summary script is written in the container. */
export const SUMMARY_SCRIPT_PATH = "/usr/local/lib/pipelines/plan-summary.cjs";
/** Marks the summary line on stdout. */
export const SUMMARY_MARK = "@@pipelines:summary ";
/** Marks the start of the apply output on stdout. */
export const APPLY_MARK = "@@pipelines:apply";

/**
 * Reads `terraform show -json <plan>` on stdin and prints one line: SUMMARY_MARK + JSON of
 * {@link PlanSummary}. Counts follow Terraform's own "Plan: X to add, Y to change, Z to
 * destroy" (a replacement counts once in add and once in destroy). Plan JSON format:
 * developer.hashicorp.com/terraform/internals/json-format (`resource_changes[].mode`,
 * `.type`, `.change.actions`; `prior_state.values.outputs`; `output_changes`).
 */
export const SUMMARY_SCRIPT = `"use strict";
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const plan = JSON.parse(input);
  const r = { add: 0, change: 0, destroy: 0, replace: 0, byAction: {}, existed: false, outputsChange: false };
  const kinds = { "create": "create", "update": "update", "delete": "delete", "delete,create": "replace", "create,delete": "replace" };
  for (const rc of plan.resource_changes || []) {
    if (rc.mode !== "managed") continue;
    const kind = kinds[(rc.change && rc.change.actions || []).join(",")];
    if (!kind) continue;
    if (kind === "create") r.add++;
    if (kind === "update") r.change++;
    if (kind === "delete") r.destroy++;
    if (kind === "replace") { r.add++; r.destroy++; r.replace++; }
    const types = (r.byAction[kind] = r.byAction[kind] || {});
    types[rc.type] = (types[rc.type] || 0) + 1;
  }
  const outputs = plan.prior_state && plan.prior_state.values && plan.prior_state.values.outputs;
  r.existed = !!outputs && Object.keys(outputs).length > 0;
  r.outputsChange = Object.values(plan.output_changes || {}).some((c) => !(c.actions.length === 1 && c.actions[0] === "no-op"));
  process.stdout.write(${JSON.stringify(SUMMARY_MARK)} + JSON.stringify(r) + "\\n");
});
`;

/** What the summary script reports for one stack. */
export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  /** Action (`create`, `update`, `delete`, `replace`) -> resource type -> count. */
  readonly byAction: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The stack's state had outputs before this plan: it has been deployed. */
  readonly existed: boolean;
  /** Some output changes (stacks reading it may plan differently after the apply). */
  readonly outputsChange: boolean;
}

export interface StackScriptOptions {
  /** Apply the saved plan after showing it (deploy). */
  readonly apply: boolean;
  /** Take the state lock while planning (deploy); plan on pull requests does not. */
  readonly lock: boolean;
  /** A command run before each terraform command that talks to Google (mints the OIDC token). */
  readonly beforeAuth?: string;
}

/**
 * The shell script of one stack; `$1` is the stack name. Init and plan chatter go to stderr;
 * stdout carries the plan text, the summary line and (deploy) the apply output.
 */
export function stackScript(o: StackScriptOptions): string {
  const auth = o.beforeAuth ? `${o.beforeAuth}; ` : "";
  const lock = o.lock ? "" : " -lock=false";
  return [
    "set -eu",
    'd="cdktf.out/stacks/$1"',
    `p="${PLAN_DIR}/tfplan"`,
    `${auth}terraform -chdir="$d" init -input=false -no-color >&2`,
    `${auth}terraform -chdir="$d" plan -input=false -no-color${lock} -out="$p" >&2`,
    'terraform -chdir="$d" show -no-color "$p"',
    `terraform -chdir="$d" show -json "$p" | node ${SUMMARY_SCRIPT_PATH}`,
    ...(o.apply ? [`echo "${APPLY_MARK}"`, `${auth}terraform -chdir="$d" apply -input=false -no-color "$p"`] : []),
  ].join("\n");
}

/** The parts of one stack's stdout. */
export interface StackOutput {
  /** `terraform show` of the saved plan. */
  readonly planText: string;
  readonly summary: PlanSummary;
  /** `terraform apply` output (deploy). */
  readonly applyText?: string;
}

/** Splits a stack exec's stdout; a missing summary line is a one-line error. */
export function parseStackOutput(stack: string, stdout: string): StackOutput {
  const at = stdout.lastIndexOf(SUMMARY_MARK);
  if (at < 0 || (at > 0 && stdout[at - 1] !== "\n")) {
    throw new PipelineError(`${stack}: the plan printed no summary line (terraform show -json failed?)`);
  }
  const end = stdout.indexOf("\n", at);
  const line = stdout.slice(at + SUMMARY_MARK.length, end < 0 ? undefined : end);
  let summary: PlanSummary;
  try {
    summary = JSON.parse(line) as PlanSummary;
  } catch {
    throw new PipelineError(`${stack}: the plan summary line is not JSON`);
  }
  const rest = end < 0 ? "" : stdout.slice(end + 1);
  const applyAt = rest.indexOf(`${APPLY_MARK}\n`);
  return {
    planText: stdout.slice(0, at).replace(/\s+$/, ""),
    summary,
    applyText: applyAt < 0 ? undefined : rest.slice(applyAt + APPLY_MARK.length + 1).replace(/\s+$/, ""),
  };
}

/** The last lines of a failed exec's stderr, without Terraform's box drawing. */
export function errorTail(stderr: string, lines = 15): string {
  return stderr
    .split("\n")
    .map((l) => l.replace(/^[│╷╵]\s?/, "").trimEnd())
    .filter((l) => l.trim() !== "")
    .slice(-lines)
    .join("\n");
}
