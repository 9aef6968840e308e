/**
 * Warnings about the GitHub runner layer of a config: risky but valid choices, one line each
 * naming the key. Pure; collected into the plan's one warnings list (lib/planning/deployment.ts).
 */
import type { EngineTransport } from "../engine-spec";
import { runnersPodSecurityLevel } from "./arc-values";
import { PLACEHOLDER_CONFIG_URL } from "./input/github";
import type { RunnersConfig } from "./input/schema";

/** The host of a GitHub Enterprise Server config URL; undefined for github.com and GHE.com. */
export function gitHubEnterpriseServerHost(configUrl: string): string | undefined {
  const host = new URL(configUrl).hostname.toLowerCase();
  return host === "github.com" || host.endsWith(".ghe.com") ? undefined : host;
}

/** The runner layer's warnings; `transports` are the resolved engine transports. */
export function runnerWarnings(config: RunnersConfig, transports: readonly EngineTransport[]): string[] {
  const { github, runners, arc } = config;
  const out: string[] = [];
  if (!runners.createNamespaces && runnersPodSecurityLevel(transports) === "privileged") {
    out.push(`runners.createNamespaces is false: label namespace "${runners.namespace}" pod-security.kubernetes.io/enforce=privileged (runners mount the node's engine socket)`);
  }
  if (github.configUrl === PLACEHOLDER_CONFIG_URL && !github.app && !github.pat && !github.existingSecretName) {
    out.push("github: no credentials set (placeholder config): using a PAT from TF_VAR_github_token");
  }
  if (github.existingSecretName && runners.createNamespaces) {
    out.push(
      `github.existingSecretName: Secret "${github.existingSecretName}" must exist in namespace "${runners.namespace}" before the scale sets install; with runners.createNamespaces true, create it right after the namespace or pre-create both and set createNamespaces: false`,
    );
  }
  const ghes = gitHubEnterpriseServerHost(github.configUrl);
  if (arc.labelStrategy === "multi-label" && ghes) {
    // actions/scaleset README "GitHub Enterprise Server": extra labels need GHES 3.18+ and the
    // DistributedTask.AllowRunnerScaleSetCustomLabels flag (on by default from 3.21); without it
    // they are dropped silently and jobs on alias labels queue forever.
    out.push(
      `arc.labelStrategy: "multi-label" on GitHub Enterprise Server ${ghes} needs GHES 3.18+ with DistributedTask.AllowRunnerScaleSetCustomLabels on (default from 3.21), else alias labels are dropped silently; use "per-label" otherwise`,
    );
  }
  return out;
}
