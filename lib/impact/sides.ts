/**
 * Reading one side of `npm run impact`: a config file, synthesized here into a scratch
 * directory, or a cdktf output directory written earlier. cdktf and the constructs load only
 * when a config has to be synthesized.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ImpactSide } from "./assess";

/** A side that cannot be read: `message` is the one line to print (exit 1). */
export class BadSide extends Error {}

/** Reads `dir/manifest.json`, every stack it lists and `deployment-plan.json` when present. */
export function readOutputDir(dir: string, label = dir): ImpactSide {
  const manifestPath = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifestPath)) throw new BadSide(`${label}: no manifest.json (expected a config file or a cdktf output directory such as cdktf.out)`);
  let manifest: { stacks?: Record<string, { synthesizedStackPath?: string }> };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  } catch (e) {
    throw new BadSide(`${label}: manifest.json is not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  const stacks = Object.entries(manifest.stacks ?? {}).map(([name, s]) => {
    const file = path.join(dir, s.synthesizedStackPath ?? path.join("stacks", name, "cdk.tf.json"));
    try {
      return { name, json: JSON.parse(fs.readFileSync(file, "utf8")) };
    } catch (e) {
      throw new BadSide(`${label}: stack ${name} cannot be read (${(e as Error).message.split("\n")[0]})`);
    }
  });
  // `deployment-plan.json` (lib/app.ts PLAN_FILE): written by this app's synth only.
  const planPath = path.join(dir, "deployment-plan.json");
  const plan = fs.existsSync(planPath) ? JSON.parse(fs.readFileSync(planPath, "utf8")) : undefined;
  return { label, stacks, plan };
}

/**
 * One side from a path: a directory is a cdktf output; a file is a config, validated and
 * synthesized in this process. Throws {@link BadSide} (or the loader's ConfigError) with one line.
 */
export function loadSide(arg: string): ImpactSide {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(arg);
  } catch {
    throw new BadSide(`${arg}: no such file or directory (expected a config file or a cdktf output directory)`);
  }
  if (stat.isDirectory()) return readOutputDir(arg);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadConfig } = require("../config/load") as typeof import("../config/load");
  const { synthDeployment } = require("../app") as typeof import("../app");
  const { config, plan } = loadConfig(arg);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dagger-runners-impact-"));
  try {
    synthDeployment(config, plan, scratch);
    return readOutputDir(scratch, arg);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
