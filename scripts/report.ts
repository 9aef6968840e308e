/**
 * `npm run report`: validates the config (RUNNERS_CONFIG, or the built-in default) and prints
 * the deployment plan without synthesizing anything:
 *   --format text     the human report (the default)
 *   --format json     the whole plan (labels, engines, transports, capacity, warnings) as JSON
 *                     for other tools (`--json` is an alias)
 *   --format mermaid  the picture of the deployment as a Mermaid flowchart (node pools ->
 *                     engines -> scale sets -> labels), for a ```mermaid block on GitHub
 *   --format svg      the same picture as a standalone SVG (what synth writes to
 *                     cdktf.out/deployment.svg)
 * Bad arguments print one line on stderr and exit 2; a bad config prints one line and exits 1.
 */
import { ConfigError, loadConfig } from "../lib/config/load";
import { parseReportArgs, renderReport, reportJson } from "../lib/report";
import { reportClock } from "./clock";
import { planPicture } from "../lib/picture/graph";
import { renderMermaid } from "../lib/picture/mermaid";
import { renderSvg } from "../lib/picture/svg";

function main(argv: readonly string[]): number {
  const args = parseReportArgs(argv);
  if ("error" in args) {
    process.stderr.write(`error: ${args.error}\n`);
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
  switch (args.format) {
    case "json":
      process.stdout.write(`${JSON.stringify(reportJson(source, plan, { now: reportClock() }), null, 2)}\n`);
      break;
    case "mermaid":
      process.stdout.write(renderMermaid(planPicture(plan)));
      break;
    case "svg":
      process.stdout.write(renderSvg(planPicture(plan)));
      break;
    case "text":
      process.stdout.write(`Config: ${source}\n${renderReport(plan, { now: reportClock() })}\n`);
      break;
  }
  return 0;
}

process.exit(main(process.argv.slice(2)));
