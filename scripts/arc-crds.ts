/**
 * `npm run arc-crds -- CHART_DIR [OUT_DIR]`: packs the CRDs of an unpacked
 * `gha-runner-scale-set-controller` chart (its `crds/` directory) into the chart this package
 * installs them with, `lib/arc-crds/gha-runner-scale-set-crds-<version>.tgz`: one Helm chart named
 * `gha-runner-scale-set-crds`, the same version, each CRD under `templates/` (Helm upgrades
 * templates, never `crds/`) with `helm.sh/resource-policy: keep` (uninstalling never deletes a
 * CRD, and with it every ARC object). Deterministic: the same chart gives the same bytes.
 *
 * Get the chart of a new ARC version with
 *   helm pull oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set-controller --version X --untar
 * then run this on the `gha-runner-scale-set-controller` directory, and commit the .tgz.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parseAllDocuments } from "yaml";

/** Name of the CRD chart (and its release). */
export const CRD_CHART = "gha-runner-scale-set-crds";

/** One ustar entry: a regular file, mode 0644, owner 0, mtime 0. */
function tarEntry(name: string, data: Buffer): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
  const h = Buffer.alloc(512);
  h.write(name, 0, "utf8");
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148); // checksum placeholder
  h.write("0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad]);
}

/** The CRD chart of an unpacked controller chart, as a gzipped tar (a Helm chart archive). */
export function buildCrdChart(chartDir: string): { version: string; tgz: Buffer } {
  const chartYaml = fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8");
  const m = /^version:\s*"?([0-9]+\.[0-9]+\.[0-9]+)"?\s*$/m.exec(chartYaml);
  if (!/^name:\s*gha-runner-scale-set-controller\s*$/m.test(chartYaml) || !m) {
    throw new Error(`${chartDir} is not an unpacked gha-runner-scale-set-controller chart (Chart.yaml name and version)`);
  }
  const version = m[1];
  const crdDir = path.join(chartDir, "crds");
  const files = fs.readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).sort();
  if (files.length === 0) throw new Error(`${crdDir} holds no CRDs`);
  const entries: Buffer[] = [];
  const meta = [
    "apiVersion: v2",
    `name: ${CRD_CHART}`,
    `version: ${version}`,
    `appVersion: ${version}`,
    `description: The CustomResourceDefinitions of gha-runner-scale-set-controller ${version}, as templates so that Helm upgrades them (packed by cdktf-dagger-runners npm run arc-crds).`,
    "type: application",
    "",
  ].join("\n");
  entries.push(tarEntry(`${CRD_CHART}/Chart.yaml`, Buffer.from(meta)));
  for (const f of files) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(crdDir, f), "utf8")).filter((d) => d.contents !== null);
    const out = docs.map((d) => {
      if (d.get("kind") !== "CustomResourceDefinition") throw new Error(`${f}: not a CustomResourceDefinition`);
      d.setIn(["metadata", "annotations", "helm.sh/resource-policy"], "keep");
      return d.toString({ lineWidth: 0 });
    });
    entries.push(tarEntry(`${CRD_CHART}/templates/${f}`, Buffer.from(out.join("---\n"))));
  }
  entries.push(Buffer.alloc(1024));
  return { version, tgz: zlib.gzipSync(Buffer.concat(entries), { level: 9, mtime: 0 } as zlib.ZlibOptions) };
}

/** File name of the CRD chart of ARC `version`. */
export function crdChartFile(version: string): string {
  return `${CRD_CHART}-${version}.tgz`;
}

function main(argv: readonly string[]): number {
  const [chartDir, outDir = path.join(__dirname, "..", "lib", "arc-crds")] = argv;
  if (!chartDir) {
    process.stderr.write("usage: npm run arc-crds -- CHART_DIR [OUT_DIR] (CHART_DIR: an unpacked gha-runner-scale-set-controller chart)\n");
    return 2;
  }
  try {
    const { version, tgz } = buildCrdChart(chartDir);
    const file = path.join(outDir, crdChartFile(version));
    fs.writeFileSync(file, tgz);
    process.stdout.write(`${file} (${tgz.length} bytes): the CRDs of ARC ${version}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message.split("\n")[0]}\n`);
    return 1;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
