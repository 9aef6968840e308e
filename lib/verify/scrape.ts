/**
 * Scrape objects (`PodMonitoring`, `PodMonitor`) against the pods they mean: each selects at
 * least one rendered (or, for listeners, modelled) pod in its namespace and names a port that
 * pod declares; every pod serving metrics is scraped by one. Pure: no helm, no files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Container, ModelPod } from "./arc-pods";
import type { K8sObject } from "./render";

/** A pod that serves (or may serve) metrics, with its declared container ports. */
export interface MetricsPod extends ModelPod {
  /** Declared container ports. */
  readonly ports: readonly { readonly name?: string; readonly containerPort: number }[];
  /** The port its metrics are served on, when it serves them. */
  readonly servesOn?: number;
  /** The release it belongs to (for findings). */
  readonly release: string;
}

/** A scrape object as synthesized (`kubernetes_manifest`'s `manifest`). */
export interface ScrapeObject {
  /** `kubernetes_manifest.<name>` for findings. */
  readonly ref: string;
  readonly object: K8sObject;
}

type Add = (release: string, field: string, message: string) => void;

const SCRAPE_KINDS = new Set(["monitoring.googleapis.com/v1 PodMonitoring", "monitoring.coreos.com/v1 PodMonitor"]);

export function isScrapeObject(o: K8sObject | undefined): o is K8sObject {
  return !!o && SCRAPE_KINDS.has(`${o.apiVersion} ${o.kind}`);
}

/** Directory holding the scrape objects' CRDs (`crds/`), for KubeSchemas.addChartCrds. */
export function monitoringCrdsDir(): string {
  const candidates = [path.join(__dirname, "monitoring-crds"), path.join(__dirname, "..", "..", "..", "lib", "verify", "monitoring-crds")];
  return candidates.find((d) => fs.existsSync(d)) ?? candidates[0];
}

/** The port a container serves on from an address flag or env value such as `:8080` or `0.0.0.0:9090`. */
export function addrPort(addr: string | undefined): number | undefined {
  const m = /:(\d+)$/.exec(addr ?? "");
  return m ? Number(m[1]) : undefined;
}

/** Declared ports of a pod's containers. */
export function declaredPorts(containers: readonly Container[] | undefined): { name?: string; containerPort: number }[] {
  return (containers ?? []).flatMap((c) => c.ports ?? []);
}

interface Endpoint {
  port?: string | number;
  portNumber?: number;
}

export function checkScrapeObjects(objects: readonly ScrapeObject[], pods: readonly MetricsPod[], add: Add): void {
  const scraped = new Set<MetricsPod>();
  for (const { ref, object: o } of objects) {
    const spec = o.spec as { selector?: { matchLabels?: Record<string, string> }; endpoints?: Endpoint[]; podMetricsEndpoints?: Endpoint[] };
    const ns = o.metadata.namespace ?? "default";
    const want = spec.selector?.matchLabels ?? {};
    const hits = pods.filter((p) => p.namespace === ns && Object.entries(want).every(([k, v]) => p.labels[k] === v));
    const field = `${ref} spec.selector`;
    if (hits.length === 0) {
      const near = pods.filter((p) => p.namespace === ns).map((p) => p.what);
      add(ref, field, `${JSON.stringify(want)} selects no pod in namespace ${ns} (pods there: ${near.join(", ") || "none"})`);
      continue;
    }
    const endpoints = spec.endpoints ?? spec.podMetricsEndpoints ?? [];
    const gmp = o.kind === "PodMonitoring";
    endpoints.forEach((ep, i) => {
      const at = `${ref} spec.${gmp ? "endpoints" : "podMetricsEndpoints"}[${i}]`;
      for (const p of hits) {
        const named = typeof ep.port === "string" ? p.ports.find((x) => x.name === ep.port) : undefined;
        const number = typeof ep.port === "number" ? ep.port : ep.portNumber;
        if (typeof ep.port === "string" && !named) {
          add(p.release, `${at}.port`, `"${ep.port}" is not a port of the ${p.what} (declared: ${p.ports.map((x) => x.name ?? x.containerPort).join(", ") || "none"})`);
          continue;
        }
        if (number !== undefined && !gmp && !p.ports.some((x) => x.containerPort === number)) {
          add(p.release, `${at}.portNumber`, `${number} is not declared by the ${p.what}: Prometheus Operator drops the target`);
          continue;
        }
        const port = named?.containerPort ?? number;
        if (p.servesOn === undefined) add(p.release, `${at}`, `the ${p.what} serves no metrics`);
        else if (port !== p.servesOn) add(p.release, `${at}.port`, `reaches port ${port} of the ${p.what}, which serves metrics on ${p.servesOn}`);
        else scraped.add(p);
      }
    });
  }
  if (objects.length === 0) return;
  const gmp = objects.some((x) => x.object.kind === "PodMonitoring");
  for (const p of pods) {
    // An undeclared port is reachable by Managed Prometheus only (its port numbers need no
    // declaration); for Prometheus Operator the plan warns instead.
    const declared = p.ports.some((x) => x.containerPort === p.servesOn);
    if (p.servesOn !== undefined && !scraped.has(p) && (declared || gmp)) add(p.release, `${p.what} port ${p.servesOn}`, `serves metrics that no scrape object (${objects.map((x) => x.ref).join(", ")}) collects`);
  }
}
