/**
 * Named cache volumes and the paths they are mounted at.
 *
 * The runners share one long-lived Dagger engine per engine version, so a named cache volume
 * written by one job is warm for the next job on the same engine. The names are part of the
 * module's contract (the offline tests check every build mounts its volume): renaming one
 * starts that cache cold on every engine.
 */
import { CacheVolume, Container, dag } from "@dagger.io/dagger";

/** Cache volume names, one per package manager or tool cache. */
export const CACHE = {
  /** npm's download cache (`~/.npm`, content-addressed, safe to share). */
  npm: "npm",
  /** pip's wheel and HTTP cache. */
  pip: "pip",
  /** uv's cache (wheels, built distributions). */
  uv: "uv",
  /** Go module cache (`GOMODCACHE`). */
  goMod: "go-mod",
  /** Go build cache (`GOCACHE`). */
  goBuild: "go-build",
  /** Hugging Face hub cache (`HF_HOME`): model and dataset downloads for ML repos. */
  huggingFace: "huggingface",
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
  huggingFace: "/root/.cache/huggingface",
  terraformPlugins: "/root/.terraform.d/plugin-cache",
} as const;

export type CacheName = keyof typeof CACHE;

/** The named volume for `name`. */
export function cacheVolume(name: CacheName): CacheVolume {
  return dag.cacheVolume(CACHE[name]);
}

/** Mounts the named cache `name` at its standard path. */
export function withCache(name: CacheName): (c: Container) => Container {
  return (c) => c.withMountedCache(CACHE_PATH[name], cacheVolume(name));
}

/**
 * Mounts the Hugging Face cache and points `HF_HOME` at it, so `transformers`,
 * `huggingface_hub` and `datasets` reuse model downloads across jobs on the same engine.
 */
export function withHuggingFaceCache(c: Container): Container {
  return c.with(withCache("huggingFace")).withEnvVariable("HF_HOME", CACHE_PATH.huggingFace);
}
