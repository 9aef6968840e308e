/**
 * Config errors of the cloud layer: one line naming the key, the value and what is allowed.
 */
import { parseConfig } from "../lib/config/load";
import { synthConfig } from "./util";

const base = { gcp: { projectId: "my-proj-123" } };

describe("cluster config errors", () => {
  test.each<[string, Record<string, unknown>, string]>([
    [
      "overlapping CIDRs",
      { cluster: { network: { podsCidr: "10.0.0.0/14" } } },
      'cluster.network.podsCidr: "10.0.0.0/14" conflicts with cluster.network.subnetCidr (10.0.0.0/20): the ranges overlap and must be disjoint',
    ],
    [
      "services range inside the pods range",
      { cluster: { network: { servicesCidr: "10.5.0.0/20" } } },
      'cluster.network.servicesCidr: "10.5.0.0/20" conflicts with cluster.network.podsCidr (10.4.0.0/14): the ranges overlap and must be disjoint',
    ],
    [
      "control plane range inside the subnet",
      { cluster: { privateNodes: true, masterIpv4Cidr: "10.0.1.0/28" } },
      'cluster.masterIpv4Cidr: "10.0.1.0/28" conflicts with cluster.network.subnetCidr (10.0.0.0/20): the ranges overlap and must be disjoint',
    ],
    [
      "a CIDR with host bits",
      { cluster: { network: { subnetCidr: "10.0.1.0/20" } } },
      'cluster.network.subnetCidr: "10.0.1.0/20" is not a network address (host bits are set; did you mean 10.0.0.0/20?)',
    ],
    [
      "a zone outside the region of a regional cluster",
      { gcp: { projectId: "my-proj-123", region: "us-central1", zones: ["us-central1-a", "us-east1-b"] } },
      'gcp.zones[1]: "us-east1-b" is not in gcp.region "us-central1" (expected a zone such as us-central1-a)',
    ],
    [
      "private nodes without NAT on a created network",
      { cluster: { privateNodes: true, nat: false } },
      "cluster.nat: false conflicts with cluster.privateNodes: private nodes need Cloud NAT to reach GitHub and registries",
    ],
    [
      "a GPU pool without an accelerator type",
      { cluster: { nodePools: { gpu: { machineType: "g2-standard-8" } } } },
      "cluster.nodePools.gpu.accelerator.type: (missing) is required for the gpu pool (e.g. nvidia-l4 with machineType g2-standard-8",
    ],
    [
      "a cluster name over 40 characters",
      { cluster: { name: "a-cluster-name-that-is-much-too-long-for-gke" } },
      'cluster.name: "a-cluster-name-that-is-much-too-long-for-gke" is longer than 40 characters',
    ],
    [
      "a jobs service account id over 30 characters",
      { cluster: { workloadIdentity: { serviceAccountId: "a-service-account-id-too-long-x" } } },
      'cluster.workloadIdentity.serviceAccountId: "a-service-account-id-too-long-x" is not a service account id (6-30 lowercase letters',
    ],
    [
      "a network name over 63 characters",
      { cluster: { network: { name: `n${"x".repeat(63)}` } } },
      `cluster.network.name: "n${"x".repeat(63)}" is longer than 63 characters`,
    ],
    [
      "min nodes above max nodes",
      { cluster: { nodePools: { runners: { minNodes: 6, maxNodes: 5 } } } },
      "cluster.nodePools.runners.minNodes: 6 is greater than maxNodes (5)",
    ],
    [
      "a private endpoint without private nodes",
      { cluster: { privateEndpoint: true } },
      "cluster.privateEndpoint: true needs cluster.privateNodes: true",
    ],
    [
      "Shared VPC with a created network",
      { cluster: { network: { hostProject: "host-proj-1" } } },
      'cluster.network.hostProject: "host-proj-1" needs cluster.network.create: false',
    ],
    [
      "a daily maintenance window in the wrong format",
      { cluster: { maintenanceWindow: { startTime: "3am" } } },
      'cluster.maintenanceWindow.startTime: "3am" is not a daily start time (expected HH:MM in UTC, e.g. 03:00)',
    ],
    [
      "a maintenance window below GKE's 48 hours in 32 days",
      { cluster: { maintenanceWindow: { startTime: "2025-01-04T02:00:00Z", endTime: "2025-01-04T06:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA" } } },
      'cluster.maintenanceWindow.recurrence: "FREQ=WEEKLY;BYDAY=SA" gives 16 hours of maintenance in 32 days (4h windows, FREQ=WEEKLY;BYDAY=SA); GKE requires at least 48, counting only windows of 4 hours or more',
    ],
    [
      "daily maintenance windows shorter than four hours, which GKE does not count",
      { cluster: { maintenanceWindow: { startTime: "2025-01-04T02:00:00Z", endTime: "2025-01-04T05:00:00Z", recurrence: "FREQ=DAILY" } } },
      'cluster.maintenanceWindow.recurrence: "FREQ=DAILY" gives 0 hours of maintenance in 32 days (3h windows, FREQ=DAILY); GKE requires at least 48, counting only windows of 4 hours or more',
    ],
    [
      "an unknown disk type",
      { cluster: { nodePools: { engines: { diskType: "ssd" } } } },
      'cluster.nodePools.engines.diskType: "ssd" is not allowed (expected one of: pd-standard, pd-balanced, pd-ssd',
    ],
    [
      "an existing network without its name",
      { cluster: { network: { create: false, subnetName: "gke" } } },
      "cluster.network.name: (missing) is required with cluster.network.create: false (the existing VPC's name)",
    ],
    [
      "an existing network without its subnet",
      { cluster: { network: { create: false, name: "vpc" } } },
      "cluster.network.subnetName: (missing) is required with cluster.network.create: false",
    ],
    [
      "a pods CIDR for an existing subnet (it has its own ranges)",
      { cluster: { network: { create: false, name: "vpc", subnetName: "gke", podsCidr: "10.4.0.0/14" } } },
      'cluster.network.podsCidr: "10.4.0.0/14" conflicts with cluster.network.create: false (an existing subnet has its own ranges',
    ],
    [
      "a GCS state prefix with a trailing slash",
      { backend: { type: "gcs", bucket: "my-state", prefix: "ci/" } },
      'backend.prefix: "ci/" is not a state prefix',
    ],
  ])("%s", (_name, raw, message) => {
    expect(() => parseConfig({ ...base, ...raw })).toThrow(message);
  });

  test("private nodes without NAT are allowed on an existing network (with a warning at synth)", () => {
    expect(() =>
      parseConfig({ ...base, cluster: { privateNodes: true, nat: false, network: { create: false, name: "vpc", subnetName: "sub" } } }),
    ).not.toThrow();
  });

  test("DaemonSet engines with a dedicated engine pool fail the synth with one line", () => {
    expect(() => synthConfig({ ...base, cluster: { nodePools: { engines: {} } } })).toThrow(
      /^dagger\.engine\.mode: "daemonset" conflicts with cluster\.nodePools\.engines: DaemonSet engines are node-local/,
    );
  });
});

describe("GKE's maintenance rule: at least 48 hours in any 32 days, windows of 4 hours or more (cloud.google.com/kubernetes-engine/docs/maintenance-window)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { maintenanceHoursIn32Days } = require("../lib/planning/input/cluster") as typeof import("../lib/planning/input/cluster");
  test.each([
    [12, "FREQ=WEEKLY;BYDAY=SA,SU", 96],
    [6, "FREQ=WEEKLY;BYDAY=SA,SU", 48],
    [4, "FREQ=DAILY", 128],
    [3.5, "FREQ=DAILY", 0],
    [4, "FREQ=WEEKLY;BYDAY=MO,TU,WE", 48],
  ])("%sh windows on %s: %s hours", (hours, rule, expected) => {
    expect(maintenanceHoursIn32Days(hours, rule)).toBe(expected);
  });

  test("rules it cannot count (INTERVAL, MONTHLY) are left to GKE", () => {
    expect(maintenanceHoursIn32Days(8, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA")).toBeUndefined();
    expect(maintenanceHoursIn32Days(8, "FREQ=MONTHLY;BYMONTHDAY=1")).toBeUndefined();
    expect(() => parseConfig({ cluster: { maintenanceWindow: { startTime: "2025-01-04T02:00:00Z", endTime: "2025-01-04T10:00:00Z", recurrence: "FREQ=MONTHLY;BYMONTHDAY=1" } } })).not.toThrow();
  });

  test("a window that ends before it starts", () => {
    expect(() => parseConfig({ cluster: { maintenanceWindow: { startTime: "2025-01-04T10:00:00Z", endTime: "2025-01-04T02:00:00Z", recurrence: "FREQ=DAILY" } } })).toThrow(
      'cluster.maintenanceWindow.endTime: "2025-01-04T02:00:00Z" is not after startTime 2025-01-04T10:00:00Z',
    );
  });

  test("the default window passes and reaches the plan", () => {
    expect(parseConfig({}).plan.cluster!.controlPlane.maintenanceWindow).toEqual({
      startTime: "2026-01-03T00:00:00Z",
      endTime: "2026-01-03T12:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=SA,SU",
    });
  });
});
