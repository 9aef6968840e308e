/**
 * The picture of a deployment, as a layered graph read from the deployment plan (never
 * re-derived): node pools -> Dagger engines (version, mode, transport) -> runner scale sets ->
 * `runs-on` labels. Pure code: lib/picture/mermaid.ts and lib/picture/svg.ts draw it.
 *
 * The order within each column is chosen so that edges do not cross where they need not: the
 * engines by the pools they run on, then newest version first; the scale sets by their engine,
 * then size (in the config's order), then label kind; the labels by their scale set. Every
 * scale set has one engine and every label one scale set, so the edges engine -> scale set and
 * scale set -> label never cross; between pools and engines they cross only when engines run on
 * different, interleaved sets of pools (a DaemonSet on two pools with two engines is such a
 * complete bipartite graph, where some crossing cannot be avoided).
 */
import type { DeploymentPlan } from "../planning/deployment";
import type { LabelKind } from "../planning/labels";

/** The columns, left to right. */
export const PICTURE_COLUMNS = ["pool", "engine", "scaleSet", "label"] as const;
export type PictureColumn = (typeof PICTURE_COLUMNS)[number];

/** Column headings (the SVG's; Mermaid has none). */
export const COLUMN_TITLES: Readonly<Record<PictureColumn, string>> = {
  pool: "Node pools",
  engine: "Dagger engines",
  scaleSet: "Runner scale sets",
  label: "runs-on labels",
};

export interface PictureNode {
  /** Unique, `[a-z0-9]` only: `pool1`, `engine2`, `set3`, `label4` (1-based within the column). */
  readonly id: string;
  readonly column: PictureColumn;
  /** Text lines, the first names the thing. */
  readonly lines: readonly string[];
  /** The engine drains (takes no new jobs), or the scale set / label belongs to one that does. */
  readonly draining: boolean;
}

export interface PictureEdge {
  readonly from: string;
  readonly to: string;
}

export interface DeploymentPicture {
  /** The deployment's name. */
  readonly name: string;
  /** Nodes of each column, top to bottom. */
  readonly columns: Readonly<Record<PictureColumn, readonly PictureNode[]>>;
  /** Edges from a column to the next, in the order of their source, then target. */
  readonly edges: readonly PictureEdge[];
}

const KIND_ORDER: readonly LabelKind[] = ["exact", "minor", "major", "latest"];
const MODE_NAMES = { daemonset: "DaemonSet", statefulset: "StatefulSet" } as const;
const sizeName = (s: string) => (s === "" ? "(default)" : s);

/** Stable sort by a list of numeric keys. */
function sortBy<T>(items: readonly T[], key: (t: T, i: number) => readonly number[]): T[] {
  const keyed = items.map((t, i) => ({ t, k: [...key(t, i), i] }));
  keyed.sort((a, b) => {
    for (let j = 0; j < a.k.length; j++) if (a.k[j] !== b.k[j]) return a.k[j] - b.k[j];
    return 0;
  });
  return keyed.map((x) => x.t);
}

/** The picture of `plan`. */
export function planPicture(plan: DeploymentPlan): DeploymentPicture {
  const capacity = plan.capacity;
  // Node pools that hold engines or runners (not the system pool of the controller and listeners).
  const jobPools = capacity?.pools.filter((p) => Object.keys(p.runnersPerNode).length > 0 || p.daemonSetEngines.length > 0 || p.statefulSetEngines.length > 0);
  const multiPool = (jobPools?.length ?? 0) > 1;

  // Node pools: those of the capacity plan, or the existing cluster as one node.
  const pools = jobPools
    ? jobPools.map((p) => {
        const runnerSizes = Object.keys(p.runnersPerNode);
        const nodes = `${p.minNodes}–${p.maxNodes} node${p.maxNodes === 1 ? "" : "s"}`;
        return {
          name: p.name,
          lines: [
            `pool ${p.name}`,
            [p.machineType, nodes, p.spot ? "spot" : undefined].filter(Boolean).join(" · "),
            ...(runnerSizes.length > 0 ? [`runners: ${runnerSizes.map(sizeName).join(", ")}`] : []),
          ],
        };
      })
    : [{ name: "", lines: ["existing cluster", "nodes not declared"] }];
  const poolIndex = new Map(pools.map((p, i) => [p.name, i]));
  const enginePools = (release: string): number[] =>
    capacity ? (capacity.engines.find((e) => e.releaseName === release)?.pools ?? []).map((p) => poolIndex.get(p)!).filter((i) => i !== undefined) : [0];

  // Engines (the GPU engines too): by the mean position of their pools, then newest first.
  const newestFirst = [...plan.runners.versions].reverse().map((v) => v.text);
  const drainingVersions = new Set(plan.runners.labels.filter((l) => l.draining).map((l) => l.version));
  const engines = sortBy([...plan.engines, ...(plan.gpuEngines?.engines ?? [])], (e) => {
    const ps = enginePools(e.releaseName);
    return [ps.length > 0 ? ps.reduce((a, b) => a + b, 0) / ps.length : pools.length, newestFirst.indexOf(e.version), e.gpu ? 1 : 0];
  });
  const engineIndex = new Map(engines.map((e, i) => [e.releaseName, i]));
  /** The engine release a scale set's runners use: its version's GPU engine for the GPU labels. */
  const engineOf = (s: { name: string; version: string }): string | undefined =>
    plan.gpuEngines?.scaleSets.includes(s.name) ? plan.gpuEngines.transports[s.version]?.releaseName : plan.engines.find((e) => e.version === s.version)?.releaseName;
  const transportText = (version: string, gpu = false): string => {
    const t = gpu ? plan.gpuEngines?.transports[version] : plan.transports[version];
    if (!t) return plan.engine.transport;
    if (t.transport === "unix") return "unix socket";
    if (t.transport === "tcp") return `tcp :${t.port ?? plan.engine.port}`;
    return t.transport;
  };

  // Scale sets: by engine, then size, then kind.
  const sizeOrder = plan.runners.sizes;
  const scaleSets = sortBy(plan.runners.scaleSets, (s) => [engineIndex.get(engineOf(s) ?? "") ?? engines.length, sizeOrder.indexOf(s.size), KIND_ORDER.indexOf(s.kind)]);
  const setIndex = new Map(scaleSets.map((s, i) => [s.name, i]));
  const runnerPools = (size: string) => (jobPools ? jobPools.filter((p) => size in p.runnersPerNode).map((p) => p.name) : []);

  // Labels: by scale set, then their order in it.
  const labels = sortBy(plan.runners.labels, (l) => {
    const s = setIndex.get(l.scaleSet);
    return [s ?? scaleSets.length, s === undefined ? 0 : scaleSets[s].labels.indexOf(l.label)];
  });

  const poolNodes: PictureNode[] = pools.map((p, i) => ({ id: `pool${i + 1}`, column: "pool", lines: p.lines, draining: false }));
  const engineNodes: PictureNode[] = engines.map((e, i) => ({
    id: `engine${i + 1}`,
    column: "engine",
    lines: [`engine ${e.version}${e.gpu ? " GPU" : ""}`, `${MODE_NAMES[plan.engine.mode]} · ${transportText(e.version, e.gpu)}`, ...(drainingVersions.has(e.version) ? ["draining"] : [])],
    draining: drainingVersions.has(e.version),
  }));
  const setNodes: PictureNode[] = scaleSets.map((s, i) => {
    const onPools = runnerPools(s.size);
    const details = [
      ...(s.size !== "" || sizeOrder.length > 1 ? [`size ${sizeName(s.size)}`] : []),
      `${s.minRunners}–${s.maxRunners} runners`,
      ...(multiPool && onPools.length > 0 ? [`pool ${onPools.join(", ")}`] : []),
    ];
    return { id: `set${i + 1}`, column: "scaleSet", lines: [`scale set ${s.name}`, details.join(" · ")], draining: drainingVersions.has(s.version) };
  });
  const labelNodes: PictureNode[] = labels.map((l, i) => ({ id: `label${i + 1}`, column: "label", lines: [l.label], draining: l.draining === true }));

  const edges: PictureEdge[] = [];
  engines.forEach((e, i) => {
    for (const p of enginePools(e.releaseName)) edges.push({ from: poolNodes[p].id, to: engineNodes[i].id });
  });
  edges.sort((a, b) => Number(a.from.slice(4)) - Number(b.from.slice(4))); // pools in order, engines in order within
  scaleSets.forEach((s, i) => {
    const e = engineIndex.get(engineOf(s) ?? "");
    if (e !== undefined) edges.push({ from: engineNodes[e].id, to: setNodes[i].id });
  });
  labels.forEach((l, i) => {
    const s = setIndex.get(l.scaleSet);
    if (s !== undefined) edges.push({ from: setNodes[s].id, to: labelNodes[i].id });
  });

  return { name: plan.name, columns: { pool: poolNodes, engine: engineNodes, scaleSet: setNodes, label: labelNodes }, edges };
}
