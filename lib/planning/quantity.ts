/**
 * Kubernetes quantities and resource arithmetic, shared by the config schema (which accepts a
 * quantity only if this module can read it) and the capacity plan. Pure.
 */
import { PlanError } from "./errors";

/** CPU in millicores and memory in MiB. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  /** `nvidia.com/gpu`. @default 0 */
  readonly gpus?: number;
}

/** Kubernetes-style requests as written in the config (`"500m"`, `"4Gi"`, `2`). */
export type RequestList = Readonly<Record<string, string | number | undefined>>;

/**
 * A Kubernetes quantity as this package accepts it: a decimal number and an optional suffix
 * (k8s.io/apimachinery `resource.Quantity`; exponent forms such as `1e3` are not accepted here).
 */
export const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Whether `v` is a quantity {@link QUANTITY} accepts (the config schema's check). */
export function isQuantity(v: string): boolean {
  return QUANTITY.test(v);
}
const FACTOR: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

function parseQuantity(raw: string | number, path: string): number {
  const m = QUANTITY.exec(String(raw).trim());
  if (!m) throw new PlanError(path, raw, "is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)");
  return Number(m[1]) * FACTOR[m[2] ?? ""];
}

/** `"500m"` -> 500, `2` -> 2000. */
export function cpuMillis(raw: string | number, path = "cpu"): number {
  return Math.round(parseQuantity(raw, path) * 1000 * 1000) / 1000;
}

/** `"4Gi"` -> 4096, `"1G"` -> 953.67. */
export function memoryMiB(raw: string | number, path = "memory"): number {
  return parseQuantity(raw, path) / 2 ** 20;
}

/** Requests as numbers; missing entries are 0. */
export function toResources(req: RequestList | undefined, path: string): Resources {
  return {
    cpuMillis: req?.cpu !== undefined ? cpuMillis(req.cpu, `${path}.cpu`) : 0,
    memoryMiB: req?.memory !== undefined ? memoryMiB(req.memory, `${path}.memory`) : 0,
    gpus: req?.["nvidia.com/gpu"] !== undefined ? Number(req["nvidia.com/gpu"]) : 0,
  };
}

/** `1536` MiB -> `"1.5Gi"`, `500` -> `"500Mi"`. */
export function formatMiB(mib: number): string {
  if (Math.abs(mib) >= 1024) return `${round(mib / 1024)}Gi`;
  return `${round(mib)}Mi`;
}

/** `2500` -> `"2.5"`, `500` -> `"500m"`. */
export function formatMillis(m: number): string {
  if (Math.abs(m) >= 1000) return `${round(m / 1000)}`;
  return `${Math.round(m)}m`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export const ZERO: Resources = { cpuMillis: 0, memoryMiB: 0, gpus: 0 };
export const add = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis + b.cpuMillis,
  memoryMiB: a.memoryMiB + b.memoryMiB,
  gpus: (a.gpus ?? 0) + (b.gpus ?? 0),
});
export const sub = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis - b.cpuMillis,
  memoryMiB: a.memoryMiB - b.memoryMiB,
  gpus: (a.gpus ?? 0) - (b.gpus ?? 0),
});
export const fits = (need: Resources, room: Resources) =>
  need.cpuMillis <= room.cpuMillis + 1e-9 && need.memoryMiB <= room.memoryMiB + 1e-9 && (need.gpus ?? 0) <= (room.gpus ?? 0);
/** `1 CPU / 2Gi`, with ` / <n> GPU` when there are GPUs or `gpus` asks for them (e.g. none left). */
export const describeResources = (r: Resources, gpus = false) =>
  `${formatMillis(r.cpuMillis)} CPU / ${formatMiB(r.memoryMiB)}${r.gpus || gpus ? ` / ${r.gpus ?? 0} GPU` : ""}`;

/** How many pods of `size` fit into `room` (pods per node capped by `podRoom`). */
export function podsThatFit(size: Resources, room: Resources, podRoom: number): number {
  const limits = [podRoom];
  if (size.cpuMillis > 0) limits.push(Math.floor((room.cpuMillis + 1e-9) / size.cpuMillis));
  if (size.memoryMiB > 0) limits.push(Math.floor((room.memoryMiB + 1e-9) / size.memoryMiB));
  if ((size.gpus ?? 0) > 0) limits.push(Math.floor((room.gpus ?? 0) / (size.gpus ?? 1)));
  return Math.max(0, Math.min(...limits));
}

/**
 * The requests the scheduler sees: a resource with a limit and no request is requested at its
 * limit (Kubernetes `SetDefaults_Pod`, pkg/apis/core/v1/defaults.go: "If limits are specified but
 * requests are not, default requests to limits").
 */
export function schedulingRequests(r: { readonly requests?: RequestList; readonly limits?: RequestList } | undefined): RequestList {
  const requests = r?.requests ?? {};
  return { ...requests, ...Object.fromEntries(Object.entries(r?.limits ?? {}).filter(([k]) => requests[k] === undefined)) };
}

