/**
 * Engine version parsing and ordering. Pure code: no cdktf import.
 *
 * Versions are compared as semver (MAJOR.MINOR.PATCH[-PRERELEASE], semver.org §11), never as
 * strings: 0.9.3 < 0.19.9 < 0.19.10 < 0.20.3 < 1.0.0-beta.9 < 1.0.0-beta.10 < 1.0.0.
 * Pre-releases (Dagger publishes 1.0 betas with a chart and an image of the same version) get
 * their exact label only; minor and major aliases and `latest` consider stable versions only.
 */
import { PlanError } from "./errors";

export interface EngineVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers, e.g. `beta.10` (absent for a stable release). */
  readonly prerelease?: string;
  /** Canonical form without a leading `v`, e.g. `0.20.3` or `1.0.0-beta.10`. */
  readonly text: string;
  /** The minor series, e.g. `0.20`. */
  readonly minorText: string;
}

// semver.org §2 and §9: numeric parts without leading zeros; dot-separated pre-release identifiers.
const FULL = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/;

/** Parses `0.20.3` or `v0.20.3`; throws a {@link PlanError} naming `path` otherwise. */
export function parseVersion(raw: unknown, path = "version"): EngineVersion {
  if (typeof raw !== "string") {
    throw new PlanError(path, raw, "is not a string (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)");
  }
  const m = FULL.exec(raw.trim());
  if (!m) {
    const hint = /^v?\d+\.\d+$/.test(raw.trim()) ? "is not a full version" : "is not a valid version";
    throw new PlanError(path, raw, `${hint} (expected MAJOR.MINOR.PATCH, e.g. 0.20.3)`);
  }
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const numeric = [m[1], m[2], m[3], ...(m[4] ?? "").split(".").filter((x) => /^\d+$/.test(x))];
  if (numeric.some((x) => !Number.isSafeInteger(Number(x)))) {
    throw new PlanError(path, raw, "has a number too large to compare exactly (at most 9007199254740991 per part)");
  }
  const prerelease = m[4];
  const text = `${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ""}`;
  return { major, minor, patch, ...(prerelease ? { prerelease } : {}), text, minorText: `${major}.${minor}` };
}

/** Semver precedence (semver.org §11): negative when a < b; a pre-release sorts before its release. */
export function compareVersions(a: EngineVersion, b: EngineVersion): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  if (a.prerelease === undefined || b.prerelease === undefined) return (a.prerelease === undefined ? 1 : 0) - (b.prerelease === undefined ? 1 : 0);
  const p = a.prerelease.split(".");
  const q = b.prerelease.split(".");
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    if (p[i] === undefined) return -1;
    if (q[i] === undefined) return 1;
    const [x, y] = [/^\d+$/.test(p[i]), /^\d+$/.test(q[i])];
    if (x && y && Number(p[i]) !== Number(q[i])) return Number(p[i]) - Number(q[i]);
    if (x !== y) return x ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    if (!x && p[i] !== q[i]) return p[i] < q[i] ? -1 : 1;
  }
  return 0;
}

/** Semver precedence of two version strings; NaN when either is not a version. */
export function compareVersionText(a: string, b: string): number {
  try {
    return compareVersions(parseVersion(a), parseVersion(b));
  } catch {
    return NaN;
  }
}

/** Whether `v` is a stable release (no pre-release part). */
export const isStable = (v: EngineVersion): boolean => v.prerelease === undefined;

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

/** Newest stable version of each minor series, keyed by `MAJOR.MINOR`. */
export function newestPerMinor(versions: readonly EngineVersion[]): Map<string, EngineVersion> {
  return newestBy(versions, (v) => v.minorText);
}

/** Newest stable version of each major series from 1 on (`1` -> 1.2.0), keyed by `MAJOR`. */
export function newestPerMajor(versions: readonly EngineVersion[]): Map<string, EngineVersion> {
  return newestBy(versions.filter((v) => v.major >= 1), (v) => String(v.major));
}

function newestBy(versions: readonly EngineVersion[], key: (v: EngineVersion) => string): Map<string, EngineVersion> {
  const best = new Map<string, EngineVersion>();
  for (const v of versions.filter(isStable)) {
    const cur = best.get(key(v));
    if (!cur || compareVersions(v, cur) > 0) best.set(key(v), v);
  }
  return best;
}

/** The newest stable version; undefined when every version is a pre-release. */
export function newest(versions: readonly EngineVersion[]): EngineVersion | undefined {
  const stable = versions.filter(isStable);
  return stable.length === 0 ? undefined : stable.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));
}
