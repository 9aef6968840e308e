import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { RoleBindingV1, RoleV1, ServiceAccountV1 } from "../imports/kubernetes";
import { RawResource } from "../imports/raw-resource";
import { DEFAULT_KUBECTL_PATH } from "../planning/defaults";
import type { ScheduleCronJobPlan } from "../planning/schedules";
import { SCHEDULE_JOB_DEADLINE_SECONDS } from "../planning/schedules";
import type { CleanupCronJobAttributes } from "./runner-cleanup";

/** Props of {@link RunnerSchedule}. */
export interface RunnerScheduleProps {
  /** The runners namespace (where the AutoscalingRunnerSets are). */
  readonly namespace: string;
  /** The CronJobs (lib/planning/schedules.ts `planSchedules`). */
  readonly cronJobs: readonly ScheduleCronJobPlan[];
  /** Pinned image whose `kubectl` is at {@link kubectlPath} (no shell needed). */
  readonly image: string;
  /** Path of `kubectl` in {@link image}. @default "/bin/kubectl" */
  readonly kubectlPath?: string;
  /** Name of the ServiceAccount, Role and RoleBinding. @default "runner-warm" */
  readonly name?: string;
  /** Pull Secrets (in {@link namespace}) for {@link image}. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** The CronJobs are created after these (the scale sets' releases). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** The `kubernetes_cron_job_v1` attributes of a schedule CronJob: the cleanup's, with a time zone and a start deadline. */
export interface ScheduleCronJobAttributes extends CleanupCronJobAttributes {
  readonly spec: CleanupCronJobAttributes["spec"] & { readonly timezone: string; readonly starting_deadline_seconds: number };
}

/** AutoscalingRunnerSet resource of ARC (actions.github.com/v1alpha1, `spec.minRunners`; gha-runner-scale-set-controller 0.14.2 `crds/`). */
export const ARS_RESOURCE = "autoscalingrunnersets";
export const ARS_GROUP = "actions.github.com";

/** The container command of one CronJob: `kubectl patch` of every scale set, no shell. */
export function scheduleCommand(kubectl: string, namespace: string, job: ScheduleCronJobPlan): string[] {
  return [kubectl, "patch", `${ARS_RESOURCE}.${ARS_GROUP}`, ...job.scaleSets, `--namespace=${namespace}`, "--type=merge", `--patch={"spec":{"minRunners":${job.minRunners}}}`];
}

/**
 * Warm runners on a schedule: CronJobs that set `spec.minRunners` of the scale sets'
 * AutoscalingRunnerSets (ARC hands it to the listener, which keeps that many idle runners).
 * The Role allows `get` and `patch` on exactly those AutoscalingRunnerSets by name: `kubectl
 * patch` reads each named object before patching it (kubectl v0.34.9 `pkg/cmd/patch/patch.go`
 * builds with `ResourceTypeOrNameArgs` and never calls `RequireObject(false)`; k8s.io/cli-runtime
 * v0.34.9 `pkg/resource/builder.go`: `requireObject` defaults to true, so `Do()` adds
 * `RetrieveLazy`, which GETs an object not loaded yet, `visitor.go`). `kubectl` runs as the command,
 * so the image needs no shell.
 */
export class RunnerSchedule extends Construct {
  readonly serviceAccount: ServiceAccountV1;
  readonly role: RoleV1;
  readonly roleBinding: RoleBindingV1;
  readonly cronJobs: RawResource<ScheduleCronJobAttributes>[] = [];

  constructor(scope: Construct, id: string, props: RunnerScheduleProps) {
    super(scope, id);
    const name = props.name ?? "runner-warm";
    const ns = props.namespace;
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "cdktf-dagger-runners" };
    const names = [...new Set(props.cronJobs.flatMap((j) => j.scaleSets))].sort();
    this.serviceAccount = new ServiceAccountV1(this, "sa", { metadata: { name, namespace: ns, labels } });
    this.role = new RoleV1(this, "role", {
      metadata: { name, namespace: ns, labels },
      rule: [{ apiGroups: [ARS_GROUP], resources: [ARS_RESOURCE], resourceNames: names, verbs: ["get", "patch"] }],
    });
    this.roleBinding = new RoleBindingV1(this, "binding", {
      metadata: { name, namespace: ns, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: this.serviceAccount.metadata.name, namespace: ns }],
    });
    for (const job of props.cronJobs) {
      const jobLabels = { ...labels, "app.kubernetes.io/instance": job.name };
      this.cronJobs.push(
        new RawResource<ScheduleCronJobAttributes>(this, job.name, "kubernetes_cron_job_v1", {
          metadata: { name: job.name, namespace: ns, labels: jobLabels },
          spec: {
            schedule: job.cron,
            timezone: job.timeZone,
            // A late Job is skipped: the next slot's run applies the value that is due then.
            starting_deadline_seconds: 60,
            concurrency_policy: "Forbid",
            successful_jobs_history_limit: 1,
            failed_jobs_history_limit: 1,
            job_template: {
              metadata: { labels: jobLabels },
              spec: {
                backoff_limit: 1,
                // Ends before the next slot can start (slots stop re-applying SLOT_GUARD_MINUTES before their end).
                active_deadline_seconds: SCHEDULE_JOB_DEADLINE_SECONDS,
                ttl_seconds_after_finished: "3600",
                template: {
                  metadata: { labels: jobLabels },
                  spec: {
                    service_account_name: this.serviceAccount.metadata.name,
                    restart_policy: "Never",
                    ...(props.imagePullSecrets && props.imagePullSecrets.length > 0 ? { image_pull_secrets: props.imagePullSecrets.map((n) => ({ name: n })) } : {}),
                    security_context: { run_as_non_root: true, run_as_user: "65532", seccomp_profile: { type: "RuntimeDefault" } },
                    container: [
                      {
                        name: "patch",
                        image: props.image,
                        command: scheduleCommand(props.kubectlPath ?? DEFAULT_KUBECTL_PATH, ns, job),
                        env: [{ name: "HOME", value: "/tmp" }],
                        resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                        security_context: { allow_privilege_escalation: false, capabilities: { drop: ["ALL"] } },
                      },
                    ],
                  },
                },
              },
            },
          },
        }, { dependsOn: props.dependsOn }),
      );
    }
  }
}
