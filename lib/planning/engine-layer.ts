/**
 * The engine layer as the config resolves it, once: mode, transport, port, namespace, where the
 * engines run and their cache, and the connection spec of every engine version (what runners
 * use). The engine construct, the runners and the report all read this. Pure code.
 */
import type { EngineConnectionSpec, EngineTransport } from "../engine-spec";
import {
  CLIENT_CLOUD_TOKEN_KEY,
  DEFAULT_CLIENT_CLOUD_SECRET,
  DEFAULT_ENGINE_PORT,
  EngineMode,
  EngineNames,
  planEngineSpec,
} from "./engines";
import type { RunnersConfig } from "./input/schema";
import { engineObjectNamesRule, throwFirst } from "./rules";
import type { ArtifactPlan } from "./mirrors";
import type { Placement, PlacementPlan } from "./placement";

/** The engine layer, every default resolved. */
export interface EngineLayerPlan {
  readonly mode: EngineMode;
  readonly transport: EngineTransport;
  /** The engine's TCP port: set for transport `tcp` (default 1234) or when configured. */
  readonly port?: number;
  readonly namespace: string;
  /** Where the engine pods run: the planned pools with `dagger.engine.nodeSelector`/`tolerations` on top. */
  readonly placement: Placement;
  /** StatefulSet cache as configured (no StorageClass: the cluster's default class). */
  readonly cache?: { readonly size?: string; readonly storageClass?: string; readonly retainOnDelete?: boolean };
}

/** Resolves the engine layer of a validated config; `transport` is the resolved one (`dagger.engine.transport`, else the mode's default). */
export function planEngineLayer(
  config: RunnersConfig,
  engines: readonly EngineNames[],
  transport: EngineTransport,
  placement: PlacementPlan,
): EngineLayerPlan {
  const e = config.dagger.engine;
  throwFirst(engineObjectNamesRule(engines, transport, () => ({ path: ["name"], value: config.name })));
  const port = e.port ?? (transport === "tcp" ? DEFAULT_ENGINE_PORT : undefined);
  // The StorageClass is the configured one or the cluster's default, whatever the node pools:
  // a pool added later must not change the StatefulSet's volumeClaimTemplates (immutable).
  const cache = e.mode === "statefulset" && e.cache ? { ...e.cache } : undefined;
  return { mode: e.mode, transport, port, namespace: e.namespace, placement: placement.engines, cache };
}

/**
 * How runners reach each engine version: the connection specs the engine layer hands out. For
 * the GPU engines, `where` gives their images and placement (default: the normal engines').
 */
export function planEngineTransports(
  config: RunnersConfig,
  engines: readonly EngineNames[],
  layer: EngineLayerPlan,
  artifacts: ArtifactPlan,
  where: { readonly images: Readonly<Record<string, string>>; readonly placement: Placement } = { images: artifacts.engineImages, placement: layer.placement },
): Record<string, EngineConnectionSpec> {
  const e = config.dagger.engine;
  const cloudTokenSecret = e.cloud.enabled ? { name: e.cloud.existingSecretName ?? DEFAULT_CLIENT_CLOUD_SECRET, key: CLIENT_CLOUD_TOKEN_KEY } : undefined;
  return Object.fromEntries(
    engines.map((names) => [
      names.version,
      planEngineSpec(names, {
        mode: layer.mode,
        transport: layer.transport,
        namespace: layer.namespace,
        port: layer.port,
        image: where.images[names.version],
        serviceAccountName: config.runners.serviceAccountName,
        cloudTokenSecret,
        imagePullSecrets: artifacts.enginePullSecrets,
        nodeSelector: where.placement.nodeSelector,
        tolerations: where.placement.tolerations,
      }),
    ]),
  );
}
