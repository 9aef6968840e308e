/**
 * An error in the user's configuration, found by pure planning code. It carries the config key
 * path and the offending value so the CLI can print one line:
 * `dagger.versions[1]: "0.20" is not a full version (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)`.
 */
export class PlanError extends Error {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly problem: string,
  ) {
    super(`${path}: ${formatValue(value)} ${problem}`);
    this.name = "PlanError";
  }
}

/** Renders a config value compactly for an error line. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Formats a key path the way users write it: `dagger.versions[1]`, `runners.sizes[""]`. */
export function formatPath(p: readonly (string | number)[]): string {
  let out = "";
  for (const k of p) {
    if (typeof k === "number") out += `[${k}]`;
    else if (k === "" || !/^[A-Za-z_$][\w$]*$/.test(k)) out += `[${JSON.stringify(k)}]`;
    else out += out === "" ? k : `.${k}`;
  }
  return out === "" ? "(top level)" : out;
}
