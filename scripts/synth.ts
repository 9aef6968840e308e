/**
 * `npm run synth`: validates the config (RUNNERS_CONFIG, or the built-in default), synthesizes
 * the stacks in this process into `cdktf.out` (or CDKTF_OUTDIR), with the plan and the picture
 * of the deployment beside them (`deployment.svg`, `deployment.mmd`), and prints the deployment
 * report, warnings included, once.
 *
 * It writes what `cdktf synth` writes: the CLI runs the same app (main.ts) with CDKTF_OUTDIR and
 * the context of cdktf.json (empty here), then removes stack directories the new manifest no
 * longer lists; test/synth.test.ts compares both outputs byte for byte. Without the CLI there is
 * no Terraform probing and no second process: the command costs what the app costs.
 * `cdktf synth` and `cdktf deploy` keep working unchanged.
 */
process.setSourceMapsEnabled(false); // one-line errors only; under tsx source maps cost ~40% of a synth
/* eslint-disable @typescript-eslint/no-require-imports */
(require("./creation-stacks") as typeof import("./creation-stacks")).skipCdktfCreationStacks();
const path = require("node:path") as typeof import("node:path");
const { ConfigError, loadConfig } = require("../lib/config/load") as typeof import("../lib/config/load");
const { formatSynthError } = require("../lib/errors") as typeof import("../lib/errors");
const { renderReport } = require("../lib/report") as typeof import("../lib/report");
const { reportClock } = require("./clock") as typeof import("./clock");

function main(): number {
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  let loaded: ReturnType<typeof loadConfig>;
  let app: typeof import("../lib/app");
  try {
    loaded = loadConfig();
    // The synthesizing code (cdktf and the provider bindings, most of what this loads) only once
    // the config is valid: a config error costs what reading the config costs.
    app = require("../lib/app") as typeof import("../lib/app");
    app.synthDeployment(loaded.config, loaded.plan, outdir);
  } catch (e) {
    process.stderr.write(`error: ${e instanceof ConfigError ? e.message : formatSynthError(e)}\n`);
    return 1;
  }
  app.removeOrphanStacks(outdir);
  const shown = (p: string) => path.relative(process.cwd(), p) || ".";
  process.stdout.write(`Config: ${loaded.source}\nOutput: ${shown(outdir)} (picture: ${shown(path.join(outdir, app.PICTURE_SVG_FILE))})\n${renderReport(loaded.plan, { now: reportClock() })}\n`);
  return 0;
}

process.exit(main());

export {}; // a module: its names do not clash with main.ts
