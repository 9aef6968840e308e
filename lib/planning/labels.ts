/**
 * Runner-label planning: from engine versions and runner sizes, every `runs-on` label, the
 * engine that serves it, the scale sets of both label strategies and every resource name.
 * Pure code: no cdktf import, so it is trivially testable and reusable by other tools.
 */
import { PlanError } from "./errors";
import { runnerCountRule, scaleSetNamesRule, throwFirst } from "./rules";
import { EngineVersion, newest, newestPerMajor, newestPerMinor, parseVersion, parseVersionList } from "./versions";
import { DEFAULT_LABEL_PREFIX, DEFAULT_MAX_RUNNERS, DEFAULT_MIN_RUNNERS } from "./defaults";
import { labelToResourceName } from "./names";
import { createHash } from "node:crypto";

/** How labels map onto ARC runner scale sets. */
export type LabelStrategy = "per-label" | "multi-label";

/**
 * What a label points at: an exact version, the newest stable patch of a minor, the newest
 * stable release of a major (1 and later, where a minor release is compatible), or the newest
 * stable version overall.
 */
export type LabelKind = "exact" | "minor" | "major" | "latest";

export interface PlanInput {
  /** Engine versions as written in the config (`0.20.3` or `v0.20.3`). */
  readonly versions: readonly string[];
  /** Size names; `""` means no label suffix. @default [""] */
  readonly sizes?: readonly string[];
  /** @default "per-label" */
  readonly strategy?: LabelStrategy;
  /** Label prefix. @default "dagger" (DEFAULT_LABEL_PREFIX) */
  readonly prefix?: string;
  /** minRunners of exact-version scale sets. @default 0 */
  readonly minRunners?: number;
  /** minRunners of alias scale sets (`dagger-v0.20`, `dagger-latest`). @default minRunners */
  readonly aliasMinRunners?: number;
  /** maxRunners of every scale set. @default 10 */
  readonly maxRunners?: number;
  /**
   * Versions being drained (a subset of {@link versions}): their scale sets take no new jobs
   * (maxRunners 0; ARC's scale-down skips runners that run a job) and the aliases move to the
   * newest version that is not draining. @default []
   */
  readonly draining?: readonly string[];
  /** Key paths used in error messages. */
  readonly paths?: { versions?: string; sizes?: string; draining?: string };
}

export interface LabelPlan {
  /** The `runs-on` label, e.g. `dagger-v0.20-large`. */
  readonly label: string;
  readonly kind: LabelKind;
  /** Engine version serving the label, e.g. `0.20.3`. */
  readonly version: string;
  /** Size name (`""` for none). */
  readonly size: string;
  /** `runnerScaleSetName` of the scale set that runs jobs for this label. */
  readonly scaleSet: string;
  /** The label's engine is draining: the label takes no new jobs. */
  readonly draining?: boolean;
}

export interface ScaleSetPlan {
  /** `runnerScaleSetName`: the label GitHub registers (at most 45 characters). */
  readonly name: string;
  /** Helm release name (DNS-1123, at most 45 so ARC's suffixed names stay valid). */
  readonly releaseName: string;
  readonly version: string;
  readonly size: string;
  readonly kind: LabelKind;
  /** Extra labels for ARC's `scaleSetLabels` (multi-label only, ARC >= 0.14). */
  readonly extraLabels: readonly string[];
  /** Every `runs-on` label this scale set serves (its name plus `extraLabels`). */
  readonly labels: readonly string[];
  readonly minRunners: number;
  readonly maxRunners: number;
}

export interface RunnerPlan {
  readonly strategy: LabelStrategy;
  /** Engine versions, ascending semver (pre-releases included). */
  readonly versions: readonly EngineVersion[];
  /** The newest stable version (`dagger-latest`). */
  readonly latest: EngineVersion;
  readonly sizes: readonly string[];
  /** Every label, sorted: by version descending, then kind, then size. */
  readonly labels: readonly LabelPlan[];
  readonly scaleSets: readonly ScaleSetPlan[];
}

const SIZE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function suffix(size: string): string {
  return size === "" ? "" : `-${size}`;
}

/** Builds the label plan for both strategies; throws {@link PlanError} on bad input. */
export function planRunners(input: PlanInput): RunnerPlan {
  const versionsPath = input.paths?.versions ?? "dagger.versions";
  const sizesPath = input.paths?.sizes ?? "runners.sizes";
  const prefix = input.prefix ?? DEFAULT_LABEL_PREFIX;
  const strategy = input.strategy ?? "per-label";
  const minRunners = input.minRunners ?? DEFAULT_MIN_RUNNERS;
  const aliasMinRunners = input.aliasMinRunners ?? minRunners;
  const maxRunners = input.maxRunners ?? DEFAULT_MAX_RUNNERS;
  const sizes = input.sizes && input.sizes.length > 0 ? [...input.sizes] : [""];

  for (const s of sizes) {
    if (s !== "" && !SIZE_NAME.test(s)) {
      throw new PlanError(`${sizesPath}.${s}`, s, 'is not a valid size name (lowercase letters, digits and "-", or "" for no suffix)');
    }
  }
  throwFirst([
    ...runnerCountRule(minRunners, maxRunners, { minRunners: ["runners", "minRunners"], maxRunners: ["runners", "maxRunners"] }),
    ...runnerCountRule(aliasMinRunners, maxRunners, { minRunners: ["runners", "aliasMinRunners"], maxRunners: ["runners", "maxRunners"] }),
  ]);

  const versions = parseVersionList(input.versions, versionsPath);
  const drainingPath = input.paths?.draining ?? "dagger.draining";
  const draining = new Set<string>();
  (input.draining ?? []).forEach((raw, i) => {
    const v = parseVersion(raw, `${drainingPath}[${i}]`);
    if (!versions.some((x) => x.text === v.text)) {
      throw new PlanError(`${drainingPath}[${i}]`, raw, `is not one of ${versionsPath} (${versions.map((x) => x.text).join(", ")}); a version drains while it is still deployed`);
    }
    draining.add(v.text);
  });
  // The aliases and latest consider the versions that are not draining; an alias whose versions
  // all drain keeps pointing at its newest one, draining too.
  const serving = versions.filter((v) => !draining.has(v.text));
  const latest = newest(serving) ?? newest(versions);
  if (!latest) {
    throw new PlanError(versionsPath, input.versions, "has only pre-releases (add a stable version: the minor aliases and dagger-latest point at stable versions only)");
  }
  if (draining.size > 0 && newest(serving) === undefined) {
    throw new PlanError(drainingPath, input.draining, `leaves no stable version serving dagger-latest (add a new version to ${versionsPath} before draining the last one)`);
  }
  const perMinor = new Map([...newestPerMinor(versions), ...newestPerMinor(serving)]);
  const perMajor = new Map([...newestPerMajor(versions), ...newestPerMajor(serving)]);
  const versionIndex = new Map(input.versions.map((raw, i) => [String(raw).replace(/^v/, "").trim(), i]));

  // Labels, newest version first so the table reads top-down.
  const labels: LabelPlan[] = [];
  const descending = [...versions].reverse();
  for (const size of sizes) {
    const exactName = (v: EngineVersion) => `${prefix}-v${v.text}${suffix(size)}`;
    const d = (v: EngineVersion) => (draining.has(v.text) ? { draining: true } : {});
    for (const v of descending) {
      labels.push({ label: exactName(v), kind: "exact", version: v.text, size, scaleSet: "", ...d(v) });
    }
    for (const [minorText, v] of [...perMinor.entries()].reverse()) {
      labels.push({ label: `${prefix}-v${minorText}${suffix(size)}`, kind: "minor", version: v.text, size, scaleSet: "", ...d(v) });
    }
    for (const [majorText, v] of [...perMajor.entries()].reverse()) {
      labels.push({ label: `${prefix}-v${majorText}${suffix(size)}`, kind: "major", version: v.text, size, scaleSet: "", ...d(v) });
    }
    labels.push({ label: `${prefix}-latest${suffix(size)}`, kind: "latest", version: latest.text, size, scaleSet: "" });
  }

  // Scale sets of the chosen strategy; every label records the scale set that serves it.
  const scaleSets: ScaleSetPlan[] = [];
  const exactOf = (version: string, size: string) => `${prefix}-v${version}${suffix(size)}`;
  if (strategy === "per-label") {
    for (const l of labels) {
      scaleSets.push({
        name: l.label,
        releaseName: labelToResourceName(l.label),
        version: l.version,
        size: l.size,
        kind: l.kind,
        extraLabels: [],
        labels: [l.label],
        // A draining label takes no new jobs; ARC's scale-down skips runners that run one
        // (ephemeralrunnerset_controller.go deleteIdleEphemeralRunners at gha-runner-scale-set-0.14.2).
        minRunners: l.draining ? 0 : l.kind === "exact" ? minRunners : aliasMinRunners,
        maxRunners: l.draining ? 0 : maxRunners,
      });
    }
  } else {
    for (const size of sizes) {
      for (const v of descending) {
        const exact = exactOf(v.text, size);
        // The aliases pointing at this version (a draining version keeps only those whose versions all drain).
        const aliases = labels.filter((l) => l.kind !== "exact" && l.size === size && l.version === v.text).map((l) => l.label);
        const name = multiLabelScaleSetName(exact, aliases);
        // A set named by its exact label registers it through its name; a hashed name needs it listed.
        const extra = aliases.length > 0 ? [exact, ...aliases] : [];
        const drains = draining.has(v.text);
        scaleSets.push({
          name,
          releaseName: labelToResourceName(name),
          version: v.text,
          size,
          kind: "exact",
          extraLabels: extra,
          labels: [exact, ...aliases],
          minRunners: drains ? 0 : aliases.length > 0 ? Math.max(minRunners, aliasMinRunners) : minRunners,
          maxRunners: drains ? 0 : maxRunners,
        });
      }
    }
  }
  const servedBy = new Map<string, string>();
  for (const s of scaleSets) for (const l of s.labels) servedBy.set(l, s.name);
  const finalLabels = labels.map((l) => ({ ...l, scaleSet: servedBy.get(l.label) ?? "" }));

  // Uniqueness and name limits, with the offending version or size in the error.
  const blame = (l: { version: string; size: string }) =>
    l.size !== ""
      ? { path: `${sizesPath}.${l.size}`, value: l.size }
      : { path: `${versionsPath}[${versionIndex.get(l.version) ?? 0}]`, value: l.version };
  const seenLabel = new Map<string, LabelPlan>();
  for (const l of finalLabels) {
    const prev = seenLabel.get(l.label);
    if (prev) {
      const b = blame(l);
      throw new PlanError(b.path, b.value, `gives label "${l.label}" twice (labels must be unique)`);
    }
    seenLabel.set(l.label, l);
  }
  const seenRelease = new Map<string, ScaleSetPlan>();
  for (const s of scaleSets) {
    const b = blame(s);
    // The key that made the names (a version, a size or the prefix) is blamed, not a prop.
    const bad = scaleSetNamesRule(s, { name: { path: [], value: b.value }, releaseName: { path: [], value: b.value } })[0];
    if (bad) throw new PlanError(b.path, b.value, bad.message);
    const prev = seenRelease.get(s.releaseName);
    if (prev) {
      throw new PlanError(b.path, b.value, `makes release name "${s.releaseName}" collide with scale set "${prev.name}" (rename the size)`);
    }
    seenRelease.set(s.releaseName, s);
  }

  return { strategy, versions, latest, sizes, labels: finalLabels, scaleSets };
}

/**
 * `runnerScaleSetName` of a multi-label scale set serving `exact` and `aliases`: the exact label
 * alone, or, when it carries aliases, the exact label and a short hash of them
 * (`dagger-v0.20.3-3f9a1c`; the exact label is then one of its `scaleSetLabels`).
 *
 * ARC registers a scale set's labels with GitHub only when it creates it, and on later changes
 * updates only its name and runner group (actions-runner-controller gha-runner-scale-set-0.14.2,
 * `controllers/actions.github.com/autoscalingrunnerset_controller.go`: `createRunnerScaleSet`
 * sends `Labels`, `updateRunnerScaleSetName` and `updateRunnerScaleSetRunnerGroup` do not). So a
 * scale set whose labels change must be a new one: with the label set in its name, moving an
 * alias (a new patch version, a draining one) creates the new set beside the old one, and the
 * old one is uninstalled; ARC keeps its runners that run a job until the job ends
 * (`ephemeralrunnerset_controller.go` `cleanUpEphemeralRunners` ->
 * `deleteEphemeralRunnerWithActionsClient` skips JobStillRunning; the EphemeralRunner's finalizer
 * retries every 30 s, `ephemeralrunner_controller.go`). No label is left without a scale set and
 * no running job is cancelled.
 */
export function multiLabelScaleSetName(exact: string, aliases: readonly string[]): string {
  if (aliases.length === 0) return exact;
  const hash = createHash("sha256").update([...aliases].sort().join("\n")).digest("hex").slice(0, 6);
  return `${exact}-${hash}`;
}

/** `runner_labels`: every `runs-on` label mapped to the engine version serving it. */
export function runnerLabelMap(plan: RunnerPlan): Record<string, string> {
  return Object.fromEntries(plan.labels.map((l) => [l.label, l.version]));
}
