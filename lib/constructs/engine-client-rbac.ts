/**
 * The `kube-pod` transport's RBAC in the engine layer ({@link DaggerEngines}): a Role allowing
 * `kubectl exec` into the engine pods only, by name, bound to the runners' ServiceAccount.
 * Created in the layer's scope, so the addresses stay the layer's.
 */
import type { Construct } from "constructs";
import { RoleBindingV1, RoleV1 } from "../imports/kubernetes";

/** Inputs of {@link addEngineClientRbac}. */
export interface EngineClientRbacInput {
  /** The engine pods' names. */
  readonly pods: readonly string[];
  /** Engines namespace (a token when created). */
  readonly namespace: string;
  /** Prefix of the Role's name. */
  readonly namePrefix: string;
  /** The runners' ServiceAccount and its namespace. */
  readonly serviceAccountName: string;
  readonly clientNamespace: string;
}

/** Creates the exec Role and its binding in `scope`. */
export function addEngineClientRbac(scope: Construct, i: EngineClientRbacInput): { role: RoleV1; binding: RoleBindingV1 } {
  const role = new RoleV1(scope, "client-role", {
    metadata: { name: `${i.namePrefix}-engine-client`, namespace: i.namespace },
    rule: [
      // `kubectl exec` reads the pod, then opens pods/exec; only the engine pods, by name.
      // SPDY exec is a POST (`create`); kubectl 1.30+ first tries a WebSocket upgrade, a GET
      // that RBAC checks as `get` (kubernetes/kubernetes issue 133515, kubectl issue 1761),
      // and Kubernetes 1.35 also checks `create` on it (KEP-4006). Both verbs, so exec works
      // whatever the kubectl/cluster pair; `get` on pods/exec grants nothing beyond `create`.
      { apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: [...i.pods] },
      { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"], resourceNames: [...i.pods] },
    ],
  });
  const binding = new RoleBindingV1(scope, "client-role-binding", {
    metadata: { name: `${i.namePrefix}-engine-client`, namespace: i.namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
    subject: [{ kind: "ServiceAccount", name: i.serviceAccountName, namespace: i.clientNamespace }],
  });
  return { role, binding };
}
