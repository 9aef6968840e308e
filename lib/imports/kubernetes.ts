/** hashicorp/kubernetes classes, by deep path (see google.ts). */
export { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
