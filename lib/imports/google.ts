/**
 * Every hashicorp/google class this package uses, imported by deep path: the package barrel
 * costs about 3 s and 800 MB per synth. Keep provider imports in lib/imports/ only, so a swap
 * of bindings (e.g. to CDK Terrain) touches these files alone.
 */
export { GoogleProvider } from "@cdktf/provider-google/lib/provider";
export { ContainerCluster } from "@cdktf/provider-google/lib/container-cluster";
export { ContainerNodePool } from "@cdktf/provider-google/lib/container-node-pool";
export { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
