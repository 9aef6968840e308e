import { GcsBackend, LocalBackend, TerraformStack } from "cdktf";
import type { RunnersConfig } from "../planning/input/schema";

/**
 * State backend of a stack: local by default, or GCS with one prefix per stack.
 * (Never set GcsBackend's misspelled `storeageCustomEndpoint` field.)
 */
export function applyBackend(stack: TerraformStack, backend: RunnersConfig["backend"], stackName: string): void {
  if (backend.type === "gcs") {
    new GcsBackend(stack, { bucket: backend.bucket, prefix: `${backend.prefix}/${stackName}` });
  } else {
    // cdktf's default: `<cwd>/terraform.<stack>.tfstate`, outside cdktf.out so a synth never
    // touches state, and the same absolute path for cross-stack `terraform_remote_state`.
    new LocalBackend(stack, {});
  }
}
