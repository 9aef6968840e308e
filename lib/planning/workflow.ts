/**
 * The ready-to-paste GitHub Actions workflow printed as the runners stack's `workflow_snippet`
 * output. Pure code.
 */
import type { RunnerPlan } from "./labels";

/**
 * The label a new workflow should use: the minor alias of the newest engine (`dagger-v0.20`),
 * unsized when there is an unsized size. A minor alias follows patch upgrades of the engine
 * while staying compatible with a module's `engineVersion`.
 */
export function defaultLabel(plan: RunnerPlan): string {
  const size = plan.sizes.includes("") ? "" : plan.sizes[0];
  const pick =
    plan.labels.find((l) => l.kind === "minor" && l.version === plan.latest.text && l.size === size) ??
    plan.labels.find((l) => l.size === size) ??
    plan.labels[0];
  return pick.label;
}

/**
 * The checkout step every workflow of this project uses, pinned by commit SHA (actions/checkout
 * v6.0.2): the README, {@link workflowSnippet} and .github/workflows use this one line
 * (test/readme.test.ts holds them equal).
 */
export const CHECKOUT_ACTION = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2";

/** A minimal workflow running a Dagger function on the default label. */
export function workflowSnippet(plan: RunnerPlan): string {
  const label = defaultLabel(plan);
  return [
    "# .github/workflows/dagger.yml",
    "name: dagger",
    "on: [push, pull_request]",
    "jobs:",
    "  build:",
    `    runs-on: ${label}`,
    "    steps:",
    `      - uses: ${CHECKOUT_ACTION}`,
    "      # The runner already has the matching dagger CLI on PATH and an engine configured.",
    "      - run: dagger version",
    "      - run: dagger call test # a function of your Dagger module",
    "",
  ].join("\n");
}
