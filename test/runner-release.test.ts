/**
 * The pinned runner image: its release date is a stored fact (actions/runner tag v2.333.1,
 * 2026-03-27), its age is computed from an injected clock, and the report warns past GitHub's
 * 30 days ("install each new runner release within 30 days of its publication", GitHub
 * changelog 2026-06-12).
 */
import { parseConfig } from "../lib/config/load";
import { DEFAULT_RUNNER_IMAGE } from "../lib/planning/input/runners";
import { PINNED_RUNNER, RUNNER_UPDATE_DAYS, ageInDays, runnerAgeWarning, runnerRelease } from "../lib/planning/runner-release";
import { renderReport, reportJson } from "../lib/report";
import { runScript } from "./util";

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe("the pinned runner", () => {
  test("the default image runs the pinned version, whose release date is stored with it", () => {
    expect(DEFAULT_RUNNER_IMAGE).toBe("ghcr.io/actions/actions-runner:2.333.1");
    expect(PINNED_RUNNER).toEqual({ version: "2.333.1", released: "2026-03-27" });
    expect(RUNNER_UPDATE_DAYS).toBe(30);
  });

  test("the plan knows the runner of the default, mirrored and pinned images", () => {
    const def = parseConfig({}).plan.artifacts.runnerRelease;
    expect(def).toEqual({ version: "2.333.1", released: "2026-03-27", url: "https://github.com/actions/runner/releases/tag/v2.333.1" });
    const mirrored = parseConfig({ mirrors: { images: { registry: "europe-docker.pkg.dev/p/mirror" } } }).plan.artifacts;
    expect(mirrored.runnerImage).toBe("europe-docker.pkg.dev/p/mirror/actions/actions-runner:2.333.1");
    expect(mirrored.runnerRelease.released).toBe("2026-03-27");
    // Another runner version: known version, unknown date (no guessed fact).
    expect(parseConfig({ runners: { image: "ghcr.io/actions/actions-runner:2.336.0" } }).plan.artifacts.runnerRelease).toEqual({
      version: "2.336.0",
      released: undefined,
      url: "https://github.com/actions/runner/releases/tag/v2.336.0",
    });
    expect(runnerRelease("registry.example.com/ci/my-runner:1.2.3")).toEqual({});
  });

  test("age: whole days from the release date; the warning starts on day 31", () => {
    expect(ageInDays("2026-03-27", day("2026-03-27"))).toBe(0);
    expect(ageInDays("2026-03-27", day("2026-04-26"))).toBe(30);
    const r = runnerRelease(DEFAULT_RUNNER_IMAGE);
    expect(runnerAgeWarning(r, day("2026-04-26"))).toBeUndefined();
    expect(runnerAgeWarning(r, day("2026-04-27"))).toBe(
      "runners.image: runner 2.333.1 was released 2026-03-27 (31 days ago); GitHub stops sending jobs to a runner 30 days after a newer release is published, so once one is, these runners get no jobs: bump the pinned runner (docs/runners.md#runner-image-updates)",
    );
    expect(runnerAgeWarning(runnerRelease("ghcr.io/actions/actions-runner:2.336.0"), day("2030-01-01"))).toBeUndefined();
  });
});

describe("the report", () => {
  const { plan } = parseConfig({});

  test("shows the release date and age, and warns only past 30 days", () => {
    const young = renderReport(plan, { now: day("2026-04-10") });
    expect(young).toContain(
      "Runner: 2.333.1, released 2026-03-27 (14 days ago; GitHub refuses jobs to a runner 30 days after a newer release): https://github.com/actions/runner/releases/tag/v2.333.1",
    );
    expect(young).not.toContain("runners.image: runner 2.333.1 was released");
    const old = renderReport(plan, { now: day("2026-11-26") });
    expect(old).toContain("(244 days ago;");
    expect(old).toMatch(/\n {2}! runners\.image: runner 2\.333\.1 was released 2026-03-27 \(244 days ago\); GitHub stops sending jobs/);
    // Not a plan warning: synth's annotations and the plan's warnings stay as they were.
    expect(plan.warnings.join("\n")).not.toContain("runners.image");
  });

  test("an image that is not the pinned runner: the date is said to be unknown", () => {
    const other = parseConfig({ runners: { image: "registry.example.com/ci/my-runner:1.2.3" } }).plan;
    expect(renderReport(other, { now: day("2026-11-26") })).toContain(
      "Runner: registry.example.com/ci/my-runner:1.2.3 (not the official runner image: release date unknown)",
    );
  });

  test("--json carries the age and the warning beside the plan's warnings", () => {
    const j = JSON.parse(JSON.stringify(reportJson("x", plan, { now: day("2026-04-27") })));
    expect(j.runnerAge).toEqual({ days: 31, warning: expect.stringMatching(/^runners\.image: runner 2\.333\.1 was released 2026-03-27 \(31 days ago\)/) });
    expect(j.warnings).toEqual(plan.warnings);
  });

  test("npm run report takes its clock from SOURCE_DATE_EPOCH", async () => {
    const at = (iso: string) => String(Date.parse(`${iso}T00:00:00Z`) / 1000);
    const [young, old] = await Promise.all([
      runScript("scripts/report.ts", [], { SOURCE_DATE_EPOCH: at("2026-04-01") }),
      runScript("scripts/report.ts", ["--json"], { SOURCE_DATE_EPOCH: at("2026-06-01") }),
    ]);
    expect(young.code).toBe(0);
    expect(young.stdout).toContain("Runner: 2.333.1, released 2026-03-27 (5 days ago;");
    expect(young.stdout).not.toContain("! runners.image");
    expect(JSON.parse(old.stdout).runnerAge.days).toBe(66);
  }, 30_000);
});
