/**
 * Named cache volumes, the paths they are mounted at, and their namespaces.
 *
 * The runners share one long-lived Dagger engine per engine version, so a named cache volume
 * written by one job is warm for the next job on the same engine. The names are part of the
 * module's contract (the offline tests check every build mounts its volume): renaming one
 * starts that cache cold on every engine.
 *
 * Every volume key is `<namespace>:<name>`. The engine already separates the volumes of
 * different modules (dagger/dagger core/schema/cache.go, `namespaceFromModule`: the key is
 * scoped to `mod(<module name><source>)`), but every repository that calls this module shares
 * that scope, and so do pull requests and main. The namespace splits it further: the workflows
 * pass `<owner>/<repo>` for pushes to main, `<owner>/<repo>/pr` for pull requests from the
 * repository itself and `<owner>/<repo>/untrusted` for pull requests from forks, so a pull
 * request can never write a cache (a Go build cache entry, an npm tarball) that main reads.
 */
import { CacheVolume, Container, dag } from "@dagger.io/dagger";

/** Cache volume names, one per package manager or tool cache. */
export const CACHE = {
  /** npm's download cache (`~/.npm`, content-addressed). */
  npm: "npm",
  /** pip's wheel and HTTP cache. */
  pip: "pip",
  /** uv's cache (wheels, built distributions). */
  uv: "uv",
  /** Go module cache (`GOMODCACHE`). */
  goMod: "go-mod",
  /** Go build cache (`GOCACHE`). */
  goBuild: "go-build",
  /**
   * Hugging Face hub cache (`HF_HUB_CACHE`): model and dataset downloads only. Not `HF_HOME`,
   * which also holds the login token (`$HF_HOME/token`). Named `huggingface-hub` so that a
   * volume of the earlier `HF_HOME` layout (which may contain a token) is never mounted again.
   */
  huggingFace: "huggingface-hub",
  /** Terraform provider plugin cache (`TF_PLUGIN_CACHE_DIR`). */
  terraformPlugins: "terraform-plugins",
} as const;

/** Where each cache is mounted inside the build containers. */
export const CACHE_PATH = {
  npm: "/root/.npm",
  pip: "/root/.cache/pip",
  uv: "/root/.cache/uv",
  goMod: "/go/pkg/mod",
  goBuild: "/root/.cache/go-build",
  huggingFace: "/root/.cache/huggingface/hub",
  terraformPlugins: "/root/.terraform.d/plugin-cache",
} as const;

export type CacheName = keyof typeof CACHE;

/** Namespace of callers that pass none (a developer's own engine). */
export const DEFAULT_CACHE_NAMESPACE = "local";

/** `owner/repo`, optionally followed by one more part such as `pr` or `untrusted`. */
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,2}$/;

/** The namespace, checked: one line naming the argument, the value and what is allowed. */
export function cacheNamespace(value: string): string {
  if (!NAMESPACE.test(value)) {
    throw new Error(
      `cacheNamespace: ${JSON.stringify(value)} is not allowed (expected up to three "/"-separated parts of letters, digits, ".", "_" and "-", e.g. my-org/my-repo or my-org/my-repo/pr)`,
    );
  }
  return value;
}

/** The cache volume key of `name` in `namespace`. */
export function cacheKey(name: CacheName, namespace: string): string {
  return `${cacheNamespace(namespace)}:${CACHE[name]}`;
}

/** The named volume for `name` in `namespace`. */
export function cacheVolume(name: CacheName, namespace: string): CacheVolume {
  return dag.cacheVolume(cacheKey(name, namespace));
}

/** Mounts the named cache `name` of `namespace` at its standard path. */
export function withCache(name: CacheName, namespace: string): (c: Container) => Container {
  return (c) => c.withMountedCache(CACHE_PATH[name], cacheVolume(name, namespace));
}

/**
 * Mounts the Hugging Face hub cache and points `HF_HUB_CACHE` at it, so `transformers`,
 * `huggingface_hub` and `datasets` reuse model downloads across jobs on the same engine. Only
 * the hub cache is shared: `HF_HOME` (with the token a `huggingface-cli login` writes) stays in
 * the container.
 */
export function withHuggingFaceCache(namespace: string): (c: Container) => Container {
  return (c) => c.with(withCache("huggingFace", namespace)).withEnvVariable("HF_HUB_CACHE", CACHE_PATH.huggingFace);
}
