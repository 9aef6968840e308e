/**
 * A stand-in for `terraform plan` + `terraform show` in the offline tests (Terraform cannot be
 * installed here): given a synthesized stack (cdk.tf.json) and the stack as it is deployed
 * (the cdk.tf.json of the config main deployed, or nothing), it produces what the per-stack
 * exec would print: the plan JSON (the documented format, developer.hashicorp.com/terraform/
 * internals/json-format: `resource_changes[].{address, mode, type, name, change.actions}`,
 * `prior_state.values.outputs`, `output_changes`) and a human rendering in Terraform's layout.
 *
 * Actions are decided the way Terraform decides them at this coarse level: a resource only in
 * the new config is created, only in the deployed one destroyed, in both with a different
 * configuration updated, otherwise left alone. Attribute values are rendered from the
 * configuration; anything interpolated (`${...}`) prints as "(known after apply)", or as
 * "(sensitive value)" when it reads a sensitive variable, as Terraform prints it.
 */

type Block = Record<string, unknown>;
interface StackJson {
  resource?: Record<string, Record<string, Block>>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
  variable?: Record<string, { sensitive?: boolean }>;
}

export interface FakePlan {
  readonly json: unknown;
  readonly text: string;
}

const resources = (s: StackJson | undefined) =>
  Object.entries(s?.resource ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ type, name, body })));

function renderValue(v: unknown, sensitiveVars: Set<string>): string {
  if (typeof v === "string") {
    if (v.includes("${")) {
      const vars = [...v.matchAll(/var\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);
      return vars.some((x) => sensitiveVars.has(x)) ? "(sensitive value)" : "(known after apply)";
    }
    return JSON.stringify(v);
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[ ${v.length} ${v.length === 1 ? "item" : "items"} ]`;
  if (v && typeof v === "object") return `{ ${Object.keys(v).length} attributes }`;
  return "null";
}

function renderResource(symbol: string, verb: string, type: string, name: string, body: Block, sensitiveVars: Set<string>): string {
  const attrs = Object.entries(body)
    .filter(([k]) => !["depends_on", "lifecycle", "provider", "//", "count", "for_each"].includes(k))
    .sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(0, ...attrs.map(([k]) => k.length));
  return [
    `  # ${type}.${name} ${verb}`,
    `  ${symbol} resource "${type}" "${name}" {`,
    ...attrs.map(([k, v]) => `      ${symbol} ${k.padEnd(width)} = ${renderValue(v, sensitiveVars)}`),
    "    }",
  ].join("\n");
}

/** The plan of `next` against the deployed `prior` (undefined: a stack never deployed). */
export function fakePlan(next: StackJson, prior: StackJson | undefined): FakePlan {
  const sensitiveVars = new Set(Object.entries(next.variable ?? {}).filter(([, v]) => v.sensitive).map(([k]) => k));
  const before = new Map(resources(prior).map((r) => [`${r.type}.${r.name}`, r]));
  const after = new Map(resources(next).map((r) => [`${r.type}.${r.name}`, r]));
  const changes: { address: string; type: string; name: string; actions: string[]; body: Block }[] = [];
  for (const [address, r] of after) {
    const old = before.get(address);
    const actions = !old ? ["create"] : JSON.stringify(old.body) === JSON.stringify(r.body) ? ["no-op"] : ["update"];
    changes.push({ address, type: r.type, name: r.name, actions, body: r.body });
  }
  for (const [address, r] of before) if (!after.has(address)) changes.push({ address, type: r.type, name: r.name, actions: ["delete"], body: r.body });

  const json = {
    format_version: "1.2",
    terraform_version: "1.11.4",
    resource_changes: changes.map((c) => ({ address: c.address, mode: "managed", type: c.type, name: c.name, change: { actions: c.actions } })),
    output_changes: Object.fromEntries(
      Object.keys(next.output ?? {}).map((k) => [k, { actions: prior?.output?.[k] === undefined ? ["create"] : ["no-op"] }]),
    ),
    ...(prior ? { prior_state: { format_version: "1.0", values: { outputs: Object.fromEntries(Object.keys(prior.output ?? {}).map((k) => [k, { sensitive: false, value: "x" }])), root_module: {} } } } : {}),
  };

  const count = (a: string) => changes.filter((c) => c.actions[0] === a).length;
  const shown = changes.filter((c) => c.actions[0] !== "no-op");
  const symbols: Record<string, [string, string]> = {
    create: ["+", "will be created"],
    update: ["~", "will be updated in-place"],
    delete: ["-", "will be destroyed"],
  };
  const text =
    shown.length === 0
      ? "No changes. Your infrastructure matches the configuration."
      : [
          "Terraform used the selected providers to generate the following execution",
          "plan. Resource actions are indicated with the following symbols:",
          ...(count("create") ? ["  + create"] : []),
          ...(count("update") ? ["  ~ update in-place"] : []),
          ...(count("delete") ? ["  - destroy"] : []),
          "",
          "Terraform will perform the following actions:",
          "",
          ...shown.map((c) => renderResource(symbols[c.actions[0]][0], symbols[c.actions[0]][1], c.type, c.name, c.body, sensitiveVars) + "\n"),
          `Plan: ${count("create")} to add, ${count("update")} to change, ${count("delete")} to destroy.`,
        ].join("\n");
  return { json, text };
}
