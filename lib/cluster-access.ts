/**
 * The contract between the workloads (engines, ARC, runners) and the cluster they run on: how the
 * Kubernetes and Helm providers of a stack reach it. Our GKE {@link ClusterStack} implements it;
 * so does any cluster a user brings, from another stack of theirs (an endpoint with a CA and a
 * token or an exec credential plugin: EKS, AKS, their own GKE) or a kubeconfig.
 */
import type { TerraformStack } from "cdktf";

/** A client-go credential plugin (`exec` in a kubeconfig), e.g. `aws eks get-token`. */
export interface ExecCredential {
  /** e.g. `client.authentication.k8s.io/v1beta1`. */
  readonly apiVersion: string;
  readonly command: string;
  /** @default [] */
  readonly args?: readonly string[];
  /** @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/** What the Kubernetes and Helm providers of a stack are configured with. */
export interface KubernetesAccess {
  /** API server URL, e.g. `https://1.2.3.4`. */
  readonly host?: string;
  /** PEM CA certificate of the API server (not base64). */
  readonly clusterCaCertificate?: string;
  /** Bearer token. */
  readonly token?: string;
  /** Credential plugin run by the providers. */
  readonly exec?: ExecCredential;
  /** Kubeconfig file. */
  readonly configPath?: string;
  /** Context in {@link configPath}. */
  readonly configContext?: string;
}

/** An output the consuming stack publishes about its cluster. */
export interface ClusterOutput {
  /** Output name, e.g. `cluster_name`. */
  readonly name: string;
  readonly value: string;
  readonly description: string;
  /** @default false */
  readonly sensitive?: boolean;
}

/** A cluster as a stack binds to it. */
export interface ClusterBinding {
  readonly access: KubernetesAccess;
  /** Outputs describing the cluster, published by the consuming stack. @default [] */
  readonly outputs?: readonly ClusterOutput[];
}

/** A Kubernetes cluster the runners stack can deploy onto. */
export interface IRunnersCluster {
  /**
   * Called once by each consuming stack, in that stack: creates what its providers need there
   * (e.g. a data source for a short-lived token, a stack dependency) and returns the access.
   */
  bind(stack: TerraformStack): ClusterBinding;
}

/** Props of {@link KubeconfigCluster}. */
export interface KubeconfigClusterProps {
  /** Kubeconfig file. @default "~/.kube/config" */
  readonly configPath?: string;
  /** Context in the file. @default the file's current context */
  readonly context?: string;
}

/** The cluster of a kubeconfig file and context (target `existing-cluster`). */
export class KubeconfigCluster implements IRunnersCluster {
  constructor(private readonly props: KubeconfigClusterProps = {}) {}

  bind(): ClusterBinding {
    const configPath = this.props.configPath ?? "~/.kube/config";
    const context = this.props.context;
    return {
      access: { configPath, configContext: context },
      outputs: [
        {
          name: "kubernetes_context",
          value: `${configPath}${context ? `#${context}` : " (current context)"}`,
          description: "Kubeconfig file and context the runners were deployed with",
        },
      ],
    };
  }
}

/** Props of {@link EndpointCluster}. */
export interface EndpointClusterProps {
  /** API server URL (`https://...`); may be a reference to another stack's cluster. */
  readonly host: string;
  /** PEM CA certificate of the API server (not base64). */
  readonly clusterCaCertificate: string;
  /** Bearer token (a reference or a sensitive variable, never a literal in code). @default none: give {@link exec} */
  readonly token?: string;
  /** Credential plugin, e.g. `aws eks get-token --cluster-name x`. @default none: give {@link token} */
  readonly exec?: ExecCredential;
  /** The stack that creates the cluster, when it is in the same app: deployed first. @default none */
  readonly stack?: TerraformStack;
}

/** Any cluster reached by endpoint, CA and a token or credential plugin: EKS, AKS, a GKE cluster of your own. */
export class EndpointCluster implements IRunnersCluster {
  constructor(private readonly props: EndpointClusterProps) {
    if (!props.token === !props.exec) {
      throw new Error(`EndpointCluster: give exactly one of token and exec (got ${props.token ? "both" : "neither"})`);
    }
  }

  bind(stack: TerraformStack): ClusterBinding {
    const p = this.props;
    if (p.stack && p.stack !== stack) stack.addDependency(p.stack);
    return {
      access: { host: p.host, clusterCaCertificate: p.clusterCaCertificate, token: p.token, exec: p.exec },
      outputs: [{ name: "cluster_endpoint", value: p.host, sensitive: true, description: "API server the runners were deployed to" }],
    };
  }
}

/** The provider configuration objects of an access (the Kubernetes provider's `exec` is a list block, Helm's an object). */
export function providerConfigs(a: KubernetesAccess): {
  kubernetes: Record<string, unknown>;
  helm: Record<string, unknown>;
} {
  const exec = a.exec && { apiVersion: a.exec.apiVersion, command: a.exec.command, args: a.exec.args ? [...a.exec.args] : undefined, env: a.exec.env ? { ...a.exec.env } : undefined };
  const common = { host: a.host, clusterCaCertificate: a.clusterCaCertificate, token: a.token, configPath: a.configPath, configContext: a.configContext };
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    kubernetes: defined({ ...common, exec: exec ? [defined(exec)] : undefined }),
    helm: defined({ ...common, exec: exec ? defined(exec) : undefined }),
  };
}
