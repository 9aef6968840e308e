/** hashicorp/kubernetes classes, by deep path (see google.ts). */
export { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
export { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
export { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
export { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
export { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
export { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
export { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
export { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
export { PriorityClassV1 } from "@cdktf/provider-kubernetes/lib/priority-class-v1";
export { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
export { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
export { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
