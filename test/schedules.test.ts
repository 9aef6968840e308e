/**
 * Warm runners on a schedule (issue 15, part 3): least-privilege CronJobs patching the scale
 * sets' minRunners, validated cron, time zone, labels and ends, a predictable overlap rule
 * (the largest minRunners wins), the report and the capacity plan.
 */
import { parseConfig } from "../lib/config/load";
import { cronLines, cronWeekMinutes } from "../lib/planning/schedules";
import { renderReport } from "../lib/report";
import { configError, resources, synthConfig } from "./util";

const PAT = { configUrl: "https://github.com/acme", pat: true };
const BUSINESS = { cron: "0 8 * * 1-5", timeZone: "Europe/Berlin", endCron: "0 18 * * 1-5", minRunners: 3, labels: ["dagger-v0.20.3", "dagger-latest"] };
const raw = (schedules: unknown[], extra: Record<string, unknown> = {}) => ({ github: PAT, arc: { updateStrategy: "immediate" }, runners: { schedules }, ...extra });
const jobs = (s: ReturnType<typeof synthConfig>) => Object.values(resources(s.stacks["dagger-runners-runners"], "kubernetes_cron_job_v1")).filter((j: any) => j.metadata.name.startsWith("runner-warm")) as any[];

describe("business hours", () => {
  const s = synthConfig(raw([BUSINESS]));
  test("two CronJobs: raise at 08:00-17:45 on weekdays, restore at every other slot, in the time zone", () => {
    const summary = jobs(s).map((j) => {
      const c = j.spec.job_template.spec.template.spec.container[0];
      return [j.spec.schedule, j.spec.timezone, c.command.slice(1, 5).join(" "), c.command.at(-1)];
    });
    expect(summary.sort()).toEqual([
      ["0,15,30,45 * * * 0,6", "Europe/Berlin", "patch autoscalingrunnersets.actions.github.com dagger-latest dagger-v0.20.3", '--patch={"spec":{"minRunners":0}}'],
      ["0,15,30,45 0-7,18-23 * * 1-5", "Europe/Berlin", "patch autoscalingrunnersets.actions.github.com dagger-latest dagger-v0.20.3", '--patch={"spec":{"minRunners":0}}'],
      ["0,15,30,45 8-17 * * 1-5", "Europe/Berlin", "patch autoscalingrunnersets.actions.github.com dagger-latest dagger-v0.20.3", '--patch={"spec":{"minRunners":3}}'],
    ]);
    for (const j of jobs(s)) {
      const pod = j.spec.job_template.spec.template.spec;
      expect(pod.container[0].image).toBe("registry.k8s.io/kubectl:v1.34.9");
      expect(pod.container[0].command[0]).toBe("/bin/kubectl");
      expect(pod.service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\.github_schedule_sa_\w+\.metadata\[0\]\.name\}$/);
      expect(j.spec.concurrency_policy).toBe("Forbid");
      expect(j.spec.job_template.spec.active_deadline_seconds).toBeLessThan(5 * 60);
    }
  });

  test("the Role allows get and patch on exactly those AutoscalingRunnerSets", () => {
    const role = Object.values(resources(s.stacks["dagger-runners-runners"], "kubernetes_role_v1")).find((r: any) => r.metadata.name === "runner-warm") as any;
    expect(role.rule).toEqual([{ api_groups: ["actions.github.com"], resources: ["autoscalingrunnersets"], resource_names: ["dagger-latest", "dagger-v0.20.3"], verbs: ["get", "patch"] }]);
  });

  test("the names patched are the AutoscalingRunnerSets the chart renders (metadata.name = runnerScaleSetName)", () => {
    const releases = Object.values(resources(s.stacks["dagger-runners-runners"], "helm_release")).filter((r: any) => r.chart === "gha-runner-scale-set") as any[];
    const names = releases.map((r) => JSON.parse(r.values[0]).runnerScaleSetName);
    for (const j of jobs(s)) for (const n of j.spec.job_template.spec.template.spec.container[0].command.slice(3, -3)) expect(names).toContain(n);
  });

  test("the kubectl image follows mirrors.images.registry and is in the image list", () => {
    const m = synthConfig(raw([BUSINESS], { mirrors: { images: { registry: "europe-docker.pkg.dev/acme/mirror" } } }));
    for (const j of jobs(m)) expect(j.spec.job_template.spec.template.spec.container[0].image).toBe("europe-docker.pkg.dev/acme/mirror/kubectl:v1.34.9");
    const { plan } = parseConfig(raw([BUSINESS]));
    expect(plan.artifacts.images.find((i) => i.location === "registry.k8s.io/kubectl:v1.34.9")?.usedBy).toContain("warm-runner schedule CronJobs");
  });

  test("the report shows the window per label, the capacity plan counts the warm runners", () => {
    const { plan } = parseConfig(raw([BUSINESS]));
    const r = renderReport(plan);
    expect(r).toMatch(/dagger-latest +dagger-latest +0 8 \* \* 1-5 \(Europe\/Berlin\) until 0 18 \* \* 1-5 +3 +0 +3/);
    expect(plan.capacity!.pools.find((p) => p.name === "runners")!.warmRunners).toBe(6);
  });
});

describe("overlaps: the largest minRunners wins, and each minute has one CronJob per scale set", () => {
  const { plan } = parseConfig(raw([BUSINESS, { cron: "0 6 * * 1", timeZone: "Europe/Berlin", duration: "4h", minRunners: 5, labels: ["dagger-latest"] }]));
  test("dagger-latest keeps 5 on Monday 06:00-10:00 and 3 until 18:00", () => {
    const latest = plan.schedules.cronJobs.filter((j) => j.scaleSets.includes("dagger-latest"));
    const at = (day: number, h: number, m: number) => {
      const w = day * 1440 + h * 60 + m;
      // the latest firing at or before w, across the week
      let best: { d: number; v: number } | undefined;
      for (const j of latest) {
        for (const f of cronWeekMinutes(j.cron, "x")) {
          const d = (w - f + 10080) % 10080;
          if (!best || d < best.d) best = { d, v: j.minRunners };
        }
      }
      return best!.v;
    };
    expect([at(1, 5, 59), at(1, 6, 0), at(1, 9, 59), at(1, 10, 0), at(1, 17, 59), at(1, 18, 0), at(2, 7, 0), at(2, 8, 0), at(6, 12, 0)]).toEqual([0, 5, 5, 3, 3, 0, 0, 3, 0]);
    // No two CronJobs of one scale set fire at the same minute.
    const seen = new Map<number, number>();
    for (const j of latest) for (const f of cronWeekMinutes(j.cron, "x")) seen.set(f, (seen.get(f) ?? 0) + 1);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(plan.schedules.peakMinRunners).toEqual({ "dagger-latest": 5, "dagger-v0.20.3": 3 });
  });
});

describe("bad schedules: one line naming the key", () => {
  test.each([
    [{ ...BUSINESS, cron: "0 25 * * 1-5" }, 'runners.schedules[0].cron: "0 25 * * 1-5" has hour 25, outside 0-23'],
    [{ ...BUSINESS, cron: "0 8 * *" }, 'runners.schedules[0].cron: "0 8 * *" is not a cron expression (5 fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5")'],
    [{ ...BUSINESS, cron: "0 0 30 2 *" }, 'runners.schedules[0].cron: "0 0 30 2 *" never fires (no month in it has that day)'],
    [{ ...BUSINESS, cron: "0 8 1 * *" }, 'runners.schedules[0].cron: "0 8 1 * *" restricts day-of-month or month: schedules repeat weekly, so those fields must be *'],
    [{ ...BUSINESS, endCron: "61 18 * * 1-5" }, 'runners.schedules[0].endCron: "61 18 * * 1-5" has minute 61, outside 0-59'],
    [{ ...BUSINESS, timeZone: "Mars/Olympus" }, 'runners.schedules[0].timeZone: "Mars/Olympus" is not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "Etc/UTC")'],
    [{ ...BUSINESS, labels: ["dagger-v9"] }, 'runners.schedules[0].labels[0]: "dagger-v9" is not a runs-on label of this deployment (labels: dagger-v0.20.3, dagger-v0.20, dagger-latest)'],
    [{ ...BUSINESS, minRunners: 11 }, "runners.schedules[0].minRunners: 11 is greater than the maxRunners (10) of scale set dagger-v0.20.3"],
    [{ ...BUSINESS, duration: "2h" }, 'runners.schedules[0]: {"cron":"0 8 * * 1-5"} needs exactly one of duration (e.g. "10h") and endCron (e.g. "0 18 * * 1-5")'],
    [{ cron: "0 8 * * *", duration: "7d", minRunners: 1, labels: ["dagger-latest"] }, 'runners.schedules[0].duration: "7d" is not a duration (hours and minutes, e.g. "10h" or "1h30m")'],
    [{ cron: "0 8 * * *", duration: "24h", minRunners: 1, labels: ["dagger-latest"] }, 'runners.schedules[0].cron: "0 8 * * *" with its end is active all week: set runners.minRunners (or aliasMinRunners) instead'],
  ])("%j", (schedule, message) => {
    expect(configError(raw([schedule]))).toBe(message);
  });

  test("two time zones on one scale set are refused", () => {
    expect(configError(raw([BUSINESS, { ...BUSINESS, timeZone: "America/New_York", labels: ["dagger-latest"] }]))).toBe(
      'runners.schedules[1].timeZone: "America/New_York" differs from runners.schedules[0].timeZone ("Europe/Berlin"), which also raises scale set dagger-latest: one scale set\'s schedules share a time zone, so how they overlap is the same all year',
    );
  });

  test("the eventual update strategy is refused (ARC would not recreate the listener)", () => {
    expect(configError({ github: PAT, runners: { schedules: [BUSINESS] } })).toMatch(/^arc\.updateStrategy: "eventual" cannot be used with runners\.schedules: .*actions-runner-controller issue 4432\); set "immediate"$/);
  });

  test("warm runners that do not fit the pool at maxNodes are refused", () => {
    const big = { ...BUSINESS, minRunners: 10, labels: ["dagger-v0.20.3", "dagger-v0.20", "dagger-latest"] };
    const msg = configError(raw([big], { cluster: { nodePools: { runners: { machineType: "e2-standard-4", maxNodes: 2 } } } }));
    expect(msg).toMatch(/^runners\.schedules: \[10\] keep up to 30 idle runners on node pool runners, which holds about \d+ of them at cluster\.nodePools\.runners\.maxNodes 2/);
  });

  test("a schedule below the scale sets' own minRunners warns that it raises nothing", () => {
    const { plan } = parseConfig(raw([{ ...BUSINESS, minRunners: 1 }], { runners: { minRunners: 2, schedules: [{ ...BUSINESS, minRunners: 1 }] } }));
    expect(plan.warnings).toContain("runners.schedules[0].minRunners: 1 raises nothing: its scale sets keep at least that many idle runners already (the largest minRunners wins)");
  });
});

test("cron lines: fewest lines firing at exactly the given minutes", () => {
  expect(cronLines(cronWeekMinutes("*/15 8-17 * * 1-5", "x"))).toEqual(["0,15,30,45 8-17 * * 1-5"]);
  expect(cronLines(cronWeekMinutes("@daily", "x"))).toEqual(["0 0 * * *"]);
  expect(cronLines([1 * 1440 + 8 * 60 + 30, 2 * 1440 + 9 * 60])).toEqual(["0 9 * * 2", "30 8 * * 1"]);
});

test("no schedules: no CronJob, Role or image use", () => {
  const { plan } = parseConfig({ github: PAT });
  expect(plan.schedules.cronJobs).toEqual([]);
  expect(plan.artifacts.images.some((i) => i.usedBy.includes("warm-runner schedule CronJobs"))).toBe(false);
});
