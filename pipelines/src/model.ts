/**
 * A model pipeline for the GPU engines (docs/pipelines.md, "Model pipeline"): the model's
 * weights pulled into the Hugging Face hub cache volume, an evaluation on the GPU, a threshold
 * gate, and the model image published only when the score passes.
 *
 *   1. weights: the project's Python environment (builds.pythonEnv, its own locked
 *      dependencies, which must include `huggingface_hub`, e.g. through `transformers`) with the
 *      `huggingface-hub` cache volume at HF_HUB_CACHE runs `snapshot_download` of the model at
 *      its revision, so a model already pulled by an earlier job on the same engine is not
 *      downloaded again, and copies the snapshot out of the volume to /model (a cache volume is
 *      not part of any image or directory);
 *   2. evaluation: the same environment with /model mounted, offline (HF_HUB_OFFLINE=1), given
 *      every GPU of the engine (`experimentalWithAllGPUs`: device `all`, which needs a GPU engine,
 *      dagger/dagger core/container_exec.go at v0.20.3), runs the evaluation command, which
 *      writes its score (a number) to $EVAL_SCORE_FILE;
 *   3. gate: a score below the threshold, or not a number, fails the function: nothing is published;
 *   4. publish: the environment with the weights at /model, labelled with the model, revision
 *      and score, pushed to `address`.
 * The offline tests (test/pipelines-graph.test.ts) check the graph of each step and that the
 * publish request is sent only above the threshold.
 */
import { Container, Directory, Secret, dag } from "@dagger.io/dagger";
import * as builds from "./builds.js";

/** Where the weights are copied to (download) and mounted or stored (evaluation, image). */
export const MODEL_DIR = "/model";
/** The directory the evaluation writes its score into. */
export const EVAL_DIR = "/eval";
/** The file holding the evaluation's score, given to it as EVAL_SCORE_FILE. */
export const SCORE_FILE = `${EVAL_DIR}/score`;

/** Image labels of the published model. */
export const MODEL_LABELS = { id: "model.id", revision: "model.revision", score: "model.eval.score" } as const;

/**
 * Downloads the snapshot into HF_HUB_CACHE (a no-op for files already there) and copies it,
 * symlinks resolved, to MODEL_DIR. Inputs come from the environment, never from the command line.
 */
export const DOWNLOAD_SCRIPT = [
  "import os, shutil",
  "from huggingface_hub import snapshot_download",
  'path = snapshot_download(repo_id=os.environ["MODEL_ID"], revision=os.environ["MODEL_REVISION"])',
  'shutil.copytree(path, os.environ["MODEL_DIR"], dirs_exist_ok=True)',
  "print(path)",
].join("\n");

export interface ModelOptions {
  /** Hugging Face model repository, e.g. `distilbert/distilbert-base-uncased-finetuned-sst-2-english`. */
  readonly model: string;
  /** Revision: a commit hash pins the weights. @default "main" */
  readonly revision?: string;
  /** `uv` or `pip` (builds.pythonEnv). @default "uv" */
  readonly packageManager?: builds.PythonPackageManager;
  /** pip only: requirements files. @default ["requirements.txt"] */
  readonly requirements?: readonly string[];
  /** Python base image. @default builds.DEFAULT_IMAGE.python */
  readonly image?: string;
  /** Token for gated or private models (HF_TOKEN, download step only). @default none */
  readonly hfToken?: Secret;
  /** Namespace of the cache volumes. @default "local" */
  readonly cacheNamespace?: string;
}

const pm = (o: ModelOptions) => o.packageManager ?? "uv";
const env = (source: Directory, o: ModelOptions): Container =>
  builds.pythonEnv(source, { packageManager: pm(o), requirements: o.requirements, huggingFace: true, image: o.image, cacheNamespace: o.cacheNamespace });

/** `python -c <code>` in the environment (through `uv run --locked` with uv). */
function pythonCode(p: builds.PythonPackageManager, code: string): string[] {
  return p === "uv" ? ["uv", "run", "--locked", "python", "-c", code] : ["python", "-c", code];
}

/** Step 1: the container that pulled the weights into the hub cache and copied them to MODEL_DIR. */
export function modelWeights(source: Directory, o: ModelOptions): Container {
  let c = env(source, o)
    .withEnvVariable("MODEL_ID", o.model)
    .withEnvVariable("MODEL_REVISION", o.revision ?? "main")
    .withEnvVariable("MODEL_DIR", MODEL_DIR);
  if (o.hfToken) c = c.withSecretVariable("HF_TOKEN", o.hfToken);
  return c.withExec(pythonCode(pm(o), DOWNLOAD_SCRIPT));
}

/** Step 2: the evaluation on every GPU of the engine, offline, with the weights at MODEL_DIR. */
export function modelEval(source: Directory, weights: Directory, evalArgs: readonly string[], o: ModelOptions): Container {
  return env(source, o)
    .withMountedDirectory(MODEL_DIR, weights)
    .withEnvVariable("MODEL_DIR", MODEL_DIR)
    .withEnvVariable("MODEL_ID", o.model)
    .withEnvVariable("MODEL_REVISION", o.revision ?? "main")
    .withEnvVariable("HF_HUB_OFFLINE", "1")
    .withDirectory(EVAL_DIR, dag.directory())
    .withEnvVariable("EVAL_SCORE_FILE", SCORE_FILE)
    .experimentalWithAllGPUs()
    .withExec(builds.pythonRun(pm(o), evalArgs));
}

/** Step 4: the image to publish: the environment with the weights at MODEL_DIR, labelled. */
export function modelImage(source: Directory, weights: Directory, score: number, o: ModelOptions): Container {
  return env(source, o)
    .withDirectory(MODEL_DIR, weights)
    .withEnvVariable("MODEL_DIR", MODEL_DIR)
    .withLabel(MODEL_LABELS.id, o.model)
    .withLabel(MODEL_LABELS.revision, o.revision ?? "main")
    .withLabel(MODEL_LABELS.score, String(score));
}

/** Step 3: the score the evaluation wrote, checked against the threshold (one line when it fails). */
export function gate(scoreText: string, threshold: number): number {
  const score = Number(scoreText.trim());
  if (scoreText.trim() === "" || !Number.isFinite(score)) {
    throw new Error(`model gate: the evaluation wrote ${JSON.stringify(scoreText.slice(0, 40))} to ${SCORE_FILE}, not a number; nothing published`);
  }
  if (score < threshold) throw new Error(`model gate: score ${score} is below the threshold ${threshold}; nothing published`);
  return score;
}

/** Registry credentials for the publish, both or neither. */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: Secret;
}

/** The registry host of an image address (`host[:port]/path:tag` -> `host[:port]`). */
export function registryHost(address: string): string {
  return address.split("/")[0];
}

/** The whole pipeline: weights, evaluation, gate, publish; returns the published reference. */
export async function modelPipeline(
  source: Directory,
  address: string,
  evalArgs: readonly string[],
  threshold: number,
  o: ModelOptions,
  auth: RegistryAuth = {},
): Promise<string> {
  if (!Number.isFinite(threshold)) throw new Error(`threshold: ${threshold} is not allowed (expected a number, e.g. 0.9)`);
  if ((auth.username === undefined || auth.username === "") !== (auth.password === undefined)) {
    throw new Error("registryUsername: give it together with registryPassword (or neither, for a registry the engine can push to already)");
  }
  const weights = modelWeights(source, o).directory(MODEL_DIR);
  const evaluated = modelEval(source, weights, evalArgs, o);
  const score = gate(await evaluated.file(SCORE_FILE).contents(), threshold);
  let image = modelImage(source, weights, score, o);
  if (auth.password) image = image.withRegistryAuth(registryHost(address), auth.username!, auth.password);
  return image.publish(address);
}
