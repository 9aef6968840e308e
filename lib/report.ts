/**
 * The deployment report printed after `npm run synth`: plain-text tables read from the
 * deployment plan (never re-derived). Pure code.
 */
import type { DeploymentPlan } from "./planning/deployment";
import type { CapacityPlan } from "./planning/capacity";
import { Resources, formatMiB, formatMillis } from "./planning/quantity";
import { RUNNER_UPDATE_DAYS, ageInDays, runnerAgeWarning } from "./planning/runner-release";

/** Options of {@link renderReport} and {@link reportJson}. */
export interface ReportOptions {
  /** The current time, for the runner image's age. @default new Date() */
  readonly now?: Date;
}

/** The runner image's release line: version, release date and age, or why it is unknown. */
export function runnerReleaseLine(plan: DeploymentPlan, now: Date): string {
  const r = plan.artifacts.runnerRelease;
  if (!r.version) return `Runner: ${plan.artifacts.runnerImage} (not the official runner image: release date unknown)`;
  if (!r.released) return `Runner: ${r.version} (release date unknown: not the pinned version; see ${r.url})`;
  return `Runner: ${r.version}, released ${r.released} (${ageInDays(r.released, now)} days ago; GitHub refuses jobs to a runner ${RUNNER_UPDATE_DAYS} days after a newer release): ${r.url}`;
}

/** Renders rows as an aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The `runs-on` label table: label, engine version (`GPU`: its GPU engine), scale set, size. */
export function labelTable(plan: DeploymentPlan): string {
  return table(
    ["LABEL", "ENGINE", "SCALE SET", "SIZE"],
    plan.runners.labels.map((l) => {
      const engine = plan.gpuEngines?.labels.includes(l.label) ? `${l.version} GPU` : l.version;
      return [l.label, l.draining ? `${engine} (draining)` : engine, l.scaleSet, l.size === "" ? "(default)" : l.size];
    }),
  );
}

const res = (r: Resources) => `${formatMillis(r.cpuMillis)} / ${formatMiB(r.memoryMiB)}${r.gpus ? ` / ${r.gpus} GPU` : ""}`;
const sizeName = (s: string) => (s === "" ? "(default)" : s);
const perSize = (m: Readonly<Record<string, number>>) =>
  Object.entries(m)
    .map(([k, v]) => (Object.keys(m).length === 1 && k === "" ? String(v) : `${sizeName(k)}: ${v}`))
    .join(", ") || "-";

/** Capacity per node pool: node size, what engines take, runners per node and at max nodes. */
export function poolTable(capacity: CapacityPlan): string {
  return table(
    ["POOL", "MACHINE", "NODES", "SPOT", "ALLOCATABLE/NODE", "SYSTEM/NODE", "ENGINES", "FREE/NODE", "RUNNERS/NODE", "RUNNERS AT MAX", "DEMAND"],
    capacity.pools.map((p) => [
      p.name,
      p.machineType ? `${p.machineType}${p.source === "explicit" ? " (explicit)" : ""}` : "(explicit)",
      `${p.minNodes}-${p.maxNodes}`,
      p.spot ? "yes" : "no",
      res(p.node.allocatable),
      res(p.node.system),
      p.daemonSetEngines.length > 0
        ? `${p.daemonSetEngines.length} DaemonSet (${res(p.node.daemonSetEngines)} per node)`
        : p.statefulSetEngines.length > 0
          ? `${p.statefulSetEngines.length} StatefulSet on ${p.engineNodes} node${p.engineNodes === 1 ? "" : "s"}`
          : "-",
      res(p.node.free),
      perSize(p.runnersPerNode),
      Object.keys(p.maxRunnersAtMax).length > 0 ? `${perSize(p.maxRunnersAtMax)}` : "-",
      p.demand > 0 ? `${p.demand}${p.demand > p.capacity ? ` (holds ${p.capacity}: jobs queue)` : ""}` : "-",
    ]),
  );
}

/** Capacity per engine: requests, scale sets routing to it and the worst case against the pool. */
export function engineTable(capacity: CapacityPlan): string {
  return table(
    ["ENGINE", "MODE", "POOL", "REQUESTS", "SCALE SETS", "WORST-CASE RUNNERS", "POOL HOLDS"],
    capacity.engines.map((e) => [
      e.requests.gpus ? `${e.version} GPU` : e.version,
      e.mode,
      e.pools.join(", ") || "-",
      res(e.requests),
      String(e.scaleSets),
      String(e.worstCaseRunners),
      `${e.poolCapacity}${e.worstCaseRunners > e.poolCapacity ? " (jobs queue)" : ""}`,
    ]),
  );
}

/**
 * Every image and chart with its final location (and a chart's version); an UPSTREAM column
 * appears when something is mirrored or pinned elsewhere, naming what to copy where.
 */
export function artifactTable(plan: DeploymentPlan): string {
  const a = plan.artifacts;
  const rows = [
    ...a.images.map((i) => ({ kind: "image", location: i.location, version: "-", usedBy: i.usedBy, upstream: i.upstream })),
    ...a.charts.map((c) => ({ kind: "chart", location: c.location, version: c.version, usedBy: c.usedBy, upstream: c.upstream })),
  ];
  const moved = rows.some((r) => r.location !== r.upstream);
  return table(
    ["KIND", "LOCATION", "VERSION", "USED BY", ...(moved ? ["UPSTREAM"] : [])],
    rows.map((r) => [r.kind, r.location, r.version, r.usedBy.join(", "), ...(moved ? [r.location === r.upstream ? "-" : r.upstream] : [])]),
  );
}

/** The whole human report. */
export function renderReport(plan: DeploymentPlan, options: ReportOptions = {}): string {
  const now = options.now ?? new Date();
  const parts = [
    `Stacks: ${[plan.stacks.cluster, plan.stacks.runners].filter(Boolean).join(", ")}`,
    `Label strategy: ${plan.runners.strategy} (${plan.runners.scaleSets.length} scale sets, ${plan.runners.labels.length} labels)`,
    "",
    labelTable(plan),
  ];
  if (plan.capacity) {
    parts.push("", "Node pools (per node: CPU / memory requests):", poolTable(plan.capacity), "", "Engines (worst case: every scale set routing to the engine at maxRunners):", engineTable(plan.capacity));
  } else {
    parts.push("", "Capacity: not planned (target existing-cluster without kubernetes.nodes)");
  }
  if (plan.schedules.windows.length > 0) {
    parts.push(
      "",
      `Warm runners on a schedule (runners.schedules; the largest minRunners wins where windows overlap; ${plan.schedules.cronJobs.length} CronJobs apply it):`,
      scheduleTable(plan),
    );
  }
  if (plan.capacity?.pools.some((p) => p.warmRunners > 0)) {
    parts.push("Idle runners at the busiest minute, per pool: " + plan.capacity.pools.map((p) => `${p.name} ${p.warmRunners} of about ${p.warmCapacity}`).join(", "));
  }
  parts.push("", "Images and charts (where the cluster pulls each image and cdktf deploy each chart):", artifactTable(plan));
  if (plan.artifacts.pullSecrets.length > 0) {
    parts.push(
      `Image pull Secrets (create them in namespaces ${plan.artifacts.pullSecretNamespaces.join(", ")}): ${plan.artifacts.pullSecrets.join(", ")}`,
    );
  }
  parts.push(runnerReleaseLine(plan, now));
  const age = runnerAgeWarning(plan.artifacts.runnerRelease, now);
  const warnings = age ? [...plan.warnings, age] : plan.warnings;
  if (warnings.length > 0) {
    parts.push("", "Warnings:", ...warnings.map((w) => `  ! ${w}`));
  }
  return parts.join("\n");
}

/** What `npm run report` prints: the human report, the plan as JSON, or the picture. */
export const REPORT_FORMATS = ["text", "json", "mermaid", "svg"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const REPORT_USAGE = `usage: npm run report [-- --format ${REPORT_FORMATS.join("|")}] (--json is --format json)`;

/**
 * The format named by `npm run report`'s arguments: `--format <f>` or `--format=<f>`, `--json`
 * (an alias of `--format json`); none: text. Anything else is an error: one line with the usage.
 */
export function parseReportArgs(argv: readonly string[]): { format: ReportFormat } | { error: string } {
  const formats: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") formats.push("json");
    else if (a === "--format") {
      if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) return { error: `--format needs a value (${REPORT_USAGE})` };
      formats.push(argv[++i]);
    } else if (a.startsWith("--format=")) formats.push(a.slice("--format=".length));
    else return { error: `unknown argument ${JSON.stringify(a)} (${REPORT_USAGE})` };
  }
  const bad = formats.find((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (bad !== undefined) return { error: `--format ${JSON.stringify(bad)} is not one of ${REPORT_FORMATS.join(", ")} (${REPORT_USAGE})` };
  const distinct = [...new Set(formats)];
  if (distinct.length > 1) return { error: `more than one format given (${distinct.join(", ")}): pick one (${REPORT_USAGE})` };
  return { format: (distinct[0] as ReportFormat | undefined) ?? "text" };
}

/** Warm runners on a schedule, per label: when its scale set keeps more idle runners. */
export function scheduleTable(plan: DeploymentPlan): string {
  const rows: string[][] = [];
  for (const l of plan.runners.labels) {
    const base = plan.runners.scaleSets.find((s) => s.name === l.scaleSet)?.minRunners ?? 0;
    for (const w of plan.schedules.windows.filter((x) => x.scaleSets.includes(l.scaleSet))) {
      rows.push([l.label, l.scaleSet, `${w.cron} (${w.timeZone}) ${w.until}`, `${w.minRunners}`, `${base}`, `${plan.schedules.peakMinRunners[l.scaleSet] ?? base}`]);
    }
  }
  return table(["Label", "Scale set", "Window", "minRunners", "Otherwise", "Peak"], rows);
}

/**
 * `npm run report -- --json`: the whole plan (labels, engines and their transports, capacity,
 * images and charts under `artifacts`, warnings) and the config it came from, plus the runner
 * image's age at `now` (`runnerAge`: days and the warning, if any; not in `warnings`, which are
 * the plan's).
 */
export function reportJson(source: string, plan: DeploymentPlan, options: ReportOptions = {}): Record<string, unknown> {
  const now = options.now ?? new Date();
  const r = plan.artifacts.runnerRelease;
  const runnerAge = r.released ? { days: ageInDays(r.released, now), warning: runnerAgeWarning(r, now) ?? null } : null;
  return { config: source, ...plan, runnerAge };
}
