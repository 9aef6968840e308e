/**
 * The picture of the deployment (lib/picture/): read back from the Mermaid text and from the
 * SVG's geometry by parsers of this file, and checked against facts of the configs written
 * here by hand (which label reaches which engine through which scale set), against the plan's
 * lists (every label, scale set and engine exactly once), and for readability (no crossing
 * edges, no overlapping boxes, text inside its box). The committed pictures (README block,
 * docs/pictures/) must be current.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig, parseConfigText } from "../lib/config/load";
import type { DeploymentPlan } from "../lib/planning/deployment";
import { planPicture } from "../lib/picture/graph";
import { renderMermaid } from "../lib/picture/mermaid";
import { renderSvg } from "../lib/picture/svg";
import { parseReportArgs } from "../lib/report";
import { pictureFiles, stalePictures } from "../scripts/picture";
import { runScript } from "./util";

const ROOT = path.join(__dirname, "..");
const EXAMPLES = fs.readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".yaml")).sort();
const planOf = (raw: unknown): DeploymentPlan => parseConfig(raw).plan;
const examplePlan = (f: string) => planOf(parseConfigText(fs.readFileSync(path.join(ROOT, "examples", f), "utf8"), f));

// ---------------------------------------------------------------------------------------------
// Readers of the two outputs, independent of the renderers.
// ---------------------------------------------------------------------------------------------

interface Graph {
  /** Node text (lines joined by " | ") by id. */
  readonly nodes: Map<string, string>;
  /** Edges as [from text, to text]. */
  readonly edges: [string, string][];
}

/** Nodes `id["..."]`, `id[["..."]]`, `id(["..."])` and edges `a --> b` of a Mermaid flowchart. */
function readMermaid(text: string): Graph & { classes: Map<string, string[]> } {
  const lines = text.trimEnd().split("\n");
  expect(lines[0]).toBe("flowchart LR");
  const nodes = new Map<string, string>();
  const ids: [string, string][] = [];
  const classes = new Map<string, string[]>();
  const decode = (s: string) => s.replace(/#quot;/g, '"').replace(/#lt;/g, "<").replace(/#gt;/g, ">").replace(/#35;/g, "#");
  for (const line of lines.slice(1)) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2}(\w+)(\[\[|\(\[|\[)"([^"]*)"(\]\]|\]\)|\])$/.exec(line))) {
      expect(nodes.has(m[1])).toBe(false);
      nodes.set(m[1], m[3].split("<br/>").map(decode).join(" | "));
    } else if ((m = /^ {2}(\w+) --> (\w+)$/.exec(line))) ids.push([m[1], m[2]]);
    else if ((m = /^ {2}class ([\w,]+) (\w+)$/.exec(line))) for (const id of m[1].split(",")) classes.set(id, [...(classes.get(id) ?? []), m[2]]);
    else expect(line).toMatch(/^ {2}classDef \w+ [\w:#,. -]+$/);
  }
  const edges = ids.map(([a, b]): [string, string] => {
    expect(nodes.has(a) && nodes.has(b)).toBe(true);
    return [nodes.get(a)!, nodes.get(b)!];
  });
  return { nodes: new Map([...nodes].map(([id, t]) => [id, t])), edges, classes };
}

interface Rect {
  readonly kind: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly text: string;
  readonly texts: { x: number; y: number; s: string }[];
  readonly dashed: boolean;
}

interface Curve {
  readonly points: [number, number][];
}

const unxml = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** Boxes (a `rect` and its `text`s in a `g class="node <kind>"`) and edges (cubic `path`s) of the SVG. */
function readSvg(svg: string): { width: number; height: number; rects: Rect[]; curves: Curve[]; graph: Graph; fontSize: number } {
  const head = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+)" height="(\d+)" viewBox="0 0 \1 \2"[^>]* font-size="(\d+)">/.exec(svg);
  expect(head).not.toBeNull();
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  // Well formed enough: every opened g/text closes.
  expect((svg.match(/<g[ >]/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
  expect((svg.match(/<text /g) ?? []).length).toBe((svg.match(/<\/text>/g) ?? []).length);
  const rects: Rect[] = [];
  for (const m of svg.matchAll(/<g class="node (\w+)">\n<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"([^>]*)\/>\n((?:<text [^>]*>[^<]*<\/text>\n)+)<\/g>/g)) {
    const texts = [...m[7].matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((t) => ({ x: Number(t[1]), y: Number(t[2]), s: unxml(t[3]) }));
    rects.push({ kind: m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5], dashed: m[6].includes("stroke-dasharray"), texts, text: texts.map((t) => t.s).join(" | ") });
  }
  expect(rects.length).toBe((svg.match(/<rect /g) ?? []).length - 1); // all but the background
  const curves: Curve[] = [];
  const edges: [string, string][] = [];
  const at = (x: number, y: number, side: "right" | "left") => {
    const hit = rects.filter((r) => Math.abs((side === "right" ? r.x + r.w : r.x) - x) < 0.01 && y >= r.y && y <= r.y + r.h);
    expect(hit).toHaveLength(1);
    return hit[0];
  };
  for (const m of svg.matchAll(/<path class="edge" d="M ([\d.]+) ([\d.]+) C ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)"/g)) {
    const [x0, y0, x1, y1, x2, y2, x3, y3] = m.slice(1, 9).map(Number);
    const points: [number, number][] = [];
    for (let i = 0; i <= 64; i++) {
      const t = i / 64;
      const b = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3];
      points.push([b[0] * x0 + b[1] * x1 + b[2] * x2 + b[3] * x3, b[0] * y0 + b[1] * y1 + b[2] * y2 + b[3] * y3]);
    }
    curves.push({ points });
    edges.push([at(x0, y0, "right").text, at(x3, y3, "left").text]);
  }
  expect(curves.length).toBe((svg.match(/<path /g) ?? []).length);
  return { width: +head![1], height: +head![2], fontSize: +head![3], rects, curves, graph: { nodes: new Map(rects.map((r, i) => [String(i), r.text])), edges } };
}

type P = [number, number];
function segmentsCross(a: P, b: P, c: P, d: P): boolean {
  const o = (p: P, q: P, r: P) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

/** Pairs of curves that cross (touching at a shared end, where a fan starts, is no crossing). */
function crossings(curves: readonly Curve[]): number {
  let n = 0;
  for (let i = 0; i < curves.length; i++) {
    for (let j = i + 1; j < curves.length; j++) {
      const [p, q] = [curves[i].points, curves[j].points];
      const box = (c: P[]) => [Math.min(...c.map((x) => x[0])), Math.max(...c.map((x) => x[0])), Math.min(...c.map((x) => x[1])), Math.max(...c.map((x) => x[1]))];
      const [a, b] = [box(p), box(q)];
      if (a[1] < b[0] || b[1] < a[0] || a[3] < b[2] || b[3] < a[2]) continue;
      let crossed = false;
      for (let k = 0; k + 1 < p.length && !crossed; k++) for (let l = 0; l + 1 < q.length && !crossed; l++) crossed = segmentsCross(p[k], p[k + 1], q[l], q[l + 1]);
      if (crossed) n++;
    }
  }
  return n;
}

function overlapping(rects: readonly Rect[]): string[] {
  const out: string[] = [];
  rects.forEach((a, i) =>
    rects.slice(i + 1).forEach((b) => {
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) out.push(`${a.text} / ${b.text}`);
    }),
  );
  return out;
}

const render = (plan: DeploymentPlan) => {
  const picture = planPicture(plan);
  return { mermaid: readMermaid(renderMermaid(picture)), svg: readSvg(renderSvg(picture)), mermaidText: renderMermaid(picture), svgText: renderSvg(picture) };
};
const sortedEdges = (g: Graph) => g.edges.map(([a, b]) => `${a} -> ${b}`).sort();

/** The one path label <- scale set <- engine <- pools of `label`, from the edges. */
function pathOf(g: Graph, label: string): { scaleSet: string; engine: string; pools: string[] } {
  const into = (t: string) => g.edges.filter(([, b]) => b === t).map(([a]) => a);
  const sets = into(label);
  expect(sets).toHaveLength(1);
  const engines = into(sets[0]);
  expect(engines).toHaveLength(1);
  return { scaleSet: sets[0], engine: engines[0], pools: into(engines[0]) };
}

// ---------------------------------------------------------------------------------------------

describe("examples/multi-version.yaml: three versions in two sizes, multi-label", () => {
  const { mermaid, svg } = render(examplePlan("multi-version.yaml"));
  const pool = "pool runners | n2-standard-16 · 1–10 nodes | runners: (default), large";
  const engine = (v: string) => `engine ${v} | DaemonSet · unix socket`;
  const set = (name: string, size: string) => `scale set ${name} | size ${size} · 0–10 runners`;

  // A set carrying aliases is named after its exact label and the aliases' hash (sha256sum of
  // the sorted aliases joined by newlines): 945c2d, e7064c, d01f46, fe5082.
  test.each([
    ["dagger-v0.20", set("dagger-v0.20.4-945c2d", "(default)"), "0.20.4"],
    ["dagger-latest", set("dagger-v0.20.4-945c2d", "(default)"), "0.20.4"],
    ["dagger-v0.20.3", set("dagger-v0.20.3", "(default)"), "0.20.3"],
    ["dagger-v0.19", set("dagger-v0.19.11-e7064c", "(default)"), "0.19.11"],
    ["dagger-v0.20-large", set("dagger-v0.20.4-large-d01f46", "large"), "0.20.4"],
    ["dagger-v0.19.11-large", set("dagger-v0.19.11-large-fe5082", "large"), "0.19.11"],
    ["dagger-latest-large", set("dagger-v0.20.4-large-d01f46", "large"), "0.20.4"],
  ])("label %s -> %s -> engine %s, in Mermaid and in the SVG", (label, scaleSet, version) => {
    for (const g of [mermaid, svg.graph]) expect(pathOf(g, label)).toEqual({ scaleSet, engine: engine(version), pools: [pool] });
  });

  test("the scale sets carry their aliases: 12 labels on 6 scale sets on 3 engines on 1 pool", () => {
    const texts = [...mermaid.nodes.values()];
    expect(texts.filter((t) => t.startsWith("engine "))).toEqual([engine("0.20.4"), engine("0.20.3"), engine("0.19.11")]);
    expect(texts.filter((t) => t.startsWith("scale set "))).toHaveLength(6);
    expect(texts.filter((t) => t.startsWith("dagger-"))).toHaveLength(12);
    expect(mermaid.edges.filter(([a]) => a === set("dagger-v0.20.4-945c2d", "(default)")).map(([, b]) => b)).toEqual(["dagger-v0.20.4", "dagger-v0.20", "dagger-latest"]);
    expect(mermaid.edges.filter(([a]) => a === set("dagger-v0.20.3", "(default)")).map(([, b]) => b)).toEqual(["dagger-v0.20.3"]);
  });

  test("no edge crosses another and no box overlaps another", () => {
    expect(crossings(svg.curves)).toBe(0);
    expect(overlapping(svg.rects)).toEqual([]);
  });
});

describe("3 versions × 2 sizes, per-label (14 labels, each its own scale set)", () => {
  const plan = planOf({
    dagger: { versions: ["0.18.16", "0.19.11", "0.20.3"] },
    runners: { sizes: { "": { requests: { cpu: "500m", memory: "1Gi" } }, xl: { requests: { cpu: "4", memory: "8Gi" } } } },
  });
  const { mermaid, svg } = render(plan);

  test("no crossing edges, no overlapping boxes, everything inside the drawing", () => {
    expect(svg.curves.length).toBe(3 + 14 + 14); // pool -> 3 engines, 14 scale sets, 14 labels
    expect(crossings(svg.curves)).toBe(0);
    expect(overlapping(svg.rects)).toEqual([]);
    for (const r of svg.rects) {
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.y).toBeGreaterThanOrEqual(0);
      expect(r.x + r.w).toBeLessThanOrEqual(svg.width);
      expect(r.y + r.h).toBeLessThanOrEqual(svg.height);
    }
  });

  test("per-label: each label has its own scale set of the same name", () => {
    expect(pathOf(mermaid, "dagger-v0.19-xl")).toEqual({
      scaleSet: "scale set dagger-v0.19-xl | size xl · 0–10 runners",
      engine: "engine 0.19.11 | DaemonSet · unix socket",
      pools: ["pool runners | n2-standard-8 · 1–5 nodes | runners: (default), xl"],
    });
    expect(pathOf(svg.graph, "dagger-latest")).toEqual(expect.objectContaining({ scaleSet: "scale set dagger-latest | size (default) · 0–10 runners", engine: "engine 0.20.3 | DaemonSet · unix socket" }));
  });

  test("every line of text fits its box at 0.6 em per character", () => {
    for (const r of svg.rects) {
      for (const t of r.texts) {
        expect(t.x).toBeGreaterThan(r.x);
        expect(t.x + [...t.s].length * 0.6 * svg.fontSize).toBeLessThanOrEqual(r.x + r.w);
        expect(t.y).toBeGreaterThan(r.y);
        expect(t.y).toBeLessThanOrEqual(r.y + r.h);
      }
    }
  });
});

test("modes and transports: StatefulSet with tcp, and the pools each size runs on", () => {
  const { mermaid } = render(
    planOf({
      dagger: { versions: ["0.20.3"], engine: { mode: "statefulset", transport: "tcp", port: 4321 } },
      cluster: { nodePools: { engines: { machineType: "n2-highmem-8", maxNodes: 2 } } },
    }),
  );
  const p = pathOf(mermaid, "dagger-v0.20");
  expect(p.engine).toBe("engine 0.20.3 | StatefulSet · tcp :4321");
  expect(p.pools).toEqual([expect.stringMatching(/^pool engines \| n2-highmem-8 · 1–2 nodes$/)]);
  expect(p.scaleSet).toBe("scale set dagger-v0.20 | 0–10 runners · pool runners");
  // The runners pool holds runners but no engine: drawn, with no edge.
  expect([...mermaid.nodes.values()]).toContain("pool runners | n2-standard-8 · 1–5 nodes | runners: (default)");
});

test("a draining version: its engine, scale sets and labels are dashed, the aliases moved on", () => {
  const plan = planOf({ dagger: { versions: ["0.19.11", "0.20.3"], draining: ["0.19.11"] } });
  const { mermaid, svg } = render(plan);
  expect(pathOf(mermaid, "dagger-v0.19.11").engine).toBe("engine 0.19.11 | DaemonSet · unix socket | draining");
  expect(pathOf(mermaid, "dagger-v0.19.11").scaleSet).toBe("scale set dagger-v0.19.11 | 0–0 runners");
  expect(pathOf(mermaid, "dagger-latest").engine).toBe("engine 0.20.3 | DaemonSet · unix socket");
  const drainingIds = [...mermaid.classes].filter(([, c]) => c.includes("draining")).map(([id]) => mermaid.nodes.get(id));
  expect(drainingIds.sort()).toEqual(["dagger-v0.19", "dagger-v0.19.11", "engine 0.19.11 | DaemonSet · unix socket | draining", "scale set dagger-v0.19 | 0–0 runners", "scale set dagger-v0.19.11 | 0–0 runners"]);
  expect(svg.rects.filter((r) => r.dashed).map((r) => r.text).sort()).toEqual(drainingIds.sort());
});

test("an existing cluster without kubernetes.nodes: one cluster node feeding every engine", () => {
  const { mermaid } = render(planOf({ target: "existing-cluster", kubernetes: { context: "ci" }, dagger: { versions: ["0.19.11", "0.20.3"] } }));
  for (const l of ["dagger-v0.19", "dagger-latest"]) expect(pathOf(mermaid, l).pools).toEqual(["existing cluster | nodes not declared"]);
});

test("names that Mermaid or XML would read as syntax are written as text", () => {
  const picture = planPicture(planOf({}));
  const odd = { ...picture, name: `a<b>&"c"`, columns: { ...picture.columns, pool: [{ ...picture.columns.pool[0], lines: [`pool "x" #1 <y> & z`] }] } };
  expect([...readMermaid(renderMermaid(odd)).nodes.values()]).toContain(`pool "x" #1 <y> & z`);
  const svg = readSvg(renderSvg(odd));
  expect(svg.rects.map((r) => r.text)).toContain(`pool "x" #1 <y> & z`);
  expect(renderSvg(odd)).toContain("<title>a&lt;b&gt;&amp;&quot;c&quot;: ");
});

describe.each([["the built-in default", undefined as string | undefined], ...EXAMPLES.map((f): [string, string] => [f, f])])("%s: both pictures render", (_name, file) => {
  const plan = file ? examplePlan(file) : planOf({});
  const { mermaid, svg } = render(plan);

  test("every label, scale set and engine of the plan once; the same edges in Mermaid and the SVG", () => {
    const texts = [...mermaid.nodes.values()];
    for (const l of plan.runners.labels) expect(texts.filter((t) => t === l.label)).toHaveLength(1);
    for (const s of plan.runners.scaleSets) expect(texts.filter((t) => t.startsWith(`scale set ${s.name} |`))).toHaveLength(1);
    for (const e of plan.engines) expect(texts.filter((t) => t.startsWith(`engine ${e.version} |`))).toHaveLength(1);
    // GPU engines (lib/planning/gpu-engines.ts) are drawn as "engine <version> GPU".
    const gpuEngines = plan.gpuEngines?.engines ?? [];
    for (const e of gpuEngines) expect(texts.filter((t) => t.startsWith(`engine ${e.version} GPU |`))).toHaveLength(1);
    // Pools that hold engines or runners; the system pool (controller and listeners) is not drawn.
    const jobPools = plan.capacity?.pools.filter((p) => p.name !== "system") ?? [undefined];
    expect(texts.filter((t) => t.startsWith("pool system"))).toEqual([]);
    expect(texts).toHaveLength(plan.runners.labels.length + plan.runners.scaleSets.length + plan.engines.length + gpuEngines.length + jobPools.length);
    for (const l of plan.runners.labels) {
      const p = pathOf(mermaid, l.label);
      expect(p.scaleSet.startsWith(`scale set ${l.scaleSet} |`)).toBe(true);
      const gpu = plan.gpuEngines?.labels.includes(l.label) ? " GPU" : "";
      expect(p.engine.startsWith(`engine ${l.version}${gpu} |`)).toBe(true);
      expect(p.pools.length).toBeGreaterThan(0);
    }
    expect(sortedEdges(svg.graph)).toEqual(sortedEdges(mermaid));
    expect(svg.rects.map((r) => r.text).sort()).toEqual(texts.sort());
  });

  test("no crossing edges (these shapes have one set of pools for all engines), no overlapping boxes", () => {
    const enginesOnSeveralPools = (plan.capacity?.engines ?? []).some((e) => e.pools.length > 1) && plan.engines.length > 1;
    if (!enginesOnSeveralPools) expect(crossings(svg.curves)).toBe(0);
    expect(overlapping(svg.rects)).toEqual([]);
  });
});

test("the committed pictures are current (README block, docs/pictures/)", () => {
  const files = pictureFiles(ROOT);
  expect([...files.keys()].sort()).toEqual(["README.md", "docs/pictures/default.svg", ...EXAMPLES.map((f) => `docs/pictures/${f.replace(".yaml", ".svg")}`)].sort());
  expect(stalePictures(ROOT, files)).toEqual([]);
  // The README shows the default's Mermaid text in a block GitHub renders.
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  expect(readme).toContain("```mermaid\nflowchart LR\n  pool1[\"pool runners<br/>n2-standard-8 · 1–5 nodes");
});

describe("npm run report --format", () => {
  test.each([
    [[], "text"],
    [["--json"], "json"],
    [["--format", "json"], "json"],
    [["--format=mermaid"], "mermaid"],
    [["--format", "svg"], "svg"],
    [["--json", "--format", "json"], "json"],
  ])("%j -> %s", (argv, format) => {
    expect(parseReportArgs(argv)).toEqual({ format });
  });

  test.each([
    [["--format"], /^--format needs a value/],
    [["--format", "--json"], /^--format needs a value/],
    [["--format", "png"], /^--format "png" is not one of text, json, mermaid, svg/],
    [["--json", "--format=mermaid"], /^more than one format given \(json, mermaid\)/],
    [["--jsn"], /^unknown argument "--jsn"/],
  ])("%j is refused", (argv, message) => {
    const r = parseReportArgs(argv);
    expect("error" in r && r.error).toMatch(message);
    expect("error" in r && r.error.includes("\n")).toBe(false);
  });

  test("prints the Mermaid picture of the config; a bad argument is one line and exit code 2", async () => {
    const [ok, bad] = await Promise.all([
      runScript("scripts/report.ts", ["--format", "mermaid"], { RUNNERS_CONFIG: "examples/multi-version.yaml" }),
      runScript("scripts/report.ts", ["--format", "dot"]),
    ]);
    expect(ok.code).toBe(0);
    expect(pathOf(readMermaid(ok.stdout), "dagger-v0.20-large").engine).toBe("engine 0.20.4 | DaemonSet · unix socket");
    expect(bad).toEqual({ code: 2, stdout: "", stderr: expect.stringMatching(/^error: --format "dot" is not one of text, json, mermaid, svg \(usage: [^\n]*\)\n$/) });
  });
});
