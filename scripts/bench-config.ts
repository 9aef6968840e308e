/** The large scenario of `npm run bench` (scripts/bench.ts), 12 versions x 3 sizes: StatefulSet engines on a dedicated pool (12 DaemonSets would not fit a node). */
export const LARGE_CONFIG = {
  cluster: { nodePools: { engines: { machineType: "n2-standard-16", maxNodes: 4 } } },
  dagger: {
    engine: { mode: "statefulset" },
    versions: ["0.18.19", "0.18.14", "0.18.9", "0.19.0", "0.19.7", "0.19.8", "0.19.10", "0.19.11", "0.20.0", "0.20.1", "0.20.2", "0.20.3"],
  },
  runners: {
    sizes: {
      "": { requests: { cpu: "500m", memory: "1Gi" } },
      large: { requests: { cpu: "2", memory: "4Gi" } },
      xl: { requests: { cpu: "4", memory: "8Gi" } },
    },
  },
};
