/**
 * The deployment picture as a Mermaid flowchart (`npm run report -- --format mermaid`,
 * `cdktf.out/deployment.mmd`, the README and the pipelines' plan comment), which GitHub renders
 * in Markdown inside a fenced `mermaid` block. Pure code.
 *
 * Only plain flowchart syntax: quoted node texts (`"` `#` `<` `>` written as Mermaid entity
 * codes), `<br/>` between lines, `-->` edges, and `classDef` styles with an explicit text
 * colour so the nodes stay readable in GitHub's dark theme.
 */
import type { DeploymentPicture, PictureColumn, PictureNode } from "./graph";
import { PICTURE_COLUMNS } from "./graph";

/** Fill / stroke of each column's nodes (shared with the SVG). */
export const COLUMN_COLOURS: Readonly<Record<PictureColumn, { readonly fill: string; readonly stroke: string }>> = {
  pool: { fill: "#dbe9f9", stroke: "#3a6ea5" },
  engine: { fill: "#dcf2e3", stroke: "#2f8550" },
  scaleSet: { fill: "#fbefd0", stroke: "#a7791a" },
  label: { fill: "#efe2fa", stroke: "#7b4bb0" },
};
export const TEXT_COLOUR = "#1f2328";

/** Mermaid's entity codes for the characters that would end or change a quoted text. */
function escapeText(s: string): string {
  return s.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

const shape = (n: PictureNode): [string, string] => (n.column === "label" ? ['(["', '"])'] : n.column === "engine" ? ['[["', '"]]'] : ['["', '"]']);

/** The Mermaid text of `picture` (no fence; ends with a newline). */
export function renderMermaid(picture: DeploymentPicture): string {
  const out = ["flowchart LR"];
  const all = PICTURE_COLUMNS.flatMap((c) => picture.columns[c]);
  for (const n of all) {
    const [open, close] = shape(n);
    out.push(`  ${n.id}${open}${n.lines.map(escapeText).join("<br/>")}${close}`);
  }
  for (const e of picture.edges) out.push(`  ${e.from} --> ${e.to}`);
  for (const c of PICTURE_COLUMNS) {
    const { fill, stroke } = COLUMN_COLOURS[c];
    out.push(`  classDef ${c} fill:${fill},stroke:${stroke},color:${TEXT_COLOUR}`);
  }
  out.push("  classDef draining stroke-dasharray:5 3,color:#6e7781");
  for (const c of PICTURE_COLUMNS) {
    const ids = picture.columns[c].map((n) => n.id);
    if (ids.length > 0) out.push(`  class ${ids.join(",")} ${c}`);
  }
  const draining = all.filter((n) => n.draining).map((n) => n.id);
  if (draining.length > 0) out.push(`  class ${draining.join(",")} draining`);
  return `${out.join("\n")}\n`;
}
