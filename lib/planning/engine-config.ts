/**
 * The engine's `engine.json`: defaults and validation against the engine's JSON schema.
 * Pure code (no cdktf import).
 *
 * The schema (`lib/schemas/dagger-engine-config.schema.json`) is dagger/dagger
 * `docs/static/reference/engine.schema.json` (main). Older engines accept a subset; the
 * long-standing keys are `logLevel`, `gc`, `security` and `registries`.
 */
import type Ajv2020 from "ajv/dist/2020";
import type { ErrorObject } from "ajv/dist/2020";
import engineSchema from "../schemas/dagger-engine-config.schema.json";
import type { EngineMode } from "./engines";

/** An `engine.json` document. */
export type EngineConfig = Record<string, unknown>;

/** One schema violation: `path` is relative to the config document. */
export interface EngineConfigProblem {
  readonly path: readonly (string | number)[];
  /** Starts with "is ..."/"must ..."/"has ..." so the config loader renders `<path>: <value> <message>`. */
  readonly message: string;
}

/**
 * Default GC settings per mode. The engine's own defaults (reservedSpace 10% up to 10GB,
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
  return mode === "daemonset"
    ? { gc: { maxUsedSpace: "50%", minFreeSpace: "25%", reservedSpace: "5GB" } }
    : { gc: { maxUsedSpace: "80%", minFreeSpace: "15%", reservedSpace: "10GB" } };
}

/**
 * The effective `engine.json`: the user's top-level keys replace the defaults' (so setting
 * `logLevel` keeps the default `gc`, and setting `gc` replaces the whole `gc` block).
 */
export function effectiveEngineConfig(mode: EngineMode, user?: EngineConfig): EngineConfig {
  return { ...defaultEngineConfig(mode), ...(user ?? {}) };
}

let validator: ReturnType<Ajv2020["compile"]> | undefined;

function compile() {
  if (!validator) {
    // Loaded on first use: ajv is ~80 modules, and only a user-supplied engine.json needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = (require("ajv/dist/2020") as { default: typeof Ajv2020 }).default;
    const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
    validator = ajv.compile(engineSchema);
  }
  return validator;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(e: ErrorObject): EngineConfigProblem {
  const path = pointerToPath(e.instancePath);
  if (e.keyword === "additionalProperties") {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return {
      path: [...path, key],
      message: `is not an engine.json key here (allowed: ${allowed.join(", ") || "none"})`,
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

/** Validates `config` against the engine's JSON schema; returns the first problem, if any. */
export function validateEngineConfig(config: unknown): EngineConfigProblem | undefined {
  const validate = compile();
  if (validate(config)) return undefined;
  const errors = validate.errors ?? [];
  // Inside anyOf, the branch errors come first; the anyOf error names the real problem.
  const best = errors.find((e) => e.keyword === "anyOf") ?? errors[0];
  return best ? describe(best) : { path: [], message: "is not a valid engine.json" };
}
