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
 * Imported statically so the build copies them. Planning loads this module (lib/planning/engine-config.ts
 * validates `dagger.engine.config` against the schema of each deployed version), and so does `npm run verify`.
 */
import v0_17_0 from "./engine.schema.v0.17.0.json";
import v0_18_9 from "./engine.schema.v0.18.9.json";
import v0_18_11 from "./engine.schema.v0.18.11.json";
import v0_19_0 from "./engine.schema.v0.19.0.json";
import v1_0_0_beta_10 from "./engine.schema.v1.0.0-beta.10.json";
import { compareVersionText } from "../../planning/versions";

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

/** The newest tag whose schema was checked: every tag up to it uses one of {@link FILES}. */
export const SCHEMAS_CHECKED_THROUGH = "1.0.0-beta.10";

/** The `engine.json` schema of engine `version` (e.g. `0.20.3`), with the tag it was published at; undefined before 0.17.0. */
export function engineConfigSchema(version: string): { readonly since: string; readonly schema: object } | undefined {
  let found: SchemaFile | undefined;
  for (const f of FILES) if (compareVersionText(version, f.since) >= 0) found = f;
  return found;
}
