import { z } from "zod";
import { addProblems } from "./problems";
import { controllerServiceAccountRule, scaleSetVersionRules } from "../rules";
import { dnsLabel, nodeSelector, resources, toleration } from "./common";
import { ARC_CRD_VERSIONS } from "../arc-crds";
import { DEFAULT_ARC_LOG_FORMAT, DEFAULT_ARC_LOG_LEVEL, DEFAULT_ARC_REPLICAS, DEFAULT_ARC_UPDATE_STRATEGY } from "../defaults";

const chartVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+$/, { message: "is not a chart version (expected MAJOR.MINOR.PATCH, e.g. 0.14.2)" });

/** `arc`: the Actions Runner Controller. */
export const arcSchema = z
  .object({
    /**
     * Chart version of the controller and of every scale set; one whose CRDs this package ships
     * (a new one: `npm run arc-crds`, docs/runners.md). @default "0.14.2"
     */
    version: chartVersion
      .refine((v) => ARC_CRD_VERSIONS.includes(v), {
        message: `has no CRD chart in this package (shipped: ${ARC_CRD_VERSIONS.join(", ")}); add it with npm run arc-crds -- <unpacked gha-runner-scale-set-controller chart> (docs/runners.md#upgrading-arc)`,
      })
      .default("0.14.2"),
    /**
     * Chart version of the scale sets, only to roll a patch release out ahead of the controller
     * (ARC tolerates patch mismatches since 0.12.0). @default arc.version
     */
    scaleSetVersion: chartVersion.optional(),
    /** `per-label`: one scale set per label; `multi-label`: one per version and size (ARC >= 0.14). @default "per-label" */
    labelStrategy: z.enum(["per-label", "multi-label"]).default("per-label"),
    /** Namespace of the controller and of the listener pods. @default "arc-systems" */
    namespace: dnsLabel().default("arc-systems"),
    /** Controller replicas; above 1 the chart turns leader election on. @default 1 */
    replicas: z.number().int().min(1).default(DEFAULT_ARC_REPLICAS),
    /** Controller and listener log level. @default "info" */
    logLevel: z.enum(["debug", "info", "warn", "error"]).default(DEFAULT_ARC_LOG_LEVEL),
    /**
     * How the controller applies a changed scale set (a new label target, image or engine) while
     * jobs run: `eventual` waits for running and pending jobs before recreating the runner set,
     * `immediate` (the chart's default) recreates it at once beside the busy runners.
     * @default "eventual"
     */
    updateStrategy: z.enum(["eventual", "immediate"]).default(DEFAULT_ARC_UPDATE_STRATEGY),
    /** Log format. @default "json" */
    logFormat: z.enum(["json", "text"]).default(DEFAULT_ARC_LOG_FORMAT),
    /** Prometheus metrics on `:8080/metrics` of the controller and the listeners (scraped per `monitoring.collector`). @default true */
    metrics: z.boolean().default(true),
    /** Controller resources. @default undefined (chart default: none) */
    resources: resources.optional(),
    /** Controller nodeSelector. @default undefined */
    nodeSelector: nodeSelector.optional(),
    /** Controller tolerations. @default undefined */
    tolerations: z.array(toleration).optional(),
    /**
     * The controller reconciles only the scale sets of `runners.namespace`
     * (`flags.watchSingleNamespace`): Roles instead of a ClusterRole, so two deployments can share
     * a cluster (each with its own; docs/runners.md, "Two deployments side by side"). @default false
     */
    watchSingleNamespace: z.boolean().default(false),
    /**
     * Install ARC's CRDs (the `arc-crds` release). `false`: another deployment on the same cluster,
     * listed in `peers`, installs them at the same `arc.version`. @default true
     */
    installCrds: z.boolean().default(true),
    /** Extra controller chart values, deep-merged over the typed ones. @default {} */
    controllerValues: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .superRefine((a, ctx) => {
    addProblems(ctx, ["arc"], controllerServiceAccountRule(a.controllerValues, { extraValues: ["arc", "controllerValues"] }));
    addProblems(
      ctx,
      ["arc"],
      scaleSetVersionRules(a.version, a.scaleSetVersion, a.labelStrategy, {
        version: ["arc", "version"],
        scaleSetVersion: ["arc", "scaleSetVersion"],
        labelStrategy: ["arc", "labelStrategy"],
      }),
    );
  })
  .default({});
