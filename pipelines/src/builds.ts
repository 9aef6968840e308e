/**
 * Reusable, cache-friendly build environments for Node (npm), Python (pip or uv) and Go.
 *
 * Every environment follows the same three steps, in this order, so that a source change
 * re-runs only what follows the source copy and the dependency install stays cached:
 *   1. copy only the dependency manifests (package.json + lockfile, requirements/pyproject +
 *      uv.lock, go.mod + go.sum),
 *   2. install the dependencies, with the package manager's download cache on a named cache
 *      volume (see caches.ts),
 *   3. copy the rest of the source.
 * The offline tests (test/pipelines-graph.test.ts) assert this order on the operation graph.
 */
import { Container, Directory, dag } from "@dagger.io/dagger";
import { CACHE_PATH, DEFAULT_CACHE_NAMESPACE, withCache, withHuggingFaceCache } from "./caches.js";

/** Where sources are copied inside the build containers. */
export const WORKDIR = "/src";

/** Default images; every function takes an `image` argument to override them. */
export const DEFAULT_IMAGE = {
  node: "node:22-bookworm-slim",
  python: "python:3.12-slim-bookworm",
  go: "golang:1.24-bookworm",
  uv: "ghcr.io/astral-sh/uv:0.9.26",
} as const;

/** Paths never copied with the source: local installs and build output of the host. */
export const DEFAULT_SOURCE_EXCLUDE = [
  ".git",
  "**/node_modules",
  "**/.venv",
  "**/__pycache__",
  "**/.pytest_cache",
] as const;

/** Dependency manifests copied before `npm ci` (workspaces need every package.json). */
export const NODE_MANIFESTS = ["package.json", "**/package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"];
/** Dependency manifests copied before `uv sync`. */
export const UV_MANIFESTS = ["pyproject.toml", "uv.lock", ".python-version"];
/** Dependency manifests copied before `go mod download`. */
export const GO_MANIFESTS = ["go.mod", "go.sum", "go.work", "go.work.sum"];

export type PythonPackageManager = "pip" | "uv";

/** Copies only `include` from `source` into the workdir. */
function withManifests(source: Directory, include: string[]): (c: Container) => Container {
  return (c) => c.withDirectory(WORKDIR, source, { include, exclude: ["**/node_modules"] });
}

/** Copies the whole source (minus `exclude`) into the workdir. */
function withSource(source: Directory, exclude: readonly string[]): (c: Container) => Container {
  return (c) => c.withDirectory(WORKDIR, source, { exclude: [...exclude] });
}

// ---------------------------------------------------------------------------------------- Node

export interface NodeEnvOptions {
  /** Namespace of the cache volumes (caches.ts). @default DEFAULT_CACHE_NAMESPACE */
  readonly cacheNamespace?: string;
  /** Base image. @default DEFAULT_IMAGE.node */
  readonly image?: string;
  /** Source paths not copied. @default DEFAULT_SOURCE_EXCLUDE */
  readonly exclude?: readonly string[];
}

/**
 * Node with `npm ci` done from the lockfile, then the source copied, then the lifecycle scripts.
 * `npm ci` runs the project's own `prepare` too, which usually builds from the source (this
 * repository's `npm run build`), and only the manifests are there yet: so the install runs with
 * `--ignore-scripts`, and once the source is in, `npm rebuild` runs the dependencies' install
 * scripts and `npm run --if-present prepare` the project's, as `npm ci` would have.
 */
export function nodeEnv(source: Directory, opts: NodeEnvOptions = {}): Container {
  return dag
    .container()
    .from(opts.image ?? DEFAULT_IMAGE.node)
    .with(withCache("npm", opts.cacheNamespace ?? DEFAULT_CACHE_NAMESPACE))
    .withEnvVariable("npm_config_cache", CACHE_PATH.npm)
    .withWorkdir(WORKDIR)
    .with(withManifests(source, NODE_MANIFESTS))
    .withExec(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"])
    .with(withSource(source, opts.exclude ?? DEFAULT_SOURCE_EXCLUDE))
    .withExec(["npm", "rebuild"])
    .withExec(["npm", "run", "--if-present", "prepare"]);
}

// -------------------------------------------------------------------------------------- Python

export interface PythonEnvOptions {
  /** Namespace of the cache volumes (caches.ts). @default DEFAULT_CACHE_NAMESPACE */
  readonly cacheNamespace?: string;
  /** `pip` (requirements files) or `uv` (pyproject.toml + uv.lock). @default "uv" */
  readonly packageManager?: PythonPackageManager;
  /** Base image. @default DEFAULT_IMAGE.python */
  readonly image?: string;
  /** uv image the `uv` binary is copied from. @default DEFAULT_IMAGE.uv */
  readonly uvImage?: string;
  /** Requirements files installed by pip, relative to the source root. @default ["requirements.txt"] */
  readonly requirements?: readonly string[];
  /** Mount the Hugging Face hub cache (`HF_HUB_CACHE`). @default false */
  readonly huggingFace?: boolean;
  /** Source paths not copied. @default DEFAULT_SOURCE_EXCLUDE */
  readonly exclude?: readonly string[];
}

/** Python with the dependencies installed (pip or uv), then the source copied. */
export function pythonEnv(source: Directory, opts: PythonEnvOptions = {}): Container {
  const exclude = opts.exclude ?? DEFAULT_SOURCE_EXCLUDE;
  const ns = opts.cacheNamespace ?? DEFAULT_CACHE_NAMESPACE;
  let c = dag
    .container()
    .from(opts.image ?? DEFAULT_IMAGE.python)
    .withEnvVariable("PYTHONDONTWRITEBYTECODE", "1")
    .withWorkdir(WORKDIR);
  if (opts.huggingFace) c = c.with(withHuggingFaceCache(ns));

  if ((opts.packageManager ?? "uv") === "uv") {
    return c
      .withFile("/usr/local/bin/uv", dag.container().from(opts.uvImage ?? DEFAULT_IMAGE.uv).file("/uv"))
      .with(withCache("uv", ns))
      .withEnvVariable("UV_CACHE_DIR", CACHE_PATH.uv)
      // The cache is a different mount than the venv: copy instead of hard-linking.
      .withEnvVariable("UV_LINK_MODE", "copy")
      // Use the image's interpreter, never a downloaded one.
      .withEnvVariable("UV_PYTHON_DOWNLOADS", "never")
      .with(withManifests(source, UV_MANIFESTS))
      .withExec(["uv", "sync", "--locked", "--no-install-project"])
      .with(withSource(source, exclude))
      .withExec(["uv", "sync", "--locked"]);
  }

  const requirements = [...(opts.requirements ?? ["requirements.txt"])];
  return c
    .with(withCache("pip", ns))
    .withEnvVariable("PIP_CACHE_DIR", CACHE_PATH.pip)
    .withEnvVariable("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    .with(withManifests(source, requirements))
    .withExec(["pip", "install", ...requirements.flatMap((r) => ["-r", r])])
    .with(withSource(source, exclude));
}

/** The command that runs a tool inside the Python environment. */
export function pythonRun(packageManager: PythonPackageManager, args: readonly string[]): string[] {
  return packageManager === "uv" ? ["uv", "run", "--locked", ...args] : ["python", "-m", ...args];
}

/** Builds the wheel and sdist into `/out` and returns that directory. */
export function pythonBuild(source: Directory, opts: PythonEnvOptions = {}): Directory {
  const pm = opts.packageManager ?? "uv";
  const cmd = pm === "uv" ? ["uv", "build", "--out-dir", "/out"] : ["pip", "wheel", "--no-deps", "--wheel-dir", "/out", "."];
  return pythonEnv(source, opts).withExec(cmd).directory("/out");
}

// ------------------------------------------------------------------------------------------ Go

export interface GoEnvOptions {
  /** Namespace of the cache volumes (caches.ts). @default DEFAULT_CACHE_NAMESPACE */
  readonly cacheNamespace?: string;
  /** Base image. @default DEFAULT_IMAGE.go */
  readonly image?: string;
  /** `CGO_ENABLED`. @default false */
  readonly cgo?: boolean;
  /** Source paths not copied. @default DEFAULT_SOURCE_EXCLUDE */
  readonly exclude?: readonly string[];
}

/** Go with `go mod download` done from go.mod/go.sum, then the source copied. */
export function goEnv(source: Directory, opts: GoEnvOptions = {}): Container {
  const ns = opts.cacheNamespace ?? DEFAULT_CACHE_NAMESPACE;
  return dag
    .container()
    .from(opts.image ?? DEFAULT_IMAGE.go)
    .with(withCache("goMod", ns))
    .withEnvVariable("GOMODCACHE", CACHE_PATH.goMod)
    .with(withCache("goBuild", ns))
    .withEnvVariable("GOCACHE", CACHE_PATH.goBuild)
    .withEnvVariable("CGO_ENABLED", opts.cgo ? "1" : "0")
    .withWorkdir(WORKDIR)
    .with(withManifests(source, GO_MANIFESTS))
    .withExec(["go", "mod", "download"])
    .with(withSource(source, opts.exclude ?? DEFAULT_SOURCE_EXCLUDE));
}

/** `go build` of `packages` into `/out`; returns that directory. */
export function goBuild(source: Directory, packages: readonly string[], opts: GoEnvOptions = {}): Directory {
  return goEnv(source, opts)
    .withExec(["go", "build", "-trimpath", "-o", "/out/", ...packages])
    .directory("/out");
}
