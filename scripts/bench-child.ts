/**
 * One bench scenario in a fresh process; prints `{"peakMb": n}` on its last line. Like main.ts,
 * every scenario (the floor too) runs with source maps off, as `cdktf synth` runs the app.
 */
process.setSourceMapsEnabled(false);
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** 12 versions x 3 sizes: StatefulSet engines on a dedicated pool (12 DaemonSets would not fit a node). */
export const LARGE_CONFIG = {
  cluster: { nodePools: { engines: { machineType: "n2-standard-16", maxNodes: 4 } } },
  dagger: {
    engine: { mode: "statefulset" },
    versions: ["0.18.19", "0.18.14", "0.18.9", "0.19.0", "0.19.7", "0.19.8", "0.19.10", "0.19.11", "0.20.0", "0.20.1", "0.20.2", "0.20.3"],
  },
  runners: {
    sizes: {
      "": { requests: { cpu: "500m", memory: "1Gi" } },
      large: { requests: { cpu: "2", memory: "4Gi" } },
      xl: { requests: { cpu: "4", memory: "8Gi" } },
    },
  },
};

const scenario = process.argv[2];
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${scenario}-`));
try {
  if (scenario === "empty") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { App, TerraformStack } = require("cdktf") as typeof import("cdktf");
    const app = new App({ outdir });
    new TerraformStack(app, "empty");
    app.synth();
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseConfig } = require("../lib/config/load") as typeof import("../lib/config/load");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthDeployment } = require("../lib/app") as typeof import("../lib/app");
    const { config, plan } = parseConfig(scenario === "large" ? LARGE_CONFIG : {});
    synthDeployment(config, plan, outdir);
  }
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
console.log(JSON.stringify({ peakMb: process.resourceUsage().maxRSS / 1024 }));
