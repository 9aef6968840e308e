/**
 * `npm run picture`: regenerates the committed pictures of the deployment from the configs, with
 * the same code `npm run synth` and `npm run report -- --format mermaid|svg` use:
 *   - docs/pictures/default.svg (the built-in default) and docs/pictures/<example>.svg for
 *     every examples/*.yaml;
 *   - the README's Mermaid block of the built-in default, between {@link README_BEGIN} and
 *     {@link README_END}.
 * `npm run picture -- --check` writes nothing and exits 1 naming the files that are not current
 * (test/picture.test.ts runs the same comparison).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfig } from "../lib/config/load";
import { planPicture } from "../lib/picture/graph";
import { renderMermaid } from "../lib/picture/mermaid";
import { renderSvg } from "../lib/picture/svg";

export const README_BEGIN = "<!-- picture:begin (written by `npm run picture` from the built-in default; do not edit) -->";
export const README_END = "<!-- picture:end -->";
export const PICTURES_DIR = "docs/pictures";

/** The README with its picture block replaced by `mermaid` (throws when the markers are missing). */
export function withReadmePicture(readme: string, mermaid: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`README.md: the markers ${README_BEGIN} and ${README_END} are missing or out of order`);
  return `${readme.slice(0, begin + README_BEGIN.length)}\n\`\`\`mermaid\n${mermaid}\`\`\`\n${readme.slice(end)}`;
}

/** Every generated file (repository-relative path -> content), computed in memory. */
export function pictureFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const configs: [string, string | undefined][] = [
    ["default", undefined],
    ...fs
      .readdirSync(path.join(root, "examples"))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f): [string, string] => [f.replace(/\.ya?ml$/, ""), path.join(root, "examples", f)]),
  ];
  for (const [name, file] of configs) {
    const picture = planPicture(loadConfig(file).plan);
    files.set(`${PICTURES_DIR}/${name}.svg`, renderSvg(picture));
    if (name === "default") files.set("README.md", withReadmePicture(fs.readFileSync(path.join(root, "README.md"), "utf8"), renderMermaid(picture)));
  }
  return files;
}

/** Generated files whose committed content differs (or that are missing), and committed pictures no config makes. */
export function stalePictures(root: string, files: ReadonlyMap<string, string>): string[] {
  const stale = [...files].filter(([rel, text]) => !fs.existsSync(path.join(root, rel)) || fs.readFileSync(path.join(root, rel), "utf8") !== text).map(([rel]) => rel);
  const dir = path.join(root, PICTURES_DIR);
  const extra = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).map((f) => `${PICTURES_DIR}/${f}`).filter((rel) => !files.has(rel));
  return [...stale, ...extra];
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown argument ${JSON.stringify(unknown[0])} (usage: npm run picture [-- --check])\n`);
    return 2;
  }
  const root = path.join(__dirname, "..");
  const files = pictureFiles(root);
  const stale = stalePictures(root, files);
  if (argv.includes("--check")) {
    if (stale.length > 0) {
      process.stderr.write(`error: not current (run npm run picture): ${stale.join(", ")}\n`);
      return 1;
    }
    process.stdout.write(`current: ${[...files.keys()].join(", ")}\n`);
    return 0;
  }
  fs.mkdirSync(path.join(root, PICTURES_DIR), { recursive: true });
  for (const rel of stale) {
    const text = files.get(rel);
    if (text === undefined) fs.rmSync(path.join(root, rel));
    else fs.writeFileSync(path.join(root, rel), text);
  }
  process.stdout.write(stale.length > 0 ? `updated: ${stale.join(", ")}\n` : "already current\n");
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
