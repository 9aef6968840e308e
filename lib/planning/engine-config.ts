/**
 * The engine's `engine.json`: defaults and validation against the schema of each engine
 * version. Pure code (no cdktf import).
 *
 * The engine loads engine.json with unknown fields disallowed (dagger/dagger
 * `engine/config/load.go`) and exits at startup on an error (`cmd/engine/main.go`), so a key the
 * version does not know crash-loops every engine of that version. The schemas are the ones
 * dagger/dagger published at `docs/static/reference/engine.schema.json` at each tag
 * (`lib/schemas/engine/`): `logLevel`, `gc` and `security` since 0.17.0, `registries` since
 * 0.19.0, `gc.dagqlCache` since 1.0.0-beta.10.
 */
import type Ajv2020 from "ajv/dist/2020";
import type { ErrorObject } from "ajv/dist/2020";
import { SCHEMAS_CHECKED_THROUGH, engineConfigSchema } from "../schemas/engine";
import type { EngineMode } from "./engines";
import { compareVersionText } from "./versions";

/** An `engine.json` document. */
export type EngineConfig = Record<string, unknown>;

/** One schema violation: `path` is relative to the config document. */
export interface EngineConfigProblem {
  readonly path: readonly (string | number)[];
  /** Starts with "is ..."/"must ..."/"has ..." so the config loader renders `<path>: <value> <message>`. */
  readonly message: string;
}

/**
 * Default engine.json per mode: GC settings, and no privileged containers for jobs. The engine's own defaults (reservedSpace 10% up to 10GB,
 * minFreeSpace 20%, maxUsedSpace 75%) assume the cache has its disk to itself.
 *
 * - `daemonset`: the cache lives on the node's boot disk beside container images, runner
 *   workspaces and logs, and every engine version on the node shares it. The kubelet starts
 *   image GC at 85% used and evicts pods below 10% free, so each engine starts its own GC when
 *   less than 25% of the disk is free (well before the kubelet acts) and never grows its cache
 *   past half the disk.
 * - `statefulset`: the cache has its own PVC, so the engine may fill most of it: GC starts when
 *   less than 15% is free and the cache is capped at 80% of the volume.
 */
export function defaultEngineConfig(mode: EngineMode): EngineConfig {
  return {
    ...(mode === "daemonset"
      ? { gc: { maxUsedSpace: "50%", minFreeSpace: "25%", reservedSpace: "5GB" } }
      : { gc: { maxUsedSpace: "80%", minFreeSpace: "15%", reservedSpace: "10GB" } }),
    // The engine is shared by every job on its node or pool: no job may ask it for a privileged
    // container (`withExec(..., {insecureRootCapabilities: true})`). Dagger allows it by default
    // (engine/config/config.go `Security.InsecureRootCapabilities` at v0.20.3; with it false,
    // engine/server/server.go does not grant the `security.insecure` entitlement); opt in with
    // `security: {insecureRootCapabilities: true}`. Known to every schema from 0.17.0.
    security: { insecureRootCapabilities: false },
  };
}

/**
 * The effective `engine.json`: the user's top-level keys replace the defaults' (so setting
 * `logLevel` keeps the default `gc`, and setting `gc` replaces the whole `gc` block).
 */
export function effectiveEngineConfig(mode: EngineMode, user?: EngineConfig): EngineConfig {
  return { ...defaultEngineConfig(mode), ...(user ?? {}) };
}

const validators = new Map<string, ReturnType<Ajv2020["compile"]>>();

/**
 * The compiled validator of engine `version`'s engine.json schema, with the tag it was published
 * at; undefined before 0.17.0. Compiled on first use, once per schema.
 */
export function engineConfigValidator(version: string): { readonly since: string; readonly validate: ReturnType<Ajv2020["compile"]> } | undefined {
  const found = engineConfigSchema(version);
  if (!found) return undefined;
  let validate = validators.get(found.since);
  if (!validate) {
    // Loaded on first use: ajv is ~80 modules, and only a user-supplied engine.json needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = (require("ajv/dist/2020") as { default: typeof Ajv2020 }).default;
    // One instance per schema: every published schema has the same $id. `optimize: false`: the
    // optimisation passes are most of the compile time and change only the generated code size.
    validate = new Ajv({ allErrors: false, strict: false, verbose: true, code: { optimize: false } }).compile(found.schema);
    validators.set(found.since, validate);
  }
  return { since: found.since, validate };
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(e: ErrorObject, version: string, since: string): EngineConfigProblem {
  const path = pointerToPath(e.instancePath);
  if (e.keyword === "additionalProperties") {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return {
      path: [...path, key],
      message: `is not an engine.json key here for engine ${version} (its schema, published at v${since}, allows: ${allowed.join(", ") || "none"}); the engine would refuse to start`,
    };
  }
  if (e.keyword === "required") {
    const key = (e.params as { missingProperty: string }).missingProperty;
    return { path: [...path, key], message: "is required here by the engine.json schema" };
  }
  if (e.keyword === "enum") {
    return { path, message: `is not allowed (expected one of: ${(e.schema as unknown[]).join(", ")})` };
  }
  if (e.keyword === "anyOf" && e.schemaPath.includes("DiskSpace")) {
    return { path, message: 'is not a disk space (expected a size such as "10GB", a percentage such as "75%", or bytes)' };
  }
  if (e.keyword === "anyOf" && e.schemaPath.includes("Duration")) {
    return { path, message: 'is not a duration (expected e.g. "48h", "30m" or seconds)' };
  }
  return { path, message: e.message ?? "is not valid for the engine.json schema" };
}

/**
 * Validates `config` against the schema of every engine version in `versions` (oldest first);
 * returns the first problem, naming the version.
 */
export function validateEngineConfig(config: unknown, versions: readonly string[]): EngineConfigProblem | undefined {
  for (const version of [...versions].sort(compareVersionText)) {
    const found = engineConfigValidator(version);
    if (!found) continue; // older than any schema: refused elsewhere (MIN_ENGINE_VERSION)
    const validate = found.validate;
    if (validate(config)) continue;
    const errors = validate.errors ?? [];
    // Inside anyOf, the branch errors come first; the anyOf error names the real problem.
    const best = errors.find((e) => e.keyword === "anyOf") ?? errors[0];
    return best ? describe(best, version, found.since) : { path: [], message: `is not a valid engine.json for engine ${version}` };
  }
  return undefined;
}

/**
 * Versions newer than the last tag whose schema this package ships: their engine.json is checked
 * against the newest shipped schema, which they may have changed. One warning line per version.
 */
export function unshippedSchemaWarnings(versions: readonly string[], configPath = "dagger.engine.config"): string[] {
  return versions
    .filter((v) => compareVersionText(v, SCHEMAS_CHECKED_THROUGH) > 0)
    .map(
      (v) =>
        `${configPath}: engine ${v} is newer than v${SCHEMAS_CHECKED_THROUGH}, the last tag whose engine.json schema this package ships; it was checked against that schema (add the version's schema to lib/schemas/engine/ if it changed)`,
    );
}
