/**
 * Builds the deployment's stacks from a validated config, and synthesizes them all-or-nothing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import type { RunnersConfig } from "./planning/input/schema";
import type { DeploymentPlan } from "./planning/deployment";
import { ClusterStack } from "./stacks/cluster-stack";
import { RunnersStack } from "./stacks/runners-stack";
import { planPicture } from "./picture/graph";
import { renderMermaid } from "./picture/mermaid";
import { renderSvg } from "./picture/svg";

/** File in the output directory holding the deployment plan the synth report prints. */
export const PLAN_FILE = "deployment-plan.json";

/**
 * Files in the output directory holding the picture of the deployment (lib/picture/): a
 * standalone SVG, and the Mermaid text the pipelines' plan comment shows. Beside the stacks,
 * never inside `stacks/`, so the cdktf CLI's orphan cleanup (stack directories only) leaves
 * them alone.
 */
export const PICTURE_SVG_FILE = "deployment.svg";
export const PICTURE_MERMAID_FILE = "deployment.mmd";

/** cdktf's directory of stack outputs (`Manifest.stacksFolder`). */
const STACKS_DIR = "stacks";

export interface DeploymentStacks {
  readonly cluster?: ClusterStack;
  readonly runners: RunnersStack;
}

/** Adds the deployment's stacks to `app`. */
export function buildStacks(app: App, config: RunnersConfig, plan: DeploymentPlan): DeploymentStacks {
  const cluster = plan.stacks.cluster ? new ClusterStack(app, plan.stacks.cluster, { config, plan }) : undefined;
  const runners = new RunnersStack(app, plan.stacks.runners, { config, plan, cluster });
  return { cluster, runners };
}

/**
 * Removes the stack directories of `outdir` that its manifest no longer lists (a stack an
 * earlier synth wrote, e.g. `<name>-cluster` after switching to target existing-cluster), as the
 * cdktf CLI does after running the app. For callers that synthesize without the CLI
 * (`npm run synth`); under the CLI it would remove them twice and fail.
 */
export function removeOrphanStacks(outdir: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
  const dir = path.join(outdir, STACKS_DIR);
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!(name in manifest.stacks)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * A scratch directory for a synth into `outdir`: beside it when its parent exists and is
 * writable (the same filesystem, so the results move in by rename), else in the OS temp dir.
 * Never creates a missing parent: a failing synth writes nothing.
 */
function scratchDir(outdir: string): string {
  const to = path.resolve(outdir);
  try {
    return fs.mkdtempSync(path.join(path.dirname(to), `.${path.basename(to)}.synth-`));
  } catch {
    return fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-dagger-runners-"));
  }
}

/**
 * Synthesizes into a scratch directory and moves the result to `outdir` only when every stack
 * synthesized and validated, so a failing synth leaves no partial output. Beside the stacks
 * and the manifest: the plan ({@link PLAN_FILE}) and the picture ({@link PICTURE_SVG_FILE},
 * {@link PICTURE_MERMAID_FILE}), written after `app.synth()`, so the stacks and the manifest
 * are what they would be without them.
 *
 * Stack directories are replaced one by one: a stack an earlier synth wrote and this one no
 * longer has (e.g. `<name>-cluster` after switching to target existing-cluster) is left for the
 * cdktf CLI, which lists the stack directories before running the app and removes the orphans
 * after it, failing on one that is already gone (@cdktf/cli-core `synth-stack.js`, `rmSync`
 * without `force`). The manifest names the stacks of this synth only.
 *
 * Each result moves by rename (the scratch directory is beside `outdir`, {@link scratchDir});
 * across filesystems (`EXDEV`, e.g. `outdir` a mount point) it is copied instead.
 */
export function synthDeployment(config: RunnersConfig, plan: DeploymentPlan, outdir: string): void {
  const scratch = scratchDir(outdir);
  try {
    // No stack traces in annotation metadata: each warning would capture one (the report and
    // the one-line errors never show them), a measurable share of a synth.
    const app = new App({ outdir: scratch, stackTraces: false });
    buildStacks(app, config, plan);
    app.synth();
    fs.writeFileSync(path.join(scratch, PLAN_FILE), JSON.stringify(plan, null, 2));
    const picture = planPicture(plan);
    fs.writeFileSync(path.join(scratch, PICTURE_SVG_FILE), renderSvg(picture));
    fs.writeFileSync(path.join(scratch, PICTURE_MERMAID_FILE), renderMermaid(picture));
    const replace = (rel: string) => {
      const from = path.join(scratch, rel);
      const to = path.join(outdir, rel);
      fs.rmSync(to, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(to), { recursive: true });
      try {
        fs.renameSync(from, to);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
        fs.cpSync(from, to, { recursive: true });
      }
    };
    for (const entry of fs.readdirSync(scratch)) {
      if (entry === STACKS_DIR) for (const stack of fs.readdirSync(path.join(scratch, entry))) replace(path.join(entry, stack));
      else replace(entry);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
