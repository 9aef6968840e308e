import { Construct } from "constructs";
import { CronJobV1, RoleBindingV1, RoleV1, ServiceAccountV1 } from "../imports/kubernetes";

/** Selects ARC runner pods (label set by the controller on every EphemeralRunner pod). */
export const RUNNER_POD_SELECTOR = "actions.github.com/scale-set-name";

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
  readonly cronJob: CronJobV1;
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
      props.kubectlPath ?? "/bin/kubectl",
      "delete",
      "pods",
      `--namespace=${props.namespace}`,
      "--field-selector=status.phase==Failed",
      `--selector=${RUNNER_POD_SELECTOR}`,
      "--ignore-not-found=true",
      "--wait=false",
    ];
    this.cronJob = new CronJobV1(this, "cronjob", {
      metadata: { name, namespace: props.namespace, labels },
      spec: {
        schedule: props.schedule ?? "*/15 * * * *",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 300,
            ttlSecondsAfterFinished: "3600",
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: this.serviceAccount.metadata.name,
                restartPolicy: "Never",
                securityContext: { runAsNonRoot: true, runAsUser: "65532", seccompProfile: { type: "RuntimeDefault" } },
                container: [
                  {
                    name: "cleanup",
                    image: props.image,
                    command: this.command,
                    // kubectl keeps its discovery cache under $HOME.
                    env: [{ name: "HOME", value: "/tmp" }],
                    resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      capabilities: { drop: ["ALL"] },
                    },
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
