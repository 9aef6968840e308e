/**
 * The cdktf app: reads the config named by RUNNERS_CONFIG (or the built-in default) and
 * synthesizes the deployment's stacks. Errors are one line, no stack trace, nothing written.
 */
import { ConfigError, loadConfig } from "./lib/config/load";
import { synthDeployment } from "./lib/app";
import { formatSynthError } from "./lib/errors";

try {
  const { config, plan } = loadConfig();
  synthDeployment(config, plan, process.env.CDKTF_OUTDIR ?? "cdktf.out");
} catch (e) {
  process.stderr.write(`error: ${e instanceof ConfigError ? e.message : formatSynthError(e)}\n`);
  process.exit(1);
}
