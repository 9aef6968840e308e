/**
 * The pinned GitHub Actions runner and how old it may get. Pure code, facts with sources:
 *
 * - The pinned runner is actions/runner v2.333.1, released 2026-03-27
 *   (https://github.com/actions/runner/releases/tag/v2.333.1: tag `v2.333.1`, commit
 *   6792966801e8925346735b68c03bf9f347af4646 "Bump version to 2.333.1", 2026-03-27T16:55:20Z).
 *   The image `ghcr.io/actions/actions-runner:<version>` is tagged with the runner version.
 * - GitHub's rule (changelog "GitHub Actions: minimum version enforcement timeline for self-hosted
 *   runners", https://github.blog/changelog/2026-06-12-github-actions-minimum-version-enforcement-timeline-for-self-hosted-runners/):
 *   "To continue executing workflow jobs: The runner must stay up to date by installing each new
 *   runner release within 30 days of its publication." (registration needs 2.329.0 or later).
 *   ARC's ephemeral runners never self-update, so a pinned image is refused jobs 30 days after
 *   the first release newer than it. Offline, the newer release's date is unknown: a pin older
 *   than 30 days is the earliest point at which that can have happened, so that is the warning.
 *
 * To bump: change {@link PINNED_RUNNER} to the new release's version and its release date (the
 * date on its releases page); the default image follows.
 */

/** The runner the default image pins, with its release date (UTC, YYYY-MM-DD). */
export const PINNED_RUNNER = { version: "2.333.1", released: "2026-03-27" } as const;

/** GitHub refuses jobs to a runner that has not installed a newer release within this many days of its publication. */
export const RUNNER_UPDATE_DAYS = 30;

/** The official runner image's repository (mirrors keep its path). */
export const RUNNER_IMAGE_REPOSITORY = "ghcr.io/actions/actions-runner";

/** The runner version an image runs and its release date, when known. */
export interface RunnerRelease {
  /** The runner version, from an `actions/actions-runner:<version>` tag; undefined for another image. */
  readonly version?: string;
  /** Release date (YYYY-MM-DD) of {@link version}; known for the pinned version only. */
  readonly released?: string;
  /** The release page of {@link version}. */
  readonly url?: string;
}

/** What is known of the runner in `image` (a default, mirrored or explicitly pinned reference). */
export function runnerRelease(image: string): RunnerRelease {
  const m = /(?:^|\/)actions\/actions-runner:v?(\d+\.\d+\.\d+)$/.exec(image);
  if (!m) return {};
  const version = m[1];
  return {
    version,
    released: version === PINNED_RUNNER.version ? PINNED_RUNNER.released : undefined,
    url: `https://github.com/actions/runner/releases/tag/v${version}`,
  };
}

/** Whole days from `released` (YYYY-MM-DD, UTC midnight) to `now`. */
export function ageInDays(released: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(`${released}T00:00:00Z`)) / 86_400_000);
}

/**
 * The warning for a runner release older than {@link RUNNER_UPDATE_DAYS} at `now`, naming the
 * key to change; undefined when it is younger or its date is unknown.
 */
export function runnerAgeWarning(r: RunnerRelease, now: Date): string | undefined {
  if (!r.version || !r.released) return undefined;
  const age = ageInDays(r.released, now);
  if (age <= RUNNER_UPDATE_DAYS) return undefined;
  return (
    `runners.image: runner ${r.version} was released ${r.released} (${age} days ago); GitHub stops sending jobs to a runner ` +
    `${RUNNER_UPDATE_DAYS} days after a newer release is published, so once one is, these runners get no jobs: ` +
    `bump the pinned runner (docs/runners.md#runner-image-updates)`
  );
}
