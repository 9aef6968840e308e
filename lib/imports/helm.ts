/** hashicorp/helm classes, by deep path (see google.ts). */
export { HelmProvider } from "@cdktf/provider-helm/lib/provider";
export { Release as HelmRelease } from "@cdktf/provider-helm/lib/release";
