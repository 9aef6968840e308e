/**
 * `npm run impact -- OLD NEW [--json]`: what changing OLD into NEW does before it is applied.
 * Each side is a config file (validated and synthesized in this process) or a cdktf output
 * directory (e.g. an earlier `cdktf.out`). Offline: no Terraform state, no cluster.
 *
 * Exit codes: 0 safe, 3 disruptive (running jobs, engines, caches or nodes are affected),
 * 4 will fail at apply (Kubernetes or Terraform refuses a change), 1 a side cannot be read or
 * a config is invalid (one line on stderr), 2 bad arguments.
 */
process.setSourceMapsEnabled(false);
/* eslint-disable @typescript-eslint/no-require-imports */
(require("./creation-stacks") as typeof import("./creation-stacks")).skipCdktfCreationStacks();
const { ConfigError } = require("../lib/config/load") as typeof import("../lib/config/load");
const { BadSide, loadSide } = require("../lib/impact/sides") as typeof import("../lib/impact/sides");
const { assessImpact } = require("../lib/impact/assess") as typeof import("../lib/impact/assess");
const { impactJson, renderImpact } = require("../lib/impact/render") as typeof import("../lib/impact/render");
const { formatSynthError } = require("../lib/errors") as typeof import("../lib/errors");

const USAGE = "usage: npm run impact -- OLD NEW [--json]   (each a config file or a cdktf output directory)";

function main(argv: readonly string[]): number {
  const json = argv.includes("--json");
  const rest = argv.filter((a) => a !== "--json");
  const unknown = rest.find((a) => a.startsWith("-"));
  if (unknown || rest.length !== 2) {
    process.stderr.write(`error: ${unknown ? `unknown option ${JSON.stringify(unknown)}` : `expected two sides, got ${rest.length}`} (${USAGE})\n`);
    return 2;
  }
  let sides;
  try {
    sides = rest.map((a) => {
      try {
        return loadSide(a);
      } catch (e) {
        // Name the side whose config is bad.
        if (e instanceof ConfigError) throw new ConfigError(`${a}: ${e.message}`);
        throw e;
      }
    });
  } catch (e) {
    const msg = e instanceof ConfigError || e instanceof BadSide ? e.message : formatSynthError(e);
    process.stderr.write(`error: ${msg}\n`);
    return 1;
  }
  const impact = assessImpact(sides[0], sides[1]);
  process.stdout.write(`${json ? impactJson(impact) : renderImpact(impact)}\n`);
  return impact.exitCode;
}

process.exit(main(process.argv.slice(2)));

export {};
