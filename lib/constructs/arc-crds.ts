import * as fs from "node:fs";
import * as path from "node:path";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { HelmRelease } from "../imports/helm";
import { ARC_CRDS_CHART, ARC_CRDS_RELEASE, ARC_CRD_VERSIONS } from "../planning/arc-values";

/** Props of {@link ArcCrds}. */
export interface ArcCrdsProps {
  /** Namespace of the release (the controller's; CRDs are cluster-scoped). */
  readonly namespace: string;
  /** ARC version whose CRDs to install: one of {@link ARC_CRD_VERSIONS}. */
  readonly version: string;
  /**
   * Directory holding `<chart>-<version>.tgz`.
   * @default this package's lib/arc-crds
   */
  readonly chartsDir?: string;
}

/** lib/arc-crds, from lib/constructs (sources) or dist/lib/constructs (the built package). */
function defaultChartsDir(): string {
  const candidates = [path.resolve(__dirname, "..", "arc-crds"), path.resolve(__dirname, "..", "..", "..", "lib", "arc-crds")];
  return candidates.find((d) => fs.existsSync(d)) ?? candidates[0];
}

/**
 * ARC's CustomResourceDefinitions as a Helm release of their own: the `crds/` of the
 * `gha-runner-scale-set-controller` chart of {@link ArcCrdsProps.version}, packed as templates
 * (`npm run arc-crds`), because Helm installs `crds/` once and never upgrades them. A changed
 * `arc.version` upgrades this release first, then the controller (`skip_crds`, it depends on
 * this release), then the scale sets: one `cdktf deploy`, no manual kubectl.
 *
 * Existing deployments: the CRDs that Helm installed from the controller's `crds/` carry no Helm
 * ownership metadata, so the release adopts them (`take_ownership`, Helm 3.17+; the helm provider
 * 3.x). Every CRD has `helm.sh/resource-policy: keep`: uninstalling (`cdktf destroy`) leaves the
 * CRDs, as Helm always did for `crds/`, so no ARC object is ever deleted with its definition.
 */
export class ArcCrds extends Construct {
  readonly release: HelmRelease;
  readonly version: string;

  constructor(scope: Construct, id: string, props: ArcCrdsProps) {
    super(scope, id);
    this.version = props.version;
    const file = path.join(props.chartsDir ?? defaultChartsDir(), `${ARC_CRDS_CHART}-${props.version}.tgz`);
    if (!fs.existsSync(file)) {
      throw new Error(
        `arc.version: "${props.version}" has no CRD chart in this package (shipped: ${ARC_CRD_VERSIONS.join(", ")}); add it with npm run arc-crds -- <unpacked gha-runner-scale-set-controller chart>`,
      );
    }
    // Copied into the stack's output (assets/), referenced by a path relative to the stack.
    const asset = new TerraformAsset(this, "chart", { path: file, type: AssetType.FILE });
    this.release = new HelmRelease(this, "release", {
      name: ARC_CRDS_RELEASE,
      namespace: props.namespace,
      chart: asset.path,
      version: props.version,
      takeOwnership: true,
      wait: true,
    });
  }
}
