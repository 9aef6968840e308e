/**
 * `npm run report`: validates the config (RUNNERS_CONFIG, or the built-in default) and prints
 * the deployment plan without synthesizing anything. `--json` prints the whole plan (labels,
 * engines, transports, capacity, warnings) as JSON for other tools; otherwise the human report.
 * A bad config prints one line on stderr and exits 1.
 */
import { ConfigError, loadConfig } from "../lib/config/load";
import { renderReport, reportJson } from "../lib/report";
import { reportClock } from "./clock";

function main(argv: readonly string[]): number {
  const json = argv.includes("--json");
  const unknown = argv.filter((a) => a !== "--json");
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown argument ${JSON.stringify(unknown[0])} (usage: npm run report [-- --json])\n`);
    return 2;
  }
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const { plan, source } = loaded;
  if (json) {
    process.stdout.write(`${JSON.stringify(reportJson(source, plan, { now: reportClock() }), null, 2)}\n`);
  } else {
    process.stdout.write(`Config: ${source}\n${renderReport(plan, { now: reportClock() })}\n`);
  }
  return 0;
}

process.exit(main(process.argv.slice(2)));
