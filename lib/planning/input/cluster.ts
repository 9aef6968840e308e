import { z } from "zod";
import { findOverlaps, parseCidr } from "../network";
import { imageTemplate, pinnedImage, quantity } from "./common";
import { projectId } from "./gcp";
import { DEFAULT_MAINTENANCE_WINDOW, GKE_MAINTENANCE_MIN_HOURS, GKE_MAINTENANCE_MIN_WINDOW_HOURS } from "../defaults";

/** An IPv4 CIDR block given as its network address, e.g. `10.0.0.0/20`. */
export const cidr = z.string().superRefine((v, ctx) => {
  const p = parseCidr(v);
  if (typeof p === "string") ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
});

/** A GCP resource name (RFC 1035): starts with a letter, at most `max` characters. */
export const gcpName = (max = 63) =>
  z
    .string()
    .max(max, { message: `is longer than ${max} characters` })
    .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
      message: 'is not a valid GCP name (lowercase letters, digits and "-", starting with a letter, not ending with "-")',
    });

/** GCP label key/value (resource labels, cost tracking). */
const gcpLabelKey = z.string().regex(/^[a-z][-_a-z0-9]{0,62}$/, {
  message: 'is not a GCP label key (lowercase letters, digits, "-" and "_", starting with a letter, at most 63)',
});
const gcpLabelValue = z.string().regex(/^[-_a-z0-9]{0,63}$/, {
  message: 'is not a GCP label value (lowercase letters, digits, "-" and "_", at most 63)',
});

/** Kubernetes label key (`[prefix/]name`) and value. */
const k8sLabelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
  message: "is not a Kubernetes label key (e.g. example.com/pool or team)",
});
const k8sLabelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
  message: "is not a Kubernetes label value (at most 63 letters, digits, '-', '_' or '.')",
});

/** Boot disk types GKE nodes accept (some machine series need hyperdisk). */
export const DISK_TYPES = ["pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced", "hyperdisk-extreme", "hyperdisk-throughput"] as const;

/** A node taint, in Kubernetes spelling (the stack maps the effect to GKE's `NO_SCHEDULE`...). */
export const nodeTaint = z
  .object({
    /** Taint key, e.g. `dagger.io/engine`. */
    key: k8sLabelKey,
    /** Taint value. @default "" */
    value: k8sLabelValue.default(""),
    /** @default "NoSchedule" */
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).default("NoSchedule"),
  })
  .strict();
export type NodeTaint = z.output<typeof nodeTaint>;

/** The taint of the dedicated `engines` pool: only pods tolerating it (the engines) land there. */
export const ENGINE_POOL_TAINT: NodeTaint = { key: "dagger.io/engine", value: "true", effect: "NoSchedule" };

interface PoolDefaults {
  readonly machineType: string;
  readonly diskType: (typeof DISK_TYPES)[number];
  readonly diskSizeGb: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly taints: NodeTaint[];
}

const poolShape = (d: PoolDefaults) => ({
  /** GCE machine type. */
  machineType: z
    .string()
    .regex(/^[a-z][a-z0-9]*-[a-z0-9-]+$/, { message: "is not a GCE machine type (e.g. n2-standard-8)" })
    .default(d.machineType),
  /** Boot disk type; the DaemonSet engine cache lives on it. */
  diskType: z.enum(DISK_TYPES).default(d.diskType),
  /** Boot disk size in GB (GKE minimum 10). */
  diskSizeGb: z.number().int().min(10).max(65536).default(d.diskSizeGb),
  /** Fewest nodes of the pool (total over its zones). */
  minNodes: z.number().int().nonnegative().default(d.minNodes),
  /** Most nodes of the pool (total over its zones). */
  maxNodes: z.number().int().positive().default(d.maxNodes),
  /** Spot VMs: much cheaper, may be reclaimed at any time (a running job then fails). @default false */
  spot: z.boolean().default(false),
  /** Kubernetes labels of the nodes (GKE adds `cloud.google.com/gke-nodepool`). @default {} */
  labels: z.record(k8sLabelKey, k8sLabelValue).default({}),
  /** Kubernetes taints of the nodes. */
  taints: z.array(nodeTaint).default(d.taints),
  /**
   * Local NVMe SSDs used for the node's ephemeral storage (images, container layers,
   * emptyDir). The hostPath engine cache stays on the boot disk. @default 0
   */
  localSsdCount: z.number().int().nonnegative().max(24).default(0),
  /**
   * vCPUs of one node, for the capacity plan (lib/planning/capacity.ts) when `machineType` is
   * outside its machine table (e.g. custom types). @default from the machine table
   */
  cpu: quantity.optional(),
  /** Memory of one node (e.g. `32Gi`), for the capacity plan; see `cpu`. @default from the machine table */
  memory: quantity.optional(),
});

type PoolShape = ReturnType<typeof poolShape>;

const minMax = <T extends { minNodes: number; maxNodes: number }>(p: T, ctx: z.RefinementCtx) => {
  if (p.minNodes > p.maxNodes) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["minNodes"], message: `is greater than maxNodes (${p.maxNodes})` });
  }
};

const pool = (d: PoolDefaults) => z.object(poolShape(d)).strict().superRefine(minMax);

/** GPU accelerator of the `gpu` pool. */
const accelerator = z
  .object({
    /** Accelerator type, e.g. `nvidia-l4` (machine type g2-*), `nvidia-tesla-t4` (n1-*). Required. */
    type: z.string().regex(/^[a-z0-9][-a-z0-9]*$/, { message: "is not an accelerator type (e.g. nvidia-l4)" }).optional(),
    /** GPUs per node. @default 1 */
    count: z.number().int().positive().default(1),
    /** GKE-managed driver installation: `DEFAULT`, `LATEST` or `INSTALLATION_DISABLED`. @default "DEFAULT" */
    driverVersion: z.enum(["DEFAULT", "LATEST", "INSTALLATION_DISABLED"]).default("DEFAULT"),
  })
  .strict()
  .default({});

const gpuPool = z
  .object({
    ...(poolShape({ machineType: "g2-standard-8", diskType: "pd-balanced", diskSizeGb: 200, minNodes: 0, maxNodes: 2, taints: [] }) as PoolShape),
    accelerator,
    /** Runner size whose runners run on this pool (its labels end in `-<size>`). @default "gpu" */
    runnerSize: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'is not a valid size name (lowercase letters, digits and "-")' })
      .default("gpu"),
    /**
     * GPU engines: each engine version gets a second engine on this pool (release
     * `<name>-v<version>-gpu`, the GPU variant of the engine image,
     * `_EXPERIMENTAL_DAGGER_GPU_SUPPORT=true`, an `nvidia.com/gpu` request), and the runners of
     * `runnerSize` use it; they then request no GPU themselves (the Dagger functions, and so the
     * GPU work, run in the engine). `false`: the runners of `runnerSize` get the pool's GPUs and
     * use a normal engine, which cannot run GPU containers. @default true
     */
    engines: z.boolean().default(true),
    /** GPUs each GPU engine requests (`nvidia.com/gpu`). @default accelerator.count */
    engineGpus: z.number().int().positive().optional(),
    /**
     * GPU engine image, pinned: a map version -> image, or one string where `{version}` is
     * replaced by each version. Used as written. @default "registry.dagger.io/engine:v<version>-gpu" (mirrored with mirrors.images.registry)
     */
    engineImage: z.union([imageTemplate, z.record(z.string(), pinnedImage)]).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    minMax(p, ctx);
    if (p.accelerator.type === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["accelerator", "type"],
        message: "is required for the gpu pool (e.g. nvidia-l4 with machineType g2-standard-8; see `gcloud compute accelerator-types list`)",
      });
    }
  });

const maintenanceWindow = z
  .object({
    /** Daily window: `HH:MM` (UTC, 4 hours). Recurring window: an RFC 3339 time, e.g. `2025-01-04T02:00:00Z`. */
    startTime: z.string(),
    /** Recurring window only: its end, RFC 3339. @default none (daily window) */
    endTime: z.string().optional(),
    /** Recurring window only: an RFC 5545 RRULE, e.g. `FREQ=WEEKLY;BYDAY=SA,SU`. @default none (daily window) */
    recurrence: z.string().optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
    if (w.endTime === undefined && w.recurrence === undefined) {
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(w.startTime)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["startTime"], message: "is not a daily start time (expected HH:MM in UTC, e.g. 03:00)" });
      }
      return;
    }
    if (!rfc3339.test(w.startTime)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["startTime"], message: "is not an RFC 3339 time (expected e.g. 2025-01-04T02:00:00Z for a recurring window)" });
    }
    if (w.endTime === undefined || !rfc3339.test(w.endTime)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["endTime"], message: "is required for a recurring window (an RFC 3339 time, e.g. 2025-01-04T08:00:00Z)" });
    }
    if (w.recurrence === undefined || !/^FREQ=/.test(w.recurrence)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["recurrence"], message: "is required for a recurring window (an RRULE, e.g. FREQ=WEEKLY;BYDAY=SA,SU)" });
      return;
    }
    if (!rfc3339.test(w.startTime) || w.endTime === undefined || !rfc3339.test(w.endTime)) return;
    const hours = (Date.parse(w.endTime) - Date.parse(w.startTime)) / 3_600_000;
    if (!(hours > 0)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["endTime"], message: `is not after startTime ${w.startTime}` });
      return;
    }
    const perMonth = maintenanceHoursIn32Days(hours, w.recurrence);
    if (perMonth !== undefined && perMonth < GKE_MAINTENANCE_MIN_HOURS) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["recurrence"],
        message: `gives ${perMonth} hours of maintenance in 32 days (${hours}h windows, ${w.recurrence}); GKE requires at least ${GKE_MAINTENANCE_MIN_HOURS}, counting only windows of ${GKE_MAINTENANCE_MIN_WINDOW_HOURS} hours or more`,
      });
    }
  });

/**
 * The fewest hours of maintenance a recurring window gives in any 32 days, counted as GKE does
 * (windows shorter than 4 hours count 0), for `FREQ=DAILY` and `FREQ=WEEKLY;BYDAY=...` without
 * INTERVAL/COUNT/UNTIL (any 32 days hold 32 days and at least 4 of each weekday); undefined for
 * other rules, which GKE checks itself when the cluster is updated.
 */
export function maintenanceHoursIn32Days(windowHours: number, recurrence: string): number | undefined {
  const parts = new Map(recurrence.split(";").map((p) => p.split("=") as [string, string]));
  if ([...parts.keys()].some((k) => !["FREQ", "BYDAY", "WKST"].includes(k))) return undefined;
  const counted = windowHours >= GKE_MAINTENANCE_MIN_WINDOW_HOURS ? windowHours : 0;
  if (parts.get("FREQ") === "DAILY" && !parts.has("BYDAY")) return 32 * counted;
  if (parts.get("FREQ") === "WEEKLY") {
    const days = new Set((parts.get("BYDAY") ?? "").split(",").filter((d) => /^(MO|TU|WE|TH|FR|SA|SU)$/.test(d)));
    return days.size === 0 ? undefined : 4 * days.size * counted;
  }
  return undefined;
}

/** Default address plan: disjoint RFC 1918 blocks. */
export const DEFAULT_CIDRS = {
  subnetCidr: "10.0.0.0/20",
  podsCidr: "10.4.0.0/14",
  servicesCidr: "10.8.0.0/20",
} as const;

const CIDR_KEYS = ["subnetCidr", "podsCidr", "servicesCidr"] as const;

const network = z.preprocess(
  (raw, ctx) => {
    // CIDRs describe a subnet this stack creates; an existing subnet has its own ranges. Checked
    // on the raw input, since the parsed object always holds the defaults.
    if (raw !== null && typeof raw === "object" && (raw as { create?: unknown }).create === false) {
      for (const key of CIDR_KEYS) {
        if ((raw as Record<string, unknown>)[key] !== undefined) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [key],
            message: "conflicts with cluster.network.create: false (an existing subnet has its own ranges: name its secondary ranges with podsRangeName and servicesRangeName)",
          });
        }
      }
    }
    return raw;
  },
  z
    .object({
      /** Create the VPC and subnet; `false` uses an existing network and subnet (then `name` and `subnetName` are required). @default true */
      create: z.boolean().default(true),
      /** VPC name. @default "<cluster name>" (created networks only; required with `create: false`) */
      name: gcpName().optional(),
      /** Subnet name. @default "<cluster name>-nodes" (created networks only; required with `create: false`) */
      subnetName: gcpName().optional(),
      /**
       * Node subnet (primary range) of a created subnet; an error with `create: false` (an
       * existing subnet has its ranges). @default "10.0.0.0/20"
       */
      subnetCidr: cidr.default(DEFAULT_CIDRS.subnetCidr),
      /** Secondary range of the pods (it must exist in an existing subnet). @default "<cluster name>-pods" */
      podsRangeName: gcpName().optional(),
      /** Pods CIDR of a created subnet (a /14 gives 1024 nodes 110 pods each); an error with `create: false`. @default "10.4.0.0/14" */
      podsCidr: cidr.default(DEFAULT_CIDRS.podsCidr),
      /** Secondary range of the services (it must exist in an existing subnet). @default "<cluster name>-services" */
      servicesRangeName: gcpName().optional(),
      /** Services CIDR of a created subnet; an error with `create: false`. @default "10.8.0.0/20" */
      servicesCidr: cidr.default(DEFAULT_CIDRS.servicesCidr),
      /** Shared VPC: the host project owning the (existing) network and subnet. @default none (gcp.projectId) */
      hostProject: projectId.optional(),
      /**
       * Shared VPC: the cluster stack grants GKE's service agents what they need in the host
       * project (`roles/compute.networkUser` on the subnet, `roles/container.hostServiceAgentUser`
       * on the host project); the deploying identity then needs to set IAM policy there.
       * @default none (a host project admin grants them; the report lists each)
       */
      hostGrants: z
        .object({
          /** The project number of gcp.projectId (service agents are named by number: `gcloud projects describe <id> --format='value(projectNumber)'`). */
          projectNumber: z.string().regex(/^[1-9]\d{5,19}$/, { message: "is not a project number (digits only, e.g. 123456789012)" }),
          /**
           * Also grant GKE's service agent `roles/compute.securityAdmin` on the host project, so
           * GKE creates and updates the cluster's firewall rules there itself. @default false
           */
          manageFirewall: z.boolean().default(false),
        })
        .strict()
        .optional(),
    })
    .strict(),
).default({});

const role = z.string().regex(/^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[-a-z0-9]+\/roles\/[A-Za-z0-9_.]+)$/, {
  message: "is not an IAM role (e.g. roles/artifactregistry.writer)",
});

/** `cluster`: the GKE cluster of target `gke`. */
export const clusterSchema = z
  .object({
    /** Cluster name (GKE allows at most 40 characters, starting with a letter). @default "<name>" */
    name: gcpName(40).optional(),
    /** Regional cluster (control plane and nodes in several zones); `false`: zonal, in `gcp.zones[0]`. @default true */
    regional: z.boolean().default(true),
    /** GKE release channel. @default "REGULAR" */
    releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE", "EXTENDED"]).default("REGULAR"),
    /** Terraform refuses to destroy the cluster while true. @default true */
    deletionProtection: z.boolean().default(true),
    /**
     * When GKE may upgrade and repair (at least 48 hours in any 32 days).
     * @default {startTime: "2026-01-03T00:00:00Z", endTime: "2026-01-03T12:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU"} (weekends, 00:00-12:00 UTC)
     */
    maintenanceWindow: maintenanceWindow.default({ ...DEFAULT_MAINTENANCE_WINDOW }),
    /** Nodes get internal IPs only (egress through Cloud NAT). @default false */
    privateNodes: z.boolean().default(false),
    /** The control plane has only a private endpoint (Terraform must run inside the VPC). @default false */
    privateEndpoint: z.boolean().default(false),
    /** Private nodes: a /28 for the control plane (VPC peering mode). @default none (Private Service Connect) */
    masterIpv4Cidr: cidr.optional(),
    /** CIDR blocks allowed to reach the control plane (include where `cdktf deploy` runs). @default [] (no restriction) */
    masterAuthorizedNetworks: z
      .array(z.object({ cidr, /** @default the CIDR */ name: z.string().min(1).optional() }).strict())
      .default([]),
    /** Cloud Router and Cloud NAT for egress. @default privateNodes */
    nat: z.boolean().optional(),
    network,
    /** GCP labels on the cluster and node VMs, for cost tracking. @default {} */
    resourceLabels: z.record(gcpLabelKey, gcpLabelValue).default({}),
    /** Cluster autoscaler profile. @default "BALANCED" */
    autoscalingProfile: z.enum(["BALANCED", "OPTIMIZE_UTILIZATION"]).default("BALANCED"),
    /** Email of an existing node service account; by default the stack creates one with least privilege. @default none (created) */
    nodeServiceAccount: z
      .string()
      .regex(/^[^@\s]+@[-a-z0-9.]+\.gserviceaccount\.com$/, { message: "is not a service account email (e.g. gke-nodes@my-project.iam.gserviceaccount.com)" })
      .optional(),
    /** A Google service account for jobs, bound to the runners' Kubernetes service account. */
    workloadIdentity: z
      .object({
        /** Create the jobs service account and its binding. @default true */
        enabled: z.boolean().default(true),
        /** Account id (6-30 characters). @default "<cluster name>-jobs" (shortened to fit) */
        serviceAccountId: z
          .string()
          .regex(/^[a-z]([-a-z0-9]{4,28})[a-z0-9]$/, { message: "is not a service account id (6-30 lowercase letters, digits and hyphens, starting with a letter)" })
          .optional(),
        /** Project roles granted to the jobs service account, e.g. `roles/artifactregistry.writer`. @default [] */
        roles: z.array(role).default([]),
      })
      .strict()
      .default({}),
    /**
     * GitHub OIDC -> Google Workload Identity Federation for the pipelines' plan and deploy
     * (lib/constructs/github-oidc.ts). @default none (off)
     */
    githubOidc: z
      .object({
        /** Repository whose workflows may authenticate, `owner/name`. */
        repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, { message: "is not a GitHub repository (expected owner/name, e.g. my-org/infra)" }),
        /** Branch whose workflows may use the deploy identity. @default "main" */
        branch: z
          .string()
          .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: "is not a branch name (letters, digits, '.', '_', '-' and '/', e.g. main)" })
          .default("main"),
      })
      .strict()
      .optional(),
    nodePools: z
      .object({
        /** The runners pool (always created). */
        runners: pool({ machineType: "n2-standard-8", diskType: "pd-balanced", diskSizeGb: 200, minNodes: 1, maxNodes: 5, taints: [] }).default({}),
        /** Optional dedicated engine pool, tainted `dagger.io/engine=true:NoSchedule`. @default none */
        engines: pool({ machineType: "n2-standard-8", diskType: "pd-ssd", diskSizeGb: 200, minNodes: 1, maxNodes: 3, taints: [ENGINE_POOL_TAINT] }).optional(),
        /** Optional GPU pool (GKE taints it `nvidia.com/gpu=present:NoSchedule`). @default none */
        gpu: gpuPool.optional(),
        /**
         * Small pool for the ARC controller and the listener pods (which hold the GitHub
         * credentials), so no job or engine shares their nodes; untainted, so GKE's own system pods
         * may use it too. `false`: no such pool; the controller and listeners then share the
         * runners pool (kept off runner nodes by a scheduling preference only, with a warning).
         * @default {} (an e2-standard-2 pool of 1-2 nodes)
         */
        system: z
          .union([z.literal(false), pool({ machineType: "e2-standard-2", diskType: "pd-balanced", diskSizeGb: 50, minNodes: 1, maxNodes: 2, taints: [] })])
          .default({})
          // `false` is the absence of the pool: planning reads an optional pool.
          .transform((v) => (v === false ? undefined : v)),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    const n = c.network;
    if (n.create) {
      const blocks = [
        { key: "cluster.network.subnetCidr", cidr: n.subnetCidr },
        { key: "cluster.network.podsCidr", cidr: n.podsCidr },
        { key: "cluster.network.servicesCidr", cidr: n.servicesCidr },
        ...(c.masterIpv4Cidr ? [{ key: "cluster.masterIpv4Cidr", cidr: c.masterIpv4Cidr }] : []),
      ];
      for (const o of findOverlaps(blocks)) {
        issue(o.key.replace(/^cluster\./, "").split("."), `conflicts with ${o.otherKey} (${o.otherCidr}): the ranges overlap and must be disjoint`);
      }
    } else {
      // An existing network: its names cannot be guessed, and its ranges are its own.
      if (n.name === undefined) issue(["network", "name"], "is required with cluster.network.create: false (the existing VPC's name)");
      if (n.subnetName === undefined) issue(["network", "subnetName"], "is required with cluster.network.create: false (the existing subnet's name, in gcp.region)");
      // CIDRs given with create: false are rejected on the raw input (see `network`).
    }
    if (c.masterIpv4Cidr !== undefined) {
      const p = parseCidr(c.masterIpv4Cidr);
      if (typeof p !== "string" && p.prefix !== 28) issue(["masterIpv4Cidr"], "is not a /28 (GKE needs a /28 for the control plane)");
      if (!c.privateNodes) issue(["masterIpv4Cidr"], "needs cluster.privateNodes: true");
    }
    if (n.hostGrants !== undefined && n.hostProject === undefined) {
      issue(["network", "hostGrants"], "needs cluster.network.hostProject (the grants are made in the Shared VPC host project)");
    }
    if (n.hostProject !== undefined && n.create) {
      issue(["network", "hostProject"], "needs cluster.network.create: false (the Shared VPC admin creates the subnet and grants GKE's service agents access to it)");
    }
    if (c.privateEndpoint && !c.privateNodes) {
      issue(["privateEndpoint"], "needs cluster.privateNodes: true");
    }
    if (c.privateNodes && c.nat === false && n.create) {
      issue(["nat"], "conflicts with cluster.privateNodes: private nodes need Cloud NAT to reach GitHub and registries (remove nat: false, or bring a network with its own NAT via cluster.network.create: false)");
    }
  })
  .default({});

export type ClusterConfig = z.output<typeof clusterSchema>;
