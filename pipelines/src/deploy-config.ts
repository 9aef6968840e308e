/**
 * `deploy`'s refusals, checked on the config file's text before any container runs: no config
 * (the built-in default is a placeholder deployment), a placeholder left in it, or a local
 * state backend (state written inside the throwaway pipeline container is lost). One line each.
 *
 * The module carries no YAML library (its only dependency is the TypeScript the runtime
 * bundles, see docs/pipelines.md), so the four keys are read by a small reader that
 * understands what deployment configs use for them: JSON, or YAML block mappings and one-line
 * flow mappings with plain or quoted scalars. Anything else around those keys (anchors,
 * aliases, tags, multi-line flow collections, several documents) is refused rather than
 * guessed: a safety gate fails closed. The full validation runs in the synth that follows.
 *
 * Pure: no Dagger imports, so jest loads it directly.
 */

/** Placeholders of the built-in default (lib/planning/input/gcp.ts, lib/planning/input/github.ts). */
export const PLACEHOLDERS = {
  "gcp.projectId": "your-gcp-project-id",
  "github.configUrl": "https://github.com/your-org",
} as const;

/** The keys deploy reads before running anything. */
export const DEPLOY_KEYS = ["target", "gcp.projectId", "github.configUrl", "backend.type", "backend.bucket"] as const;
export type DeployKey = (typeof DEPLOY_KEYS)[number];

/** A one-line refusal of deploy. */
export class DeployRefusal extends Error {}

function unquote(raw: string, at: string): string {
  const v = raw.trim();
  if (v.startsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      throw new DeployRefusal(`config ${at}: ${v} is not a string this check can read (write it on one line, e.g. ${at.split(".").pop()}: "value")`);
    }
  }
  if (v.startsWith("'")) {
    if (!/^'([^']|'')*'$/.test(v)) throw new DeployRefusal(`config ${at}: ${v} is not a string this check can read`);
    return v.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[&*!|>{[]/.test(v)) {
    throw new DeployRefusal(`config ${at}: ${v} is not a plain value (anchors, aliases, tags and block or flow values are not read before deploying; write ${at} as a plain "key: value" line)`);
  }
  return v;
}

/** Strips a `#` comment that is not inside quotes. */
function stripComment(line: string): string {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** `{a: b, c: "d"}` on one line -> entries (no nesting). */
function flowMap(text: string, at: string): Record<string, string> {
  const inner = text.trim();
  if (!inner.endsWith("}") || /[{[]/.test(inner.slice(1, -1))) {
    throw new DeployRefusal(`config ${at}: ${inner} is a flow mapping this check cannot read (write ${at} as an indented block, one "key: value" per line)`);
  }
  const out: Record<string, string> = {};
  for (const part of inner.slice(1, -1).split(",")) {
    if (!part.trim()) continue;
    const m = /^\s*("[^"]*"|'[^']*'|[^:]+?)\s*:\s*(.*)$/.exec(part);
    if (!m) throw new DeployRefusal(`config ${at}: ${inner} is a flow mapping this check cannot read`);
    out[unquote(m[1], at)] = unquote(m[2], `${at}.${unquote(m[1], at)}`);
  }
  return out;
}

/**
 * The deploy keys present in a config file's text (absent keys are missing from the result).
 * JSON is read with JSON.parse; YAML with the reader described above.
 */
export function readDeployKeys(text: string): Partial<Record<DeployKey, string>> {
  const out: Partial<Record<DeployKey, string>> = {};
  const wanted = new Set<string>(DEPLOY_KEYS);
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      doc = undefined;
    }
    if (doc && typeof doc === "object") {
      for (const k of DEPLOY_KEYS) {
        const [a, b] = k.split(".");
        const v = b === undefined ? (doc as Record<string, unknown>)[a] : ((doc as Record<string, Record<string, unknown>>)[a] ?? {})[b];
        if (v !== undefined) out[k] = typeof v === "string" ? v : JSON.stringify(v);
      }
      return out;
    }
    // Not JSON: a YAML flow mapping at the top level.
    throw new DeployRefusal("config: the file is one flow mapping ({...}); write it as JSON or as YAML block mappings so deploy can check it");
  }

  let section: string | undefined;
  let childIndent: number | undefined;
  let documents = 0;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (/^(---|\.\.\.)(\s|$)/.test(raw)) {
      if (raw.startsWith("---") && ++documents > 1) throw new DeployRefusal(`config: line ${i + 1}: a second YAML document (deploy reads one)`);
      continue;
    }
    const line = stripComment(raw).replace(/\s+$/, "");
    if (line.trim() === "") continue;
    if (/^\t/.test(line)) throw new DeployRefusal(`config: line ${i + 1}: indented with a tab (YAML allows spaces only)`);
    const indent = line.length - line.trimStart().length;
    const m = /^("[^"]*"|'[^']*'|[^\s:'"][^:]*?)\s*:(?:\s+(.*)|$)/.exec(line.trimStart());
    if (indent === 0) {
      childIndent = undefined;
      if (!m) {
        section = undefined;
        continue;
      }
      const key = unquote(m[1], "(top level)");
      const rest = (m[2] ?? "").trim();
      section = key;
      if (rest === "") continue;
      if (wanted.has(key)) out[key as DeployKey] = unquote(rest, key);
      else if (rest.startsWith("{") && DEPLOY_KEYS.some((k) => k.startsWith(`${key}.`))) {
        for (const [ck, cv] of Object.entries(flowMap(rest, key))) if (wanted.has(`${key}.${ck}`)) out[`${key}.${ck}` as DeployKey] = cv;
      } else if (/^[&*!]/.test(rest) && DEPLOY_KEYS.some((k) => k === key || k.startsWith(`${key}.`))) {
        unquote(rest, key); // throws: anchors, aliases and tags are not read
      }
      continue;
    }
    if (section === undefined || !DEPLOY_KEYS.some((k) => k.startsWith(`${section}.`))) continue;
    if (childIndent === undefined) childIndent = indent;
    if (indent !== childIndent || !m) continue;
    const key = unquote(m[1], section);
    const path = `${section}.${key}`;
    if (key === "<<") throw new DeployRefusal(`config ${section}: a merge key (<<) is not read before deploying; write the keys out`);
    if (wanted.has(path) && m[2] !== undefined && m[2].trim() !== "") out[path as DeployKey] = unquote(m[2], path);
  }
  return out;
}

/**
 * Refuses a config deploy must not apply: one line each, naming the key, the value and what
 * is allowed. `configName` is how the file is named in the messages.
 */
export function checkDeployConfig(text: string | undefined, configName = "config"): void {
  if (text === undefined) {
    throw new DeployRefusal(
      "config: not given; deploy never applies the built-in default, a placeholder deployment (pass your deployment config, e.g. --config=deploy/runners.yaml)",
    );
  }
  let keys: Partial<Record<DeployKey, string>>;
  try {
    keys = readDeployKeys(text);
  } catch (e) {
    // The reader names the file "config"; name it as the caller does.
    throw e instanceof DeployRefusal ? new DeployRefusal(e.message.replace(/^config\b/, configName)) : e;
  }
  const target = keys.target ?? "gke";
  const placeholder = (key: keyof typeof PLACEHOLDERS) => {
    const value = keys[key];
    if (value === undefined) {
      throw new DeployRefusal(
        `${configName} ${key}: not set, so it is the placeholder ${JSON.stringify(PLACEHOLDERS[key])} (set it before deploying)`,
      );
    }
    if (value.replace(/\/+$/, "").toLowerCase() === PLACEHOLDERS[key]) {
      throw new DeployRefusal(`${configName} ${key}: ${JSON.stringify(value)} is the placeholder of the built-in default (set it before deploying)`);
    }
  };
  if (target === "gke") placeholder("gcp.projectId");
  placeholder("github.configUrl");
  const backend = keys["backend.type"];
  if (backend === undefined) {
    throw new DeployRefusal(
      `${configName} backend.type: not set, so it is "local": the state would be written inside the pipeline's throwaway container and lost (expected gcs, e.g. backend: {type: gcs, bucket: my-tf-state})`,
    );
  }
  if (backend !== "gcs") {
    throw new DeployRefusal(
      `${configName} backend.type: ${JSON.stringify(backend)} keeps state inside the pipeline's throwaway container, where it is lost (expected gcs, e.g. backend: {type: gcs, bucket: my-tf-state})`,
    );
  }
}
