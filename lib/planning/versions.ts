/**
 * Engine version parsing and ordering. Pure code: no cdktf import.
 *
 * Versions are compared as semver (MAJOR.MINOR.PATCH, numeric parts), never as strings:
 * 0.9.3 < 0.19.9 < 0.19.10 < 0.20.3.
 */
import { PlanError } from "./errors";

export interface EngineVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Canonical form without a leading `v`, e.g. `0.20.3`. */
  readonly text: string;
  /** The minor series, e.g. `0.20`. */
  readonly minorText: string;
}

const FULL = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Parses `0.20.3` or `v0.20.3`; throws a {@link PlanError} naming `path` otherwise. */
export function parseVersion(raw: unknown, path = "version"): EngineVersion {
  if (typeof raw !== "string") {
    throw new PlanError(path, raw, "is not a string (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)");
  }
  const m = FULL.exec(raw.trim());
  if (!m) {
    const hint = /^v?\d+\.\d+$/.test(raw.trim())
      ? "is not a full version"
      : /^v?\d+\.\d+\.\d+-/.test(raw.trim())
        ? "is a pre-release; only stable engine releases are supported"
        : "is not a valid version";
    throw new PlanError(path, raw, `${hint} (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)`);
  }
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { major, minor, patch, text: `${major}.${minor}.${patch}`, minorText: `${major}.${minor}` };
}

/** Semver comparison: negative when a < b. */
export function compareVersions(a: EngineVersion, b: EngineVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Parses a list of versions, rejects duplicates (also `0.20.3` vs `v0.20.3`) and returns them
 * sorted ascending. `path` is the config key path of the list, used in errors.
 */
export function parseVersionList(raw: readonly unknown[], path = "dagger.versions"): EngineVersion[] {
  if (raw.length === 0) {
    throw new PlanError(path, raw, "is empty (list at least one engine version, e.g. [\"0.20.3\"])");
  }
  const seen = new Map<string, number>();
  const out: EngineVersion[] = [];
  raw.forEach((r, i) => {
    const v = parseVersion(r, `${path}[${i}]`);
    const first = seen.get(v.text);
    if (first !== undefined) {
      throw new PlanError(`${path}[${i}]`, r, `duplicates ${path}[${first}] (each version may appear once)`);
    }
    seen.set(v.text, i);
    out.push(v);
  });
  return out.sort(compareVersions);
}

/** Newest version of each minor series, keyed by `MAJOR.MINOR`. */
export function newestPerMinor(versions: readonly EngineVersion[]): Map<string, EngineVersion> {
  const best = new Map<string, EngineVersion>();
  for (const v of versions) {
    const cur = best.get(v.minorText);
    if (!cur || compareVersions(v, cur) > 0) best.set(v.minorText, v);
  }
  return best;
}

/** The newest version overall. */
export function newest(versions: readonly EngineVersion[]): EngineVersion {
  if (versions.length === 0) throw new Error("newest() of an empty list");
  return versions.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));
}
