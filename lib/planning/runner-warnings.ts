/**
 * Warnings about the GitHub runner layer of a config: risky but valid choices, one line each
 * naming the key. Pure; collected into the plan's one warnings list (lib/planning/deployment.ts).
 */
import type { EngineTransport } from "../engine-spec";
import { runnersPodSecurityLevel } from "./arc-values";
import { PLACEHOLDER_CONFIG_URL } from "./input/github";
import type { RunnersConfig } from "./input/schema";

/**
 * Keys the config sets that change nothing in the chosen mode: each gets a warning rather than
 * being accepted silently. `transport` is the resolved engine transport.
 */
export function ignoredKeyWarnings(config: RunnersConfig, transport: EngineTransport): string[] {
  const out: string[] = [];
  const ignored = (key: string, value: unknown, why: string) => out.push(`${key}: ${JSON.stringify(value)} is ignored: ${why}`);
  const vpa = config.dagger.engine.vpa;
  if (!vpa.enabled) {
    for (const k of ["updateMode", "minAllowed", "maxAllowed"] as const) {
      if (vpa[k] !== undefined) ignored(`dagger.engine.vpa.${k}`, vpa[k], "dagger.engine.vpa.enabled is false, so no VerticalPodAutoscaler is created");
    }
  }
  const r = config.runners;
  if (r.engineWaitSeconds !== undefined && transport !== "unix") {
    ignored("runners.engineWaitSeconds", r.engineWaitSeconds, `only unix runners wait for their node's engine socket (the transport is "${transport}")`);
  }
  if (transport !== "kube-pod" && !r.cleanup.enabled) {
    for (const k of ["kubectlImage", "kubectlPath"] as const) {
      if (r[k] !== undefined) ignored(`runners.${k}`, r[k], `kubectl runs only in kube-pod runners and the cleanup job, and this deployment has neither (transport "${transport}", runners.cleanup.enabled false)`);
    }
  }
  if (!r.cleanup.enabled) {
    for (const k of ["schedule", "image"] as const) {
      if (r.cleanup[k] !== undefined) ignored(`runners.cleanup.${k}`, r.cleanup[k], "runners.cleanup.enabled is false");
    }
  }
  return out;
}

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
  if (!arc.installCrds && config.peers.length === 0) {
    out.push(
      `arc.installCrds is false and peers is empty: another deployment on this cluster must install ARC's CRDs at arc.version ${arc.version}; list its config in peers so synth checks it does`,
    );
  }
  return out;
}
