import { z } from "zod";
import { dnsLabel } from "./common";

/** `cluster`: the GKE cluster of target `gke`. */
export const clusterSchema = z
  .object({
    /** Cluster name (GKE allows at most 40 characters). @default "<name>" */
    name: dnsLabel(40).optional(),
  })
  .strict()
  .default({});
