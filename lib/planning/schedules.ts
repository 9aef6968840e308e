/**
 * Warm runners on a schedule (`runners.schedules`): from each schedule's cron, time zone, end and
 * labels, the `minRunners` every scale set wants at every minute of the week, and the CronJobs
 * that apply it. Pure code.
 *
 * The rule for overlaps: at any minute a scale set wants the largest `minRunners` of the
 * schedules active then, and never less than its own (`runners.minRunners` / `aliasMinRunners`).
 * The week is computed here, minute by minute, so each CronJob owns whole slots of time with one
 * value: two CronJobs never want different values for one scale set at one minute, so they
 * cannot fight. Each CronJob fires at the start of its slots and again every
 * SCHEDULE_REASSERT_MINUTES inside them (not in the last SLOT_GUARD_MINUTES, and its Job is
 * killed before the next slot starts), so a deploy that reset `minRunners`, or a missed run, is
 * corrected within that time; re-applying an unchanged value changes nothing in the cluster.
 *
 * Schedules repeat weekly: day-of-month and month must be `*`, so the week is the whole story.
 * Times are wall-clock times of the schedule's time zone (CronJob `spec.timeZone`), durations
 * too: on the days clocks change, a window is an hour longer or shorter in real time.
 */
import { PlanError } from "./errors";
import { DEFAULT_SCHEDULE_TIME_ZONE, SCHEDULE_REASSERT_MINUTES } from "./defaults";
import type { RunnerPlan } from "./labels";

export const WEEK_MINUTES = 7 * 24 * 60;
/** Re-applications stop this many minutes before a slot ends; a Job runs at most SCHEDULE_JOB_DEADLINE_SECONDS. */
export const SLOT_GUARD_MINUTES = 5;
export const SCHEDULE_JOB_DEADLINE_SECONDS = 240;

/** One `runners.schedules` entry, as the config gives it. */
export interface ScheduleInput {
  readonly cron: string;
  readonly timeZone?: string;
  readonly minRunners: number;
  readonly labels: readonly string[];
  readonly duration?: string;
  readonly endCron?: string;
}

/** A schedule resolved: its scale sets and when it is active. */
export interface ScheduleWindowPlan {
  readonly index: number;
  readonly cron: string;
  readonly timeZone: string;
  readonly minRunners: number;
  /** `for 10h` or `until <endCron>`. */
  readonly until: string;
  readonly labels: readonly string[];
  /** `runnerScaleSetName` (= AutoscalingRunnerSet name) of every scale set it raises. */
  readonly scaleSets: readonly string[];
}

/** One CronJob: at `cron` in `timeZone`, set `minRunners` on `scaleSets`. */
export interface ScheduleCronJobPlan {
  readonly name: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly minRunners: number;
  readonly scaleSets: readonly string[];
}

export interface SchedulePlan {
  readonly windows: readonly ScheduleWindowPlan[];
  readonly cronJobs: readonly ScheduleCronJobPlan[];
  /** Scale set -> the most idle runners any minute of the week wants (the capacity plan's warm runners). */
  readonly peakMinRunners: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

// --- cron -----------------------------------------------------------------------------------

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;
const MACROS: Readonly<Record<string, string>> = { "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0" };
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values of one cron field (Kubernetes' cron syntax: robfig/cron v3 standard parser). */
function parseField(raw: string, f: (typeof FIELDS)[number], fail: (why: string) => never): Set<number> {
  const out = new Set<number>();
  const num = (s: string): number => {
    const names = "names" in f ? (f.names as readonly string[]) : [];
    const i = names.indexOf(s.toLowerCase());
    if (i >= 0) return i + f.min;
    if (!/^\d+$/.test(s)) fail(`has ${f.name} "${s}", not a number`);
    const n = Number(s);
    if (n < f.min || n > f.max) fail(`has ${f.name} ${n}, outside ${f.min}-${f.max}`);
    return n;
  };
  for (const part of raw.split(",")) {
    const [range, stepText, extra] = part.split("/");
    if (extra !== undefined || range === "") fail(`has ${f.name} "${part}", not a cron field`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail(`has ${f.name} step "${stepText}", not a positive number`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") [lo, hi] = [f.min, f.max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-");
      [lo, hi] = [num(a), num(b)];
      if (lo > hi) fail(`has ${f.name} range ${range}, which is empty`);
    } else {
      lo = num(range);
      hi = stepText === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(f.name === "day of week" && v === 7 ? 0 : v);
  }
  return out;
}

/** The minutes of the week (0 = Sunday 00:00) a weekly cron fires at; `path` names the key in errors. */
export function cronWeekMinutes(expr: string, path: string): number[] {
  const fail = (why: string): never => {
    throw new PlanError(path, expr, why);
  };
  const text = MACROS[expr.trim()] ?? expr.trim();
  if (text.startsWith("@")) fail("is not a weekly schedule (use 5 fields, or @hourly, @daily, @weekly)");
  const parts = text.split(/\s+/);
  if (parts.length !== 5) fail('is not a cron expression (5 fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5")');
  const [minutes, hours, doms, months, dows] = parts.map((p, i) => parseField(p, FIELDS[i], fail));
  if (parts[2] !== "*" || parts[3] !== "*") {
    if (![...months].some((m) => [...doms].some((d) => d <= DAYS_IN_MONTH[m - 1]))) fail("never fires (no month in it has that day)");
    fail("restricts day-of-month or month: schedules repeat weekly, so those fields must be *");
  }
  const out: number[] = [];
  for (const d of [...dows].sort((a, b) => a - b)) for (const h of [...hours].sort((a, b) => a - b)) for (const m of [...minutes].sort((a, b) => a - b)) out.push(d * 1440 + h * 60 + m);
  if (out.length === 0) fail("never fires");
  return out;
}

/** `"10h"`, `"90m"`, `"1h30m"` -> minutes. */
export function durationMinutes(raw: string, path: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(raw.trim());
  const minutes = m && (m[1] || m[2]) ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
  if (!Number.isFinite(minutes) || minutes < 1) throw new PlanError(path, raw, 'is not a duration (hours and minutes, e.g. "10h" or "1h30m")');
  if (minutes >= WEEK_MINUTES) throw new PlanError(path, raw, "lasts a week or more: the schedule would always be on (set runners.minRunners instead)");
  return minutes;
}

/** Whether `tz` is an IANA time zone the runtime knows (Kubernetes reads the same tz database). */
function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// --- cron output ------------------------------------------------------------------------------

/** A cron field listing `values` (sorted, runs of 3 or more as ranges, the full range as `*`). */
function cronList(values: readonly number[], min: number, max: number): string {
  const v = [...new Set(values)].sort((a, b) => a - b);
  if (v.length === max - min + 1) return "*";
  const parts: string[] = [];
  for (let i = 0; i < v.length; ) {
    let j = i;
    while (j + 1 < v.length && v[j + 1] === v[j] + 1) j++;
    if (j - i >= 2) parts.push(`${v[i]}-${v[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(v[k]));
    i = j + 1;
  }
  return parts.join(",");
}

/** Fewest cron lines firing exactly at `minutes` (minutes of the week). */
export function cronLines(minutes: readonly number[]): string[] {
  // (day, hour) -> minutes; then hours sharing a minute set per day; then days sharing both.
  const byDayHour = new Map<string, number[]>();
  for (const w of minutes) {
    const key = `${Math.floor(w / 1440)} ${Math.floor((w % 1440) / 60)}`;
    byDayHour.set(key, [...(byDayHour.get(key) ?? []), w % 60]);
  }
  const byDayMinutes = new Map<string, { day: number; mins: string; hours: number[] }>();
  for (const [key, mins] of byDayHour) {
    const [day, hour] = key.split(" ").map(Number);
    const m = cronList(mins, 0, 59);
    const k = `${day}|${m}`;
    const e = byDayMinutes.get(k) ?? { day, mins: m, hours: [] };
    e.hours.push(hour);
    byDayMinutes.set(k, e);
  }
  const lines = new Map<string, number[]>();
  for (const e of byDayMinutes.values()) {
    const k = `${e.mins} ${cronList(e.hours, 0, 23)}`;
    lines.set(k, [...(lines.get(k) ?? []), e.day]);
  }
  return [...lines.entries()].map(([mh, days]) => `${mh} * * ${cronList(days, 0, 6)}`).sort();
}

// --- the plan ---------------------------------------------------------------------------------

export interface ScheduleContext {
  readonly runners: RunnerPlan;
  /** `arc.updateStrategy`. */
  readonly updateStrategy: string;
}

export function planSchedules(schedules: readonly ScheduleInput[], ctx: ScheduleContext): SchedulePlan {
  const empty: SchedulePlan = { windows: [], cronJobs: [], peakMinRunners: {}, warnings: [] };
  if (schedules.length === 0) return empty;
  if (ctx.updateStrategy !== "immediate") {
    // actions-runner-controller gha-runner-scale-set-0.14.2 autoscalingrunnerset_controller.go:
    // a changed spec (ListenerSpecHash covers minRunners) deletes the listener, and under
    // `eventual` (drainingJobs) it is recreated only when no runner is running or pending.
    throw new PlanError(
      "arc.updateStrategy",
      ctx.updateStrategy,
      'cannot be used with runners.schedules: each minRunners change makes ARC delete the listener, and "eventual" recreates it only once no runner is left, which warm runners never are (actions-runner-controller issue 4432); set "immediate"',
    );
  }
  const sets = new Map(ctx.runners.scaleSets.map((s) => [s.name, s]));
  const labelToSet = new Map(ctx.runners.labels.map((l) => [l.label, l.scaleSet]));
  const allLabels = ctx.runners.labels.map((l) => l.label);
  const warnings: string[] = [];
  const windows: ScheduleWindowPlan[] = [];
  // scale set -> per-minute wanted value, and its time zone (with the schedule that set it)
  const want = new Map<string, Int32Array>();
  const zoneOf = new Map<string, { tz: string; index: number }>();

  schedules.forEach((s, i) => {
    const at = `runners.schedules[${i}]`;
    const tz = s.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE;
    if (!validTimeZone(tz)) throw new PlanError(`${at}.timeZone`, tz, 'is not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "Etc/UTC")');
    const starts = cronWeekMinutes(s.cron, `${at}.cron`);
    if ((s.duration === undefined) === (s.endCron === undefined)) {
      throw new PlanError(at, { cron: s.cron }, "needs exactly one of duration (e.g. \"10h\") and endCron (e.g. \"0 18 * * 1-5\")");
    }
    const ends = s.endCron !== undefined ? cronWeekMinutes(s.endCron, `${at}.endCron`) : undefined;
    const length = s.duration !== undefined ? durationMinutes(s.duration, `${at}.duration`) : undefined;
    const scaleSets: string[] = [];
    s.labels.forEach((label, k) => {
      const set = labelToSet.get(label);
      if (!set) throw new PlanError(`${at}.labels[${k}]`, label, `is not a runs-on label of this deployment (labels: ${allLabels.join(", ")})`);
      const ss = sets.get(set)!;
      if (s.minRunners > ss.maxRunners) {
        throw new PlanError(`${at}.minRunners`, s.minRunners, `is greater than the maxRunners (${ss.maxRunners}) of scale set ${ss.name}${ss.maxRunners === 0 ? " (its version is draining)" : ""}`);
      }
      if (!scaleSets.includes(set)) scaleSets.push(set);
    });
    // Active minutes of the week.
    const active = new Uint8Array(WEEK_MINUTES);
    for (const start of starts) {
      let len = length;
      if (ends) {
        const next = ends.map((e) => (e - start + WEEK_MINUTES) % WEEK_MINUTES).filter((d) => d > 0);
        len = next.length > 0 ? Math.min(...next) : WEEK_MINUTES;
      }
      for (let d = 0; d < len!; d++) active[(start + d) % WEEK_MINUTES] = 1;
    }
    if (active.every((x) => x === 1)) throw new PlanError(`${at}.cron`, s.cron, "with its end is active all week: set runners.minRunners (or aliasMinRunners) instead");
    for (const set of scaleSets) {
      const prev = zoneOf.get(set);
      if (prev && prev.tz !== tz) {
        throw new PlanError(`${at}.timeZone`, tz, `differs from runners.schedules[${prev.index}].timeZone ("${prev.tz}"), which also raises scale set ${set}: one scale set's schedules share a time zone, so how they overlap is the same all year`);
      }
      zoneOf.set(set, { tz, index: i });
      let arr = want.get(set);
      if (!arr) {
        arr = new Int32Array(WEEK_MINUTES).fill(sets.get(set)!.minRunners);
        want.set(set, arr);
      }
      for (let w = 0; w < WEEK_MINUTES; w++) if (active[w] && s.minRunners > arr[w]) arr[w] = s.minRunners;
    }
    if (scaleSets.every((set) => s.minRunners <= sets.get(set)!.minRunners)) {
      warnings.push(`${at}.minRunners: ${s.minRunners} raises nothing: its scale sets keep at least that many idle runners already (the largest minRunners wins)`);
    }
    windows.push({ index: i, cron: s.cron, timeZone: tz, minRunners: s.minRunners, until: s.duration !== undefined ? `for ${s.duration}` : `until ${s.endCron}`, labels: [...s.labels], scaleSets });
  });

  // Firing slots: each slot start, then every SCHEDULE_REASSERT_MINUTES unless the slot ends within the guard.
  const firings = new Map<string, { tz: string; value: number; w: number; sets: string[] }>();
  const peakMinRunners: Record<string, number> = {};
  for (const [set, arr] of want) {
    peakMinRunners[set] = Math.max(...arr);
    const tz = zoneOf.get(set)!.tz;
    const changes = (w: number) => arr[w] !== arr[(w - 1 + WEEK_MINUTES) % WEEK_MINUTES];
    if (!arr.some((_, w) => changes(w))) continue;
    for (let w = 0; w < WEEK_MINUTES; w++) {
      let fire = changes(w);
      if (!fire && w % SCHEDULE_REASSERT_MINUTES === 0) {
        fire = true;
        for (let d = 1; d <= SLOT_GUARD_MINUTES; d++) if (changes((w + d) % WEEK_MINUTES)) fire = false;
      }
      if (!fire) continue;
      const key = `${tz} ${w} ${arr[w]}`;
      const f = firings.get(key) ?? { tz, value: arr[w], w, sets: [] };
      f.sets.push(set);
      firings.set(key, f);
    }
  }
  // Group by (time zone, value, scale sets), then into cron lines.
  const groups = new Map<string, { tz: string; value: number; sets: string[]; minutes: number[] }>();
  for (const f of firings.values()) {
    const sorted = [...f.sets].sort();
    const key = `${f.tz} ${f.value} ${sorted.join(",")}`;
    const g = groups.get(key) ?? { tz: f.tz, value: f.value, sets: sorted, minutes: [] };
    g.minutes.push(f.w);
    groups.set(key, g);
  }
  const cronJobs: ScheduleCronJobPlan[] = [];
  const ordered = [...groups.values()].sort((a, b) => a.tz.localeCompare(b.tz) || a.sets.join().localeCompare(b.sets.join()) || a.value - b.value);
  for (const g of ordered) {
    for (const cron of cronLines(g.minutes)) {
      cronJobs.push({ name: `runner-warm-${cronJobs.length}`, cron, timeZone: g.tz, minRunners: g.value, scaleSets: g.sets });
    }
  }
  return { windows, cronJobs, peakMinRunners, warnings };
}
