/**
 * `npm run synth`: validates the config, runs `cdktf synth`, then prints the deployment report
 * from the plan the app wrote beside the stacks.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, loadConfig } from "../lib/config/load";
import { PLAN_FILE } from "../lib/app";
import { renderReport } from "../lib/report";
import type { DeploymentPlan } from "../lib/planning/deployment";

function main(): number {
  let source: string;
  try {
    source = loadConfig().source; // fail fast with one line, before the CLI starts
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const cli = path.join(__dirname, "..", "node_modules", ".bin", "cdktf");
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  // A TF_CLI_CONFIG_FILE naming a missing file makes every terraform call print a warning.
  if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  const r = spawnSync(cli, ["synth", "--output", outdir, ...process.argv.slice(2)], {
    stdio: ["ignore", "inherit", "inherit"],
    env,
  });
  if (r.status !== 0) return r.status ?? 1;
  const plan = JSON.parse(fs.readFileSync(path.join(outdir, PLAN_FILE), "utf8")) as DeploymentPlan;
  process.stdout.write(`\nConfig: ${source}\nOutput: ${path.relative(process.cwd(), outdir) || "."}\n${renderReport(plan)}\n`);
  return 0;
}

process.exit(main());
