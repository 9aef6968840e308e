/**
 * TCP access to one engine of the engine layer ({@link DaggerEngines}): our own ClusterIP Service
 * (the chart's, where it has one, differs by version) and a NetworkPolicy admitting only the
 * labelled client pods of the client namespace (and the metrics port, when served). Created in
 * the engine layer's scope, so their addresses stay the layer's.
 */
import type { Construct } from "constructs";
import { NetworkPolicyV1, ServiceV1 } from "../imports/kubernetes";
import type { EngineConnectionSpec } from "../engine-spec";
import { EngineMode, EngineNames, engineId, engineServiceName } from "../planning/engines";

/** Inputs of {@link addEngineTcpAccess}. */
export interface EngineTcpAccessInput {
  readonly engine: EngineNames;
  /** The engine's connection spec (its client pod labels). */
  readonly spec: EngineConnectionSpec;
  readonly mode: EngineMode;
  /** Engines namespace (a token when created). */
  readonly namespace: string;
  /** Client (runners) namespace. */
  readonly clientNamespace: string;
  readonly port: number;
  /** The engine's metrics port, when it serves metrics. @default none */
  readonly metricsPort?: number;
}

/** Creates the engine's Service and NetworkPolicy in `scope`. */
export function addEngineTcpAccess(scope: Construct, i: EngineTcpAccessInput): { service: ServiceV1; networkPolicy: NetworkPolicyV1 } {
  const { engine: e, port } = i;
  const id = engineId(e);
  const service = new ServiceV1(scope, `service-${id}`, {
    metadata: { name: engineServiceName(e.releaseName), namespace: i.namespace, labels: { "app.kubernetes.io/part-of": "dagger-engines" } },
    spec: {
      type: "ClusterIP",
      selector: { name: e.workloadName },
      port: [{ name: "dagger", port, targetPort: String(port), protocol: "TCP" }],
      // DaemonSet: reach the engine on the client's own node (its cache), like unix.
      internalTrafficPolicy: i.mode === "daemonset" ? "Local" : "Cluster",
    },
  });
  const networkPolicy = new NetworkPolicyV1(scope, `network-policy-${id}`, {
    metadata: { name: `${engineServiceName(e.releaseName)}-clients`, namespace: i.namespace },
    spec: {
      podSelector: { matchLabels: { name: e.workloadName } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": i.clientNamespace } },
              podSelector: { matchLabels: { ...(i.spec.clientPodLabels ?? {}) } },
            },
          ],
          ports: [{ port: String(port), protocol: "TCP" }],
        },
        // The metrics endpoint, from any pod: the scraper's namespace and labels differ by
        // collector, and the endpoint serves counts and sizes only (cmd/engine/metrics.go).
        ...(i.metricsPort !== undefined ? [{ ports: [{ port: String(i.metricsPort), protocol: "TCP" }] }] : []),
      ],
    },
  });
  return { service, networkPolicy };
}
