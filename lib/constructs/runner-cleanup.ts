import { Construct } from "constructs";
import { RoleBindingV1, RoleV1, ServiceAccountV1 } from "../imports/kubernetes";
import { RawResource } from "../imports/raw-resource";
import { DEFAULT_CLEANUP_SCHEDULE, DEFAULT_KUBECTL_PATH } from "../planning/defaults";

/** Selects ARC runner pods (label set by the controller on every EphemeralRunner pod). */
export const RUNNER_POD_SELECTOR = "actions.github.com/scale-set-name";

/** Props of {@link RunnerCleanup}. */
export interface RunnerCleanupProps {
  /** The runners namespace. */
  readonly namespace: string;
  /** Cron schedule. @default "*\/15 * * * *" */
  readonly schedule?: string;
  /** Pinned image whose `kubectl` is at {@link kubectlPath}. */
  readonly image: string;
  /** Path of `kubectl` in {@link image}. @default "/bin/kubectl" */
  readonly kubectlPath?: string;
  /** Name prefix of the ServiceAccount, Role, RoleBinding and CronJob. @default "runner-cleanup" */
  readonly name?: string;
  /** Pull Secrets (in {@link namespace}) for {@link image}. @default [] */
  readonly imagePullSecrets?: readonly string[];
}

type Labels = Readonly<Record<string, string>>;

/**
 * The `kubernetes_cron_job_v1` attributes this construct sets (hashicorp/kubernetes 2.38 schema,
 * Terraform spelling), written through {@link RawResource} rather than the generated class.
 */
export interface CleanupCronJobAttributes {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Labels };
  readonly spec: {
    readonly schedule: string;
    readonly concurrency_policy: "Allow" | "Forbid" | "Replace";
    readonly successful_jobs_history_limit: number;
    readonly failed_jobs_history_limit: number;
    readonly job_template: {
      readonly metadata: { readonly labels: Labels };
      readonly spec: {
        readonly backoff_limit: number;
        readonly active_deadline_seconds: number;
        readonly ttl_seconds_after_finished: string;
        readonly template: {
          readonly metadata: { readonly labels: Labels };
          readonly spec: {
            readonly service_account_name: string;
            readonly restart_policy: "Never" | "OnFailure";
            readonly image_pull_secrets?: readonly { readonly name: string }[];
            readonly security_context: {
              readonly run_as_non_root: boolean;
              readonly run_as_user: string;
              readonly seccomp_profile: { readonly type: "RuntimeDefault" };
            };
            readonly container: readonly {
              readonly name: string;
              readonly image: string;
              readonly command: readonly string[];
              readonly env: readonly { readonly name: string; readonly value: string }[];
              readonly resources: { readonly requests: Labels; readonly limits: Labels };
              readonly security_context: {
                readonly allow_privilege_escalation: boolean;
                readonly capabilities: { readonly drop: readonly string[] };
              };
            }[];
          };
        };
      };
    };
  };
}

/**
 * Deletes failed runner pods on a schedule. It runs `kubectl` directly as the container command
 * (no shell: the image need not have one), with `--wait=false` so its Role needs only `list` and
 * `delete` on pods in the runners namespace.
 */
export class RunnerCleanup extends Construct {
  readonly serviceAccount: ServiceAccountV1;
  readonly role: RoleV1;
  readonly roleBinding: RoleBindingV1;
  readonly cronJob: RawResource<CleanupCronJobAttributes>;
  /** The container command. */
  readonly command: string[];

  constructor(scope: Construct, id: string, props: RunnerCleanupProps) {
    super(scope, id);
    const name = props.name ?? "runner-cleanup";
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "cdktf-dagger-runners" };
    this.serviceAccount = new ServiceAccountV1(this, "sa", { metadata: { name, namespace: props.namespace, labels } });
    this.role = new RoleV1(this, "role", {
      metadata: { name, namespace: props.namespace, labels },
      rule: [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "delete"] }],
    });
    this.roleBinding = new RoleBindingV1(this, "binding", {
      metadata: { name, namespace: props.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: this.serviceAccount.metadata.name, namespace: props.namespace }],
    });
    this.command = [
      props.kubectlPath ?? DEFAULT_KUBECTL_PATH,
      "delete",
      "pods",
      `--namespace=${props.namespace}`,
      "--field-selector=status.phase==Failed",
      `--selector=${RUNNER_POD_SELECTOR}`,
      "--ignore-not-found=true",
      "--wait=false",
    ];
    this.cronJob = new RawResource<CleanupCronJobAttributes>(this, "cronjob", "kubernetes_cron_job_v1", {
      metadata: { name, namespace: props.namespace, labels },
      spec: {
        schedule: props.schedule ?? DEFAULT_CLEANUP_SCHEDULE,
        concurrency_policy: "Forbid",
        successful_jobs_history_limit: 1,
        failed_jobs_history_limit: 1,
        job_template: {
          metadata: { labels },
          spec: {
            backoff_limit: 1,
            active_deadline_seconds: 300,
            ttl_seconds_after_finished: "3600",
            template: {
              metadata: { labels },
              spec: {
                service_account_name: this.serviceAccount.metadata.name,
                restart_policy: "Never",
                ...(props.imagePullSecrets && props.imagePullSecrets.length > 0
                  ? { image_pull_secrets: props.imagePullSecrets.map((n) => ({ name: n })) }
                  : {}),
                security_context: { run_as_non_root: true, run_as_user: "65532", seccomp_profile: { type: "RuntimeDefault" } },
                container: [
                  {
                    name: "cleanup",
                    image: props.image,
                    command: this.command,
                    // kubectl keeps its discovery cache under $HOME.
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
    });
  }
}
