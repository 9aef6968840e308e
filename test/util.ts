/** Test helpers: synthesize a config and read the stacks back as JSON. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfig } from "../lib/config/load";
import { synthDeployment } from "../lib/app";

export interface Synthesized {
  /** Stack name -> parsed cdk.tf.json. */
  readonly stacks: Record<string, any>;
  /** Every stack's JSON text, concatenated (for secret scans). */
  readonly text: string;
  readonly outdir: string;
}

/** Validates `raw` as a config file would be, synthesizes every stack with validations on. */
export function synthConfig(raw: unknown): Synthesized {
  const { config, plan } = parseConfig(raw);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "dr-test-"));
  try {
    synthDeployment(config, plan, outdir);
    const stacks: Record<string, any> = {};
    let text = "";
    for (const name of fs.readdirSync(path.join(outdir, "stacks"))) {
      const t = fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8");
      stacks[name] = JSON.parse(t);
      text += t;
    }
    return { stacks, text, outdir };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** All resources of `type` in a stack, keyed by their cdktf id. */
export function resources(stack: any, type: string): Record<string, any> {
  return stack.resource?.[type] ?? {};
}

/** Helm values of a helm_release (the `values` list holds YAML/JSON strings). */
export function helmValues(release: any): any {
  return Object.assign({}, ...(release.values ?? []).map((v: string) => JSON.parse(v)));
}
