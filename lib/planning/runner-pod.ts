/**
 * The runner pod template of one scale set: a typed PodTemplateSpec built from the engine's
 * connection spec, so every runner has that engine's own `dagger` CLI on its `PATH` and reaches
 * that engine. Pure code (no cdktf): trivially testable, reusable by other CI platforms.
 *
 * ARC contract (actions/actions-runner-controller charts/gha-runner-scale-set 0.14.x,
 * values.yaml `template`): the runner container is named `runner` and runs
 * `/home/runner/run.sh`; `template.spec.serviceAccountName`, when set, replaces the chart's
 * no-permission ServiceAccount (templates/no_permission_serviceaccount.yaml).
 */
import type { EngineConnectionSpec } from "../engine-spec";
import type { EnvVar, ResourceRequirements, Toleration } from "./k8s-types";
import { DEFAULT_ENGINE_WAIT_SECONDS } from "./defaults";
export type { EnvVar, ResourceRequirements, Toleration } from "./k8s-types";

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly resources?: ResourceRequirements;
  readonly volumeMounts?: readonly VolumeMount[];
}

export interface Volume {
  readonly name: string;
  readonly emptyDir?: Record<string, never>;
  readonly hostPath?: { readonly path: string; readonly type: string };
}

export interface PodSpec {
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly imagePullSecrets?: readonly { readonly name: string }[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  readonly initContainers: readonly Container[];
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
  /** Anything merged in by `runners.templatePatch`. */
  readonly [extra: string]: unknown;
}

export interface PodTemplate {
  readonly metadata: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly spec: PodSpec;
}

/** Directory (an emptyDir) holding the `dagger` and `kubectl` binaries, first on the runner's PATH. */
export const TOOLS_DIR = "/opt/dagger-runners/bin";
export const TOOLS_VOLUME = "dagger-tools";
/**
 * Directory (an emptyDir, mounted in init containers only) holding a statically linked BusyBox
 * staged from {@link RunnerPodInput.copyTool}. The `install-*` init containers run it as their
 * command inside the engine and `kubectl` images, so those images need neither a shell nor `cp`:
 * `registry.k8s.io/kubectl` is distroless in current releases (no `/bin/sh`, no `cp`; the binary
 * at `/bin/kubectl`), and a static binary runs in any image of the node's architecture.
 */
export const COPY_TOOL_DIR = "/opt/dagger-runners/copy";
export const COPY_TOOL_VOLUME = "dagger-copy-tool";
/** Where the staged BusyBox lives inside every `install-*` init container. */
export const COPY_TOOL = `${COPY_TOOL_DIR}/busybox`;
/**
 * Path of the statically linked BusyBox in the copy-tool image: the official `busybox` images
 * build it with `CONFIG_STATIC=y` and install it at `/bin/busybox` (docker-library/busybox
 * `latest-1/musl/Dockerfile.builder`).
 */
export const BUSYBOX_PATH = "/bin/busybox";
export const SOCKET_VOLUME = "dagger-engine-socket";
/** The runner container's name and command in the ARC scale-set chart. */
export const RUNNER_CONTAINER = "runner";
export const RUNNER_COMMAND = "/home/runner/run.sh";
/**
 * PATH of the runner container. Kubernetes cannot append to an image's PATH, so it is spelled
 * out: the tools dir, then the Ubuntu defaults the actions-runner image uses.
 */
export const RUNNER_PATH = `${TOOLS_DIR}:/home/runner/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
/** Cluster autoscaler: never evict a runner in the middle of a job. */
export const SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
/** Small requests for the init steps (they copy a binary or poll a file). */
const INIT_RESOURCES: ResourceRequirements = { requests: { cpu: "10m", memory: "32Mi" } };

export interface RunnerPodInput {
  /** The engine this scale set's runners use. */
  readonly engine: EngineConnectionSpec;
  /** Runner image (pinned). */
  readonly runnerImage: string;
  /** Runner container requests/limits (the size template). @default undefined */
  readonly resources?: ResourceRequirements;
  /** `kubectl` image and the binary's path in it (`kube-pod` transport). */
  readonly kubectl: { readonly image: string; readonly path: string };
  /**
   * Pinned image with a statically linked BusyBox at `/bin/busybox` (`runners.copyToolImage`):
   * it performs the copies out of the engine and `kubectl` images.
   */
  readonly copyToolImage: string;
  /** `unix` transport: how long the init step waits for the socket. @default 300 */
  readonly engineWaitSeconds?: number;
  /** Runner pool nodeSelector. @default undefined */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Runner pool tolerations. @default undefined */
  readonly tolerations?: readonly Toleration[];
  /** ServiceAccount for `unix`/`tcp` runners. @default undefined (the chart's no-permission one) */
  readonly serviceAccountName?: string;
  /** Extra PodSpec fields (`runners.templatePatch`). @default undefined */
  readonly templatePatch?: Readonly<Record<string, unknown>>;
  /**
   * Pull Secrets (runners namespace) for the runner, copy-tool and `kubectl` images
   * (`mirrors.images.pullSecrets`), after the engine spec's own. @default undefined
   */
  readonly imagePullSecrets?: readonly string[];
}

/** Problems of an engine spec that make a runner pod impossible; empty when usable. */
export function engineSpecProblems(e: EngineConnectionSpec): string[] {
  const out: string[] = [];
  if (e.transport === "unix") {
    if (!e.hostSocketDir) out.push("has transport unix but no hostSocketDir");
    if (!e.socketMountPath) out.push("has transport unix but no socketMountPath");
    if (!e.runnerHost.startsWith("unix://")) out.push(`has transport unix but runnerHost ${JSON.stringify(e.runnerHost)}`);
  }
  if (e.transport === "kube-pod") {
    if (!e.serviceAccountName) out.push("has transport kube-pod but no serviceAccountName");
    if (!e.runnerHost.startsWith("kube-pod://")) out.push(`has transport kube-pod but runnerHost ${JSON.stringify(e.runnerHost)}`);
  }
  if (e.transport === "tcp" && !e.runnerHost.startsWith("tcp://")) {
    out.push(`has transport tcp but runnerHost ${JSON.stringify(e.runnerHost)}`);
  }
  if (!e.cliPath.startsWith("/")) out.push(`has a relative cliPath ${JSON.stringify(e.cliPath)}`);
  return out;
}

/** The socket path a `unix://` runner host names. */
export function socketPath(runnerHost: string): string {
  return runnerHost.replace(/^unix:\/\//, "");
}

/**
 * A POSIX `sh` loop that waits until `$SOCKET` is a socket, at most `seconds` seconds, then fails
 * with a message (the pod then fails and ARC replaces the runner). Runs in the runner image.
 */
export function waitForSocketScript(seconds: number): string {
  const tries = Math.max(1, Math.ceil(seconds / 2));
  return [
    "i=0",
    `while [ ! -S "$SOCKET" ]; do`,
    `  i=$((i+1)); if [ "$i" -gt ${tries} ]; then echo "dagger engine socket $SOCKET not found after ${seconds}s (is the engine DaemonSet running on this node?)" >&2; exit 1; fi`,
    "  sleep 2",
    "done",
    `echo "dagger engine socket $SOCKET is ready"`,
  ].join("\n");
}

/** Builds the runner pod template for one engine. */
export function buildRunnerPodTemplate(input: RunnerPodInput): PodTemplate {
  const e = input.engine;
  const problems = engineSpecProblems(e);
  if (problems.length > 0) throw new Error(`engine spec ${e.version} ${problems.join("; ")}`);

  const toolsMount: VolumeMount = { name: TOOLS_VOLUME, mountPath: TOOLS_DIR };
  const socketMount: VolumeMount | undefined =
    e.transport === "unix" ? { name: SOCKET_VOLUME, mountPath: e.socketMountPath!, readOnly: true } : undefined;

  // The copy tool is staged first; the `install-*` steps then run it inside the source image
  // (`<busybox> cp <src> <dst>`), so no source image needs a shell or a `cp` of its own.
  const copyMount: VolumeMount = { name: COPY_TOOL_VOLUME, mountPath: COPY_TOOL_DIR };
  const copyFrom = (name: string, image: string, src: string, dst: string): Container => ({
    name,
    image,
    command: [COPY_TOOL, "cp", src, dst],
    resources: INIT_RESOURCES,
    volumeMounts: [copyMount, toolsMount],
  });
  const initContainers: Container[] = [
    {
      name: "stage-copy-tool",
      image: input.copyToolImage,
      // The image's own static BusyBox copies itself (no shell involved).
      command: [BUSYBOX_PATH, "cp", BUSYBOX_PATH, COPY_TOOL],
      resources: INIT_RESOURCES,
      volumeMounts: [copyMount],
    },
    // The engine image carries the matching CLI (the chart's readiness probe runs it).
    copyFrom("install-dagger-cli", e.image, e.cliPath, `${TOOLS_DIR}/dagger`),
  ];
  if (e.transport === "kube-pod") {
    // kube-pod:// shells out to `kubectl exec`; without kubectl the CLI retries forever (dagger issue 7490).
    initContainers.push(copyFrom("install-kubectl", input.kubectl.image, input.kubectl.path, `${TOOLS_DIR}/kubectl`));
  }
  if (e.transport === "unix" && e.waitForEngine) {
    initContainers.push({
      name: "wait-for-engine",
      image: input.runnerImage,
      command: ["sh", "-c", waitForSocketScript(input.engineWaitSeconds ?? DEFAULT_ENGINE_WAIT_SECONDS)],
      env: [{ name: "SOCKET", value: socketPath(e.runnerHost) }],
      resources: INIT_RESOURCES,
      volumeMounts: [socketMount!],
    });
  }

  const env: EnvVar[] = [
    { name: "_EXPERIMENTAL_DAGGER_RUNNER_HOST", value: e.runnerHost },
    // SDKs (Go, Python, TypeScript) use this CLI instead of downloading one.
    { name: "_EXPERIMENTAL_DAGGER_CLI_BIN", value: `${TOOLS_DIR}/dagger` },
    { name: "PATH", value: RUNNER_PATH },
  ];
  if (e.cloudTokenSecret) {
    env.push({ name: "DAGGER_CLOUD_TOKEN", valueFrom: { secretKeyRef: { name: e.cloudTokenSecret.name, key: e.cloudTokenSecret.key } } });
  }

  const runner: Container = {
    name: RUNNER_CONTAINER,
    image: input.runnerImage,
    command: [RUNNER_COMMAND],
    env,
    resources: input.resources,
    volumeMounts: socketMount ? [{ ...toolsMount, readOnly: true }, socketMount] : [{ ...toolsMount, readOnly: true }],
  };

  const volumes: Volume[] = [
    { name: TOOLS_VOLUME, emptyDir: {} },
    { name: COPY_TOOL_VOLUME, emptyDir: {} },
  ];
  if (e.transport === "unix") {
    // DirectoryOrCreate: a runner scheduled before the node's engine still starts and waits.
    volumes.push({ name: SOCKET_VOLUME, hostPath: { path: e.hostSocketDir!, type: "DirectoryOrCreate" } });
  }

  const serviceAccountName = e.transport === "kube-pod" ? e.serviceAccountName : input.serviceAccountName;
  const pullSecrets = [...new Set([...(e.imagePullSecrets ?? []), ...(input.imagePullSecrets ?? [])])];
  const spec: PodSpec = strip({
    serviceAccountName,
    // Only kube-pod runners talk to the Kubernetes API.
    automountServiceAccountToken: e.transport === "kube-pod",
    imagePullSecrets: pullSecrets.length > 0 ? pullSecrets.map((name) => ({ name })) : undefined,
    nodeSelector: input.nodeSelector && Object.keys(input.nodeSelector).length > 0 ? input.nodeSelector : undefined,
    tolerations: input.tolerations && input.tolerations.length > 0 ? input.tolerations : undefined,
    initContainers,
    containers: [runner],
    volumes,
  });

  const labels = e.transport === "tcp" && e.clientPodLabels && Object.keys(e.clientPodLabels).length > 0 ? { ...e.clientPodLabels } : undefined;
  return {
    metadata: strip({ labels, annotations: { [SAFE_TO_EVICT]: "false" } }),
    spec: input.templatePatch ? (mergePatch(spec, input.templatePatch) as PodSpec) : spec,
  };
}

/** Drops `undefined` members (so they do not appear in Helm values). */
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNamedList = (v: unknown): v is Record<string, unknown>[] =>
  Array.isArray(v) && v.every((x) => isObject(x) && typeof x.name === "string");

/**
 * Merges `patch` into `base`: objects merge recursively; lists of named objects (containers,
 * volumes, env, ...) merge item by item on `name` (new names are appended); anything else is
 * replaced; `null` deletes a key. Inputs are not modified.
 */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? mergePatch(base[k], v) : v;
    }
    return out;
  }
  if (isNamedList(base) && isNamedList(patch)) {
    const out = base.map((item) => {
      const p = patch.find((x) => x.name === item.name);
      return p ? mergePatch(item, p) : item;
    });
    for (const p of patch) if (!base.some((b) => b.name === p.name)) out.push(p);
    return out;
  }
  return patch;
}
