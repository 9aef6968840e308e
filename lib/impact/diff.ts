/**
 * Resource-by-resource comparison of two synthesized deployments (the `cdk.tf.json` of each
 * stack): what Terraform will create, update in place, replace or destroy, decided offline from
 * the two configurations alone (no state). Pure code: no cdktf, no file access.
 */
import { cidrShrinks, forcingAttribute, knownType } from "./replacement";

/** The parts of a stack's `cdk.tf.json` the comparison reads. */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

/** One synthesized stack. */
export interface SynthStackInput {
  readonly name: string;
  readonly json: StackJson;
}

export type Action = "create" | "update" | "replace" | "delete";

/** What happens to one resource. */
export interface ResourceChange {
  readonly stack: string;
  readonly type: string;
  /** Logical id (cdktf's unique id). */
  readonly id: string;
  readonly action: Action;
  /** Attribute paths that differ (update, replace), list indexes dropped. */
  readonly changed: readonly string[];
  /** Why it is replaced: the ForceNew attributes, a `replace_triggered_by` or a reference to a replaced resource. */
  readonly forcedBy: readonly string[];
  /** false: the type's replacement rules are unknown here, so an update may in fact be a replacement. */
  readonly analysed: boolean;
}

/** A resource body on both sides, for the readers that look inside (never printed whole). */
export interface ResourcePair {
  readonly change: ResourceChange;
  readonly before?: Readonly<Record<string, unknown>>;
  readonly after?: Readonly<Record<string, unknown>>;
}

/** Keys that are Terraform meta-arguments or cdktf metadata, not resource attributes. */
const META = new Set(["//", "depends_on", "lifecycle", "provider", "count", "for_each", "connection", "provisioner"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Leaf paths where `a` and `b` differ (list indexes dropped; lists of other lengths differ as a whole). */
export function differingPaths(a: unknown, b: unknown, prefix = ""): string[] {
  if (equal(a, b)) return [];
  const join = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingPaths(a[k], b[k], join(k)));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every(isObject) && b.every(isObject)) {
    return [...new Set(a.flatMap((x, i) => differingPaths(x, b[i], prefix)))];
  }
  return [prefix];
}

/** The attributes of a body (meta-arguments and `lifecycle.ignore_changes` left out). */
function attributes(body: Readonly<Record<string, unknown>>, ignored: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !META.has(k) && !ignored.includes(k)));
}

function lifecycle(body: Readonly<Record<string, unknown>> | undefined): { ignore: string[]; triggers: string[] } {
  const l = (body?.lifecycle ?? {}) as { ignore_changes?: unknown; replace_triggered_by?: unknown };
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return { ignore: list(l.ignore_changes), triggers: list(l.replace_triggered_by).map((t) => t.replace(/^\$\{(.*)\}$/, "$1")) };
}

const address = (type: string, id: string) => `${type}.${id}`;

/** Every `${type.id...}` reference in a value, as `type.id`. */
function references(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  return [...text.matchAll(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)[.[}]/g)].map((m) => `${m[1]}.${m[2]}`);
}

/**
 * Compares the resources of two deployments by stack, type and logical id. Replacement follows
 * the providers' ForceNew rules ({@link forcingAttribute}), `lifecycle.replace_triggered_by`,
 * and ForceNew attributes that refer to a replaced resource (their value is unknown until apply).
 */
export function diffResources(before: readonly SynthStackInput[], after: readonly SynthStackInput[]): ResourcePair[] {
  const index = (stacks: readonly SynthStackInput[]) => {
    const m = new Map<string, { stack: string; type: string; id: string; body: Readonly<Record<string, unknown>> }>();
    for (const s of stacks) {
      for (const [type, byId] of Object.entries(s.json.resource ?? {})) {
        for (const [id, body] of Object.entries(byId)) m.set(`${s.name}\u0000${address(type, id)}`, { stack: s.name, type, id, body });
      }
    }
    return m;
  };
  const a = index(before);
  const b = index(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();

  interface Work {
    stack: string;
    type: string;
    id: string;
    action: Action | "none";
    changed: string[];
    forcedBy: string[];
    before?: Readonly<Record<string, unknown>>;
    after?: Readonly<Record<string, unknown>>;
  }
  const work: Work[] = keys.map((k) => {
    const x = a.get(k);
    const y = b.get(k);
    const r = (y ?? x)!;
    if (!x) return { stack: r.stack, type: r.type, id: r.id, action: "create", changed: [], forcedBy: [], after: y!.body };
    if (!y) return { stack: r.stack, type: r.type, id: r.id, action: "delete", changed: [], forcedBy: [], before: x.body };
    const { ignore } = lifecycle(y.body);
    const changed = differingPaths(attributes(x.body, ignore), attributes(y.body, ignore));
    const forcedBy = [...new Set(changed.map((p) => forcingAttribute(r.type, p)).filter((f): f is string => f !== undefined))];
    if (r.type === "google_compute_subnetwork" && changed.includes("ip_cidr_range") && cidrShrinks(x.body.ip_cidr_range, y.body.ip_cidr_range)) {
      forcedBy.push("ip_cidr_range (shrinks)");
    }
    const action = changed.length === 0 ? "none" : forcedBy.length > 0 ? "replace" : "update";
    return { stack: r.stack, type: r.type, id: r.id, action, changed, forcedBy, before: x.body, after: y.body };
  });

  // Propagate: replace_triggered_by, and ForceNew attributes referring to a replaced resource.
  for (let changedSomething = true; changedSomething; ) {
    changedSomething = false;
    const state = new Map(work.map((w) => [`${w.stack}\u0000${address(w.type, w.id)}`, w.action]));
    for (const w of work) {
      if (!w.before || !w.after || w.action === "replace") continue;
      const at = (ref: string) => state.get(`${w.stack}\u0000${ref}`);
      for (const t of lifecycle(w.after).triggers) {
        const s = at(t);
        if (s === "replace" || s === "update") {
          w.action = "replace";
          w.forcedBy.push(`replace_triggered_by ${t}`);
          changedSomething = true;
        }
      }
      if (w.action === "replace") continue;
      for (const [k, v] of Object.entries(attributes(w.after, lifecycle(w.after).ignore))) {
        for (const ref of references(v)) {
          if (at(ref) !== "replace") continue;
          const forcing =
            forcingAttribute(w.type, k) ??
            (isObject(v)
              ? Object.keys(v)
                  .filter((sub) => references(v[sub]).includes(ref))
                  .map((sub) => forcingAttribute(w.type, `${k}.${sub}`))
                  .find((f) => f !== undefined)
              : undefined);
          if (forcing) {
            w.action = "replace";
            w.forcedBy.push(`${forcing} (refers to replaced ${ref})`);
          } else if (w.action === "none") {
            w.action = "update";
            w.changed.push(`${k} (refers to replaced ${ref})`);
          } else continue;
          changedSomething = true;
        }
        if (w.action === "replace") break;
      }
    }
  }

  return work
    .filter((w): w is Work & { action: Action } => w.action !== "none")
    .map((w) => ({
      change: {
        stack: w.stack,
        type: w.type,
        id: w.id,
        action: w.action,
        changed: w.changed,
        forcedBy: [...new Set(w.forcedBy)],
        analysed: knownType(w.type),
      },
      before: w.before,
      after: w.after,
    }));
}
