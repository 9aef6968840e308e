/**
 * Facts about the ARC CRD charts this package ships (lib/arc-crds). Pure: no imports, so the
 * input schema can use them without an import cycle.
 */

/**
 * The ARC CRDs as a chart of their own (`lib/arc-crds/<chart>-<version>.tgz`, packed from the
 * controller chart's `crds/` by `npm run arc-crds`): Helm never upgrades a chart's `crds/`, but it
 * upgrades templates, so a changed `arc.version` brings its CRDs in the same deploy.
 */
export const ARC_CRDS_CHART = "gha-runner-scale-set-crds";
/** Helm release name of {@link ARC_CRDS_CHART}. */
export const ARC_CRDS_RELEASE = "arc-crds";
/**
 * ARC versions whose CRD chart this package ships (test/arc-upgrade.test.ts holds this list to
 * the files in lib/arc-crds and the files to the upstream charts).
 */
export const ARC_CRD_VERSIONS: readonly string[] = ["0.13.1", "0.14.1", "0.14.2"];
