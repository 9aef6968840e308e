/**
 * Reading and validating the config file. Every failure is a {@link ConfigError} whose message
 * is one line naming the key path, the bad value and what is allowed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { parseDocument as ParseDocument } from "yaml";
import { ZodIssue, ZodTypeAny, z } from "zod";
import { PlanError, formatPath, formatValue } from "../planning/errors";
import { formatProblem, valueAt } from "../planning/rules";
import { type Peer, deploymentClaims, peerProblems } from "../planning/peers";
import { RunnersConfig, configSchema } from "../planning/input/schema";
import { planDeployment, DeploymentPlan } from "../planning/deployment";

export { formatPath };

/** The environment variable naming the config file. */
export const CONFIG_ENV = "RUNNERS_CONFIG";

/** Sections that only one target reads. */
const TARGET_SECTIONS: readonly (readonly [string, RunnersConfig["target"]])[] = [
  ["gcp", "gke"],
  ["cluster", "gke"],
  ["kubernetes", "existing-cluster"],
];

/** A bad config: `message` is the one line to print. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function unwrap(s: ZodTypeAny): ZodTypeAny {
  for (;;) {
    if (s instanceof z.ZodDefault) s = s._def.innerType;
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else return s;
  }
}

/** The schema at a key path, for listing allowed keys. */
function schemaAt(root: ZodTypeAny, p: readonly (string | number)[], input: unknown): ZodTypeAny | undefined {
  let s: ZodTypeAny | undefined = unwrap(root);
  const walked: (string | number)[] = [];
  for (const k of p) {
    if (!s) return undefined;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, ZodTypeAny>)[String(k)];
    else if (s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodRecord) s = s._def.valueType;
    else if (s instanceof z.ZodDiscriminatedUnion) {
      const disc = valueAt(input, [...walked, s.discriminator]);
      const opt: ZodTypeAny | undefined = s.optionsMap.get(disc as never);
      s = opt ? (unwrap(opt) as z.ZodObject<z.ZodRawShape>).shape[String(k)] : undefined;
    } else return undefined;
    if (s) s = unwrap(s);
    walked.push(k);
  }
  if (s instanceof z.ZodDiscriminatedUnion) {
    const disc = valueAt(input, [...walked, s.discriminator]);
    const opt: ZodTypeAny | undefined = s.optionsMap.get(disc as never);
    return opt ? unwrap(opt) : s;
  }
  return s;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

const typeName = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a map" : `a ${typeof v}`;
const expectedName: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  object: "a map of keys",
  array: "a list",
};

/** The default of the key at `p` (for a problem with a value the user did not write). */
function defaultAt(root: ZodTypeAny, p: readonly (string | number)[], input: unknown): unknown {
  if (p.length === 0) return undefined;
  const parent = schemaAt(root, p.slice(0, -1), input);
  let s: ZodTypeAny | undefined = parent instanceof z.ZodObject ? (parent.shape as Record<string, ZodTypeAny>)[String(p[p.length - 1])] : undefined;
  while (s instanceof z.ZodOptional || s instanceof z.ZodEffects) s = s instanceof z.ZodOptional ? s.unwrap() : s._def.schema;
  return s instanceof z.ZodDefault ? s._def.defaultValue() : undefined;
}

/** One line for one zod issue. */
export function formatIssue(issue: ZodIssue, input: unknown, schema: ZodTypeAny = configSchema): string {
  const value = valueAt(input, issue.path);
  const at = formatPath(issue.path);
  if (value === undefined && issue.code === "custom") {
    // A rule about a key the file left out: show the default it took.
    const d = defaultAt(schema, issue.path, input);
    if (d !== undefined) return `${at}: ${formatValue(d)} (the default) ${issue.message}`;
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0];
      const target = schemaAt(schema, issue.path, input);
      const allowed = target instanceof z.ZodObject ? Object.keys(target.shape) : [];
      const close = allowed.filter((a) => distance(a.toLowerCase(), key.toLowerCase()) <= 2);
      const hint = close.length ? `; did you mean "${close[0]}"?` : "";
      return `${formatPath([...issue.path, key])}: unknown key (allowed here: ${allowed.join(", ") || "none"})${hint}`;
    }
    case "invalid_type": {
      const expected = expectedName[issue.expected] ?? issue.expected;
      if (issue.received === "undefined") return `${at}: is required (expected ${expected})`;
      if (issue.expected === "integer") return `${at}: ${formatValue(value)} is not a whole number`;
      const quote = issue.expected === "string" && typeof value === "number" ? "; put it in quotes" : "";
      return `${at}: ${formatValue(value)} is ${typeName(value)} (expected ${expected}${quote})`;
    }
    case "invalid_enum_value":
      return `${at}: ${formatValue(value)} is not allowed (expected one of: ${issue.options.join(", ")})`;
    case "invalid_literal":
      return `${at}: ${formatValue(value)} is not allowed (expected ${formatValue(issue.expected)})`;
    case "invalid_union_discriminator":
      return `${at}: ${formatValue(value)} is not allowed (expected one of: ${issue.options.map(String).join(", ")})`;
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.type === "string") return `${at}: ${formatValue(value)} is too short (expected at least ${min} characters)`;
      if (issue.type === "array") return `${at}: ${formatValue(value)} has too few items (expected at least ${min})`;
      return `${at}: ${formatValue(value)} is too small (expected ${issue.inclusive ? ">=" : ">"} ${min})`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.type === "string") return `${at}: ${formatValue(value)} is longer than ${max} characters`;
      if (issue.type === "array") return `${at}: ${formatValue(value)} has too many items (expected at most ${max})`;
      return `${at}: ${formatValue(value)} is too large (expected ${issue.inclusive ? "<=" : "<"} ${max})`;
    }
    case "invalid_union":
      return `${at}: ${formatValue(value)} is not valid here`;
    default: {
      // custom, invalid_string, ...: our own messages start with "is ..." / "has ...".
      const msg = issue.message;
      return /^(is|has|must|needs|makes|gives|duplicates|conflicts)\b/.test(msg)
        ? `${at}: ${formatValue(value)} ${msg}`
        : `${at}: ${msg}`;
    }
  }
}

/** Validates a parsed document; throws {@link ConfigError} with the first problem. */
export function parseConfig(raw: unknown): { config: RunnersConfig; plan: DeploymentPlan } {
  const doc = raw === null || raw === undefined ? {} : raw;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(`(top level): ${formatValue(doc)} is ${typeName(doc)} (expected a map of keys such as name, dagger, runners)`);
  }
  const result = configSchema.safeParse(doc);
  if (!result.success) {
    throw new ConfigError(formatIssue(result.error.issues[0], doc));
  }
  // A section of the other target would be accepted and change nothing: refuse it.
  const target = result.data.target;
  for (const [key, only] of TARGET_SECTIONS) {
    if (key in (doc as Record<string, unknown>) && only !== target) {
      throw new ConfigError(
        `${key}: ${formatValue((doc as Record<string, unknown>)[key])} applies to target "${only}" only (target is "${target}"); remove it`,
      );
    }
  }
  try {
    return { config: result.data, plan: planDeployment(result.data) };
  } catch (e) {
    if (e instanceof PlanError) throw new ConfigError(e.message);
    throw e;
  }
}

/** Parses YAML or JSON text (by file extension; YAML for anything but `.json`). */
export function parseConfigText(text: string, file: string): unknown {
  const where = path.basename(file);
  if (file.endsWith(".json")) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${where}: is not valid JSON (${(e as Error).message.split("\n")[0]})`);
    }
  }
  // Loaded on first use: the built-in default and JSON files never need the YAML parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseDocument } = require("yaml") as { parseDocument: typeof ParseDocument };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0];
    const pos = line ? `line ${line.line}, column ${line.col}` : "unknown position";
    throw new ConfigError(`${where}: is not valid YAML at ${pos} (${err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")})`);
  }
  try {
    // The yaml library refuses documents whose aliases expand too far ("billion laughs").
    return doc.toJS();
  } catch (e) {
    throw new ConfigError(`${where}: is not a usable YAML document (${(e as Error).message.split("\n")[0]})`);
  }
}

/**
 * Loads the config named by `file` (or by `RUNNERS_CONFIG`); with neither, the built-in default.
 */
export function loadConfig(file: string | undefined = process.env[CONFIG_ENV]): {
  config: RunnersConfig;
  plan: DeploymentPlan;
  source: string;
} {
  if (!file) return { ...parseConfig({}), source: "built-in default" };
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${CONFIG_ENV}: ${JSON.stringify(file)} cannot be read (${code === "ENOENT" ? "no such file" : code ?? "unreadable"}; expected a YAML or JSON config file)`,
    );
  }
  const raw = parseConfigText(text, file);
  if (raw === null || raw === undefined) {
    // Most likely a truncated or wrong file: a deployment from defaults must be asked for.
    throw new ConfigError(
      `${path.basename(file)}: is empty (expected a map of keys such as name, dagger, runners; for the built-in default, unset ${CONFIG_ENV})`,
    );
  }
  const loaded = parseConfig(raw);
  checkPeers(loaded.config, loaded.plan, file);
  return { ...loaded, source: file };
}

/**
 * Loads each of `config.peers` (relative to `file`'s directory; their own peers are not
 * followed) and throws {@link ConfigError}, one line naming `peers[i]` or this config's key,
 * when the deployments would collide (lib/planning/peers.ts).
 */
export function checkPeers(config: RunnersConfig, plan: DeploymentPlan, file: string): void {
  const me = deploymentClaims(config, plan);
  const peers: Peer[] = config.peers.map((peerFile, i) => {
    const at = ["peers", i];
    const resolved = path.resolve(path.dirname(file), peerFile);
    let peer: { config: RunnersConfig; plan: DeploymentPlan };
    try {
      const raw = parseConfigText(fs.readFileSync(resolved, "utf8"), resolved);
      peer = parseConfig(raw);
    } catch (e) {
      const why = e instanceof ConfigError ? e.message : (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message.split("\n")[0];
      throw new ConfigError(formatProblem({ path: at, value: peerFile, message: `is not a usable peer config (${why})` }));
    }
    return { claims: deploymentClaims(peer.config, peer.plan), file: peerFile, at };
  });
  const problem = peerProblems(me, peers)[0];
  if (problem) throw new ConfigError(formatProblem(problem));
}
