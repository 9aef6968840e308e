/**
 * The deployment picture as a standalone SVG (`cdktf.out/deployment.svg`, docs/pictures/):
 * a deterministic layout of our own for this four-column graph, since Mermaid's renderer needs
 * a browser. Pure code; the same plan gives the same bytes.
 *
 * Layout: one column per layer (pools | engines | scale sets | labels), all boxes of a column
 * as wide as its longest line at a fixed character width (a monospace font: 0.6 em per
 * character), in the order the graph gives. The tallest column is stacked top to bottom; every
 * other column is placed, working outwards from it, as close as possible to the middle of its
 * neighbours in the column already placed (least squares under the order and the gaps between
 * boxes), so that fan-outs are centred. Edges are cubic curves from the right middle of a box to
 * the left middle of the next column's box with horizontal tangents at both ends: two edges
 * between the same columns cross exactly when their ends are in opposite orders, so the graph's
 * order decides every crossing.
 */
import { COLUMN_TITLES, DeploymentPicture, PICTURE_COLUMNS, PictureNode } from "./graph";
import { COLUMN_COLOURS, TEXT_COLOUR } from "./mermaid";

export const FONT_SIZE = 12;
/** Advance of one character of a monospace font at {@link FONT_SIZE} (0.6 em). */
export const CHAR_WIDTH = FONT_SIZE * 0.6;
const LINE_HEIGHT = 16;
const PAD_X = 10;
const PAD_Y = 7;
const GAP_Y = 10;
const GAP_X = 64;
const MARGIN = 16;
const HEADER = 26;
const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";

export interface Box {
  readonly node: PictureNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PictureLayout {
  readonly width: number;
  readonly height: number;
  /** Left edge of each column. */
  readonly columnX: readonly number[];
  readonly boxes: ReadonlyMap<string, Box>;
}

/**
 * Tops `t` closest (least squares) to `desired` with `t[i+1] >= t[i] + heights[i] + GAP_Y`:
 * with offsets `o[i]` (the stacked position), `t[i] - o[i]` must not decrease, which is an
 * isotonic regression, solved by pooling adjacent violators.
 */
function fitInOrder(desired: readonly number[], heights: readonly number[]): number[] {
  const offsets: number[] = [];
  let o = 0;
  for (const h of heights) {
    offsets.push(o);
    o += h + GAP_Y;
  }
  const blocks: { sum: number; n: number }[] = [];
  desired.forEach((d, i) => {
    blocks.push({ sum: d - offsets[i], n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].sum / blocks[blocks.length - 2].n > blocks[blocks.length - 1].sum / blocks[blocks.length - 1].n) {
      const last = blocks.pop()!;
      blocks[blocks.length - 1].sum += last.sum;
      blocks[blocks.length - 1].n += last.n;
    }
  });
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.n; k++) out.push(b.sum / b.n + offsets[out.length]);
  return out;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Positions of every box. */
export function layoutPicture(picture: DeploymentPicture): PictureLayout {
  const columns = PICTURE_COLUMNS.map((c) => picture.columns[c]);
  const widths = PICTURE_COLUMNS.map((c, i) =>
    Math.ceil(Math.max(COLUMN_TITLES[c].length * CHAR_WIDTH, ...columns[i].flatMap((n) => n.lines.map((l) => [...l].length * CHAR_WIDTH))) + 2 * PAD_X),
  );
  const heights = columns.map((nodes) => nodes.map((n) => n.lines.length * LINE_HEIGHT + 2 * PAD_Y));
  const stacked = heights.map((hs) => hs.reduce((a, h) => a + h + GAP_Y, -GAP_Y));
  const anchor = stacked.indexOf(Math.max(...stacked));

  const centre = new Map<string, number>();
  const tops: number[][] = columns.map(() => []);
  const place = (ci: number, desiredCentres: readonly (number | undefined)[]) => {
    // A box with no neighbour placed yet goes right after the one above it.
    let prev = -Infinity;
    const desired = desiredCentres.map((c, i) => {
      const top = c === undefined ? (prev === -Infinity ? 0 : prev + GAP_Y) : c - heights[ci][i] / 2;
      prev = top + heights[ci][i];
      return top;
    });
    tops[ci] = fitInOrder(desired, heights[ci]);
    columns[ci].forEach((n, i) => centre.set(n.id, tops[ci][i] + heights[ci][i] / 2));
  };
  const neighbourMean = (id: string, side: "from" | "to") => {
    const cs = picture.edges.filter((e) => e[side === "from" ? "to" : "from"] === id).map((e) => centre.get(side === "from" ? e.from : e.to));
    const placed = cs.filter((c): c is number => c !== undefined);
    return placed.length > 0 ? placed.reduce((a, b) => a + b, 0) / placed.length : undefined;
  };
  place(anchor, columns[anchor].map(() => undefined));
  for (let ci = anchor - 1; ci >= 0; ci--) place(ci, columns[ci].map((n) => neighbourMean(n.id, "to")));
  for (let ci = anchor + 1; ci < columns.length; ci++) place(ci, columns[ci].map((n) => neighbourMean(n.id, "from")));

  const minTop = Math.min(0, ...tops.flat());
  const shift = MARGIN + HEADER - minTop;
  const columnX: number[] = [];
  let x = MARGIN;
  for (const w of widths) {
    columnX.push(x);
    x += w + GAP_X;
  }
  const boxes = new Map<string, Box>();
  columns.forEach((nodes, ci) =>
    nodes.forEach((node, i) => boxes.set(node.id, { node, x: columnX[ci], y: round(tops[ci][i] + shift), width: widths[ci], height: heights[ci][i] })),
  );
  const bottom = Math.max(MARGIN + HEADER, ...[...boxes.values()].map((b) => b.y + b.height));
  return { width: Math.ceil(x - GAP_X + MARGIN), height: Math.ceil(bottom + MARGIN), columnX, boxes };
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The SVG document of `picture` (ends with a newline). */
export function renderSvg(picture: DeploymentPicture): string {
  const { width, height, columnX, boxes } = layoutPicture(picture);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${FONT_SIZE}">`,
    `<title>${xml(`${picture.name}: node pools, Dagger engines, runner scale sets and runs-on labels`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  out.push(`<g class="headers" font-weight="bold" fill="${TEXT_COLOUR}">`);
  PICTURE_COLUMNS.forEach((c, i) => out.push(`<text x="${columnX[i]}" y="${MARGIN + 12}">${xml(COLUMN_TITLES[c])}</text>`));
  out.push("</g>");
  out.push(`<g class="edges" fill="none" stroke="#8c959f" stroke-width="1.3">`);
  for (const e of picture.edges) {
    const a = boxes.get(e.from)!;
    const b = boxes.get(e.to)!;
    const [x1, y1, x2, y2] = [a.x + a.width, round(a.y + a.height / 2), b.x, round(b.y + b.height / 2)];
    const mid = round((x1 + x2) / 2);
    const dash = b.node.draining ? ` stroke-dasharray="5 3"` : "";
    out.push(`<path class="edge" d="M ${x1} ${y1} C ${mid} ${y1} ${mid} ${y2} ${x2} ${y2}"${dash}/>`);
  }
  out.push("</g>");
  out.push(`<g class="nodes">`);
  for (const c of PICTURE_COLUMNS) {
    const { fill, stroke } = COLUMN_COLOURS[c];
    for (const n of picture.columns[c]) {
      const b = boxes.get(n.id)!;
      const dash = n.draining ? ` stroke-dasharray="5 3"` : "";
      out.push(`<g class="node ${c}">`);
      out.push(`<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="6" fill="${fill}" stroke="${stroke}"${dash}/>`);
      n.lines.forEach((line, i) => {
        const weight = i === 0 ? ` font-weight="bold"` : "";
        const colour = n.draining ? "#6e7781" : TEXT_COLOUR;
        out.push(`<text x="${b.x + PAD_X}" y="${round(b.y + PAD_Y + (i + 1) * LINE_HEIGHT - 4)}" fill="${colour}"${weight}>${xml(line)}</text>`);
      });
      out.push("</g>");
    }
  }
  out.push("</g>", "</svg>");
  return `${out.join("\n")}\n`;
}
