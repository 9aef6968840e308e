/**
 * Reading synthesized stacks for `npm run verify`: the stacks of a cdktf output directory, their
 * resources, and the resolution of Terraform references to our own Kubernetes objects.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PLAN_FILE } from "../app";
import type { DeploymentPlan } from "../planning/deployment";

/** The verifier cannot run (exit 2): missing input, helm or chart. */
export class CannotVerify extends Error {}

/** One synthesized stack. */
export interface SynthStack {
  readonly name: string;
  /** The parsed `cdk.tf.json`. */
  readonly json: TfJson;
}

/** The parts of `cdk.tf.json` the verifier reads. */
export interface TfJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  variable?: Record<string, { sensitive?: boolean }>;
}

/** A cdktf output directory: its stacks and, when the app wrote it, the deployment plan. */
export interface SynthOutput {
  readonly dir: string;
  readonly stacks: readonly SynthStack[];
  readonly plan?: DeploymentPlan;
}

/** Reads `manifest.json` and every stack it lists (and `deployment-plan.json` if present). */
export function readSynthOutput(dir: string): SynthOutput {
  const manifestPath = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifestPath)) throw new CannotVerify(`${manifestPath} not found (synthesize first, or name a cdktf output directory)`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
  const stacks = Object.entries(manifest.stacks).map(([name, s]) => ({
    name,
    json: JSON.parse(fs.readFileSync(path.join(dir, s.synthesizedStackPath), "utf8")) as TfJson,
  }));
  const planPath = path.join(dir, PLAN_FILE);
  const plan = fs.existsSync(planPath) ? (JSON.parse(fs.readFileSync(planPath, "utf8")) as DeploymentPlan) : undefined;
  return { dir, stacks, plan };
}

/** A resource of a stack, with its Terraform references resolved. */
export interface TfResource {
  readonly stack: string;
  /** e.g. `kubernetes_role_v1`. */
  readonly type: string;
  /** Logical id. */
  readonly id: string;
  readonly body: Record<string, unknown>;
}

/** Placeholder for a sensitive value (`set_sensitive`, sensitive variables): never the value itself. */
export const SENSITIVE_PLACEHOLDER = "verify-placeholder-sensitive";
/** Placeholder for a Terraform expression that is not the name of one of our own objects. */
export const UNRESOLVED_PLACEHOLDER = "verify-placeholder-unresolved";

const NAME_REF = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}/g;
const ANY_REF = /\$\{[^}]*\}/g;

/**
 * Resolves `${<type>.<id>.metadata[0].name}` to the object name of that resource of the same
 * stack (recursively); every other expression becomes {@link UNRESOLVED_PLACEHOLDER}, a
 * sensitive variable {@link SENSITIVE_PLACEHOLDER}.
 */
export class Resolver {
  constructor(private readonly stack: SynthStack) {}

  /** Deep copy of `value` with every string resolved. */
  resolve<T>(value: T, depth = 0): T {
    if (typeof value === "string") return this.resolveString(value, depth) as T;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, depth)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "//").map(([k, v]) => [k, this.resolve(v, depth)])) as T;
    }
    return value;
  }

  private resolveString(s: string, depth: number): string {
    if (depth > 10) return UNRESOLVED_PLACEHOLDER;
    const named = s.replace(NAME_REF, (whole, type: string, id: string) => {
      const body = this.stack.json.resource?.[type]?.[id] as { metadata?: { name?: unknown } } | undefined;
      const name = body?.metadata?.name;
      return typeof name === "string" ? this.resolveString(name, depth + 1) : whole;
    });
    return named.replace(ANY_REF, (expr) => {
      const v = /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(expr);
      return v && this.stack.json.variable?.[v[1]]?.sensitive ? SENSITIVE_PLACEHOLDER : UNRESOLVED_PLACEHOLDER;
    });
  }
}

/** Every resource of every stack, references resolved. */
export function tfResources(out: SynthOutput): TfResource[] {
  const all: TfResource[] = [];
  for (const stack of out.stacks) {
    const r = new Resolver(stack);
    for (const [type, byId] of Object.entries(stack.json.resource ?? {})) {
      for (const [id, body] of Object.entries(byId)) all.push({ stack: stack.name, type, id, body: r.resolve(body) });
    }
  }
  return all;
}
