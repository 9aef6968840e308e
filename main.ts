/**
 * The cdktf app: reads the config named by RUNNERS_CONFIG (or the built-in default) and
 * synthesizes the deployment's stacks. Errors are one line, no stack trace, nothing written.
 *
 * Source maps are switched off before anything else loads: under tsx they cost about 40% of a
 * synth (every module's map is parsed and every captured stack trace is mapped), and this app
 * prints one-line errors, never stack traces. (`require` rather than `import`, which would be
 * hoisted above this line.)
 */
process.setSourceMapsEnabled(false);
/* eslint-disable @typescript-eslint/no-require-imports */
(require("./scripts/creation-stacks") as typeof import("./scripts/creation-stacks")).skipCdktfCreationStacks();
const { ConfigError, loadConfig } = require("./lib/config/load") as typeof import("./lib/config/load");
const { formatSynthError } = require("./lib/errors") as typeof import("./lib/errors");

try {
  const { config, plan } = loadConfig();
  // The synthesizing code (cdktf and the provider bindings, most of what the app loads) only
  // once the config is valid: a config error costs what reading the config costs.
  const { synthDeployment } = require("./lib/app") as typeof import("./lib/app");
  synthDeployment(config, plan, process.env.CDKTF_OUTDIR ?? "cdktf.out");
} catch (e) {
  process.stderr.write(`error: ${e instanceof ConfigError ? e.message : formatSynthError(e)}\n`);
  process.exit(1);
}
