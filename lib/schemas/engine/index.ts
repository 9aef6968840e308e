/**
 * The engine config (`engine.json`) schema of each Dagger engine version.
 *
 * dagger/dagger publishes the schema at `docs/static/reference/engine.schema.json`; this folder
 * holds every distinct one from v0.17.0 to v1.0.0-beta.10 (`SOURCES`: tag and commit). A file
 * applies from its tag up to, not including, the next file's tag. Every schema sets
 * `additionalProperties: false`, and the engine loads its config with unknown fields disallowed
 * (`engine/config/load.go`) and exits at startup on an error (`cmd/engine/main.go`): a key the
 * version does not know crash-loops the engine.
 *
 * Imported statically so the build copies them; only `npm run verify` loads this module today.
 */
import v0_17_0 from "./engine.schema.v0.17.0.json";
import v0_18_9 from "./engine.schema.v0.18.9.json";
import v0_18_11 from "./engine.schema.v0.18.11.json";
import v0_19_0 from "./engine.schema.v0.19.0.json";
import v1_0_0_beta_10 from "./engine.schema.v1.0.0-beta.10.json";

/** A schema and the first engine version it applies to. */
interface SchemaFile {
  /** First version (tag without `v`) the schema applies to. */
  readonly since: string;
  readonly schema: object;
}

// Ascending by `since`.
const FILES: readonly SchemaFile[] = [
  { since: "0.17.0", schema: v0_17_0 },
  { since: "0.18.9", schema: v0_18_9 },
  { since: "0.18.11", schema: v0_18_11 },
  { since: "0.19.0", schema: v0_19_0 },
  { since: "1.0.0-beta.10", schema: v1_0_0_beta_10 },
];

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** Semver precedence (semver.org §11): negative when a < b; NaN when either is not a version. */
export function compareSemver(a: string, b: string): number {
  const x = SEMVER.exec(a);
  const y = SEMVER.exec(b);
  if (!x || !y) return NaN;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  if (x[4] === undefined || y[4] === undefined) return (x[4] === undefined ? 1 : 0) - (y[4] === undefined ? 1 : 0);
  const p = x[4].split(".");
  const q = y[4].split(".");
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    if (p[i] === undefined) return -1;
    if (q[i] === undefined) return 1;
    const [n, m] = [/^\d+$/.test(p[i]) ? Number(p[i]) : NaN, /^\d+$/.test(q[i]) ? Number(q[i]) : NaN];
    if (!Number.isNaN(n) && !Number.isNaN(m)) {
      if (n !== m) return n - m;
    } else if (Number.isNaN(n) !== Number.isNaN(m)) {
      return Number.isNaN(n) ? 1 : -1; // numeric identifiers sort first
    } else if (p[i] !== q[i]) {
      return p[i] < q[i] ? -1 : 1;
    }
  }
  return 0;
}

/** The `engine.json` schema of engine `version` (e.g. `0.20.3`), with the tag it was published at; undefined before 0.17.0. */
export function engineConfigSchema(version: string): { readonly since: string; readonly schema: object } | undefined {
  let found: SchemaFile | undefined;
  for (const f of FILES) if (compareSemver(version, f.since) >= 0) found = f;
  return found;
}
