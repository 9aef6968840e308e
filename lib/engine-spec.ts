/**
 * The contract between the engine layer (DaggerEngines) and any CI-platform layer (the GitHub
 * runners today; GitLab or Jenkins could reuse it): how a client pod reaches one engine.
 * Pure types: no cdktf import.
 */
import type { Toleration } from "./planning/k8s-types";

/** How a runner reaches its engine. */
export type EngineTransport = "unix" | "kube-pod" | "tcp";

/** Everything a client pod needs to use one engine version. */
export interface EngineConnectionSpec {
  /** Engine version, e.g. `0.20.3`. */
  readonly version: string;
  readonly transport: EngineTransport;
  /** Value for `_EXPERIMENTAL_DAGGER_RUNNER_HOST`, e.g. `unix:///run/dagger/engine.sock`. */
  readonly runnerHost: string;
  /** The engine image; its `dagger` CLI is at {@link cliPath}. */
  readonly image: string;
  /** Path of the `dagger` CLI inside {@link image}. */
  readonly cliPath: string;
  /** Namespace the engine runs in. */
  readonly namespace: string;
  /** Helm release of the engine. */
  readonly releaseName: string;
  /** True when the engine is node-local and a client must wait for its socket at start. */
  readonly waitForEngine: boolean;
  /** `unix` only: the node directory holding `engine.sock`, to mount read-only. */
  readonly hostSocketDir?: string;
  /** `unix` only: where the client mounts {@link hostSocketDir}. */
  readonly socketMountPath?: string;
  /** `kube-pod` only: the ServiceAccount (in the client namespace) the RBAC is bound to. */
  readonly serviceAccountName?: string;
  /** `tcp` only: labels a client pod must carry for the NetworkPolicy to admit it. */
  readonly clientPodLabels?: Readonly<Record<string, string>>;
  /** Dagger Cloud: the Secret (in the client namespace) holding `DAGGER_CLOUD_TOKEN`. */
  readonly cloudTokenSecret?: { readonly name: string; readonly key: string };
  /** `imagePullSecrets` clients need for {@link image}. */
  readonly imagePullSecrets?: readonly string[];
  /**
   * Node-local engines (`unix`, and `tcp` with a DaemonSet): the engine runs only on nodes
   * matching this selector, so a client must be scheduled there too.
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Node-local engines: the tolerations the engine has, which a client needs to share its nodes. */
  readonly tolerations?: readonly Toleration[];
  /** `tcp` only: the Service (in {@link namespace}) in front of the engine. */
  readonly serviceName?: string;
  /** `tcp` only: the engine's TCP port. */
  readonly port?: number;
}

