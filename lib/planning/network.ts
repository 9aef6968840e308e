/**
 * Network planning for the GKE cluster: IPv4 CIDR parsing, overlap checks, and zone/region
 * checks. Pure code (no cdktf import): used by the config schema and the cluster stack.
 */

/** A parsed IPv4 CIDR block. */
export interface Cidr {
  /** The text as written, e.g. `10.0.0.0/20`. */
  readonly text: string;
  /** First address as an unsigned 32-bit number. */
  readonly start: number;
  /** Last address as an unsigned 32-bit number. */
  readonly end: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Formats an unsigned 32-bit number as a dotted quad. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/**
 * Parses `a.b.c.d/n`. Returns a string describing the problem (to follow the value in an
 * error line: "is not ...") when it is not a valid network address.
 */
export function parseCidr(text: string): Cidr | string {
  const m = CIDR.exec(text);
  if (!m) return "is not an IPv4 CIDR block (expected a.b.c.d/n, e.g. 10.0.0.0/20)";
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    return "is not an IPv4 CIDR block (octets 0-255, prefix length 0-32)";
  }
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const size = 2 ** (32 - prefix);
  const start = addr - (addr % size);
  if (start !== addr) {
    return `is not a network address (host bits are set; did you mean ${formatIpv4(start)}/${prefix}?)`;
  }
  return { text, start, end: start + size - 1, prefix };
}

/** True when two blocks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** A named CIDR block to check: `key` is its config key path. */
export interface NamedCidr {
  readonly key: string;
  readonly cidr: string;
}

/** One overlap between two of the blocks given to {@link findOverlaps}. */
export interface CidrOverlap {
  /** The later block (the one to blame). */
  readonly key: string;
  readonly cidr: string;
  /** The earlier block it overlaps. */
  readonly otherKey: string;
  readonly otherCidr: string;
}

/**
 * Every pair of overlapping blocks, blaming the later one. Unparsable blocks are skipped
 * (their own validation reports them).
 */
export function findOverlaps(blocks: readonly NamedCidr[]): CidrOverlap[] {
  const parsed = blocks
    .map((b) => ({ ...b, parsed: parseCidr(b.cidr) }))
    .filter((b): b is NamedCidr & { parsed: Cidr } => typeof b.parsed !== "string");
  const out: CidrOverlap[] = [];
  for (let i = 0; i < parsed.length; i++) {
    for (let j = 0; j < i; j++) {
      if (cidrsOverlap(parsed[i].parsed, parsed[j].parsed)) {
        out.push({ key: parsed[i].key, cidr: parsed[i].cidr, otherKey: parsed[j].key, otherCidr: parsed[j].cidr });
      }
    }
  }
  return out;
}

/** The region of a zone (`us-central1-a` -> `us-central1`), or undefined if it is not a zone. */
export function zoneRegion(zone: string): string | undefined {
  const m = /^([a-z]+-[a-z]+[0-9]+)-[a-z]$/.exec(zone);
  return m ? m[1] : undefined;
}

/** Where the cluster lives and where its nodes run. */
export interface ClusterLocation {
  /** `location` of the cluster and its node pools: the region, or a zone. */
  readonly location: string;
  /** Extra `node_locations` (empty: GKE's default for the location). */
  readonly nodeLocations: readonly string[];
}

/**
 * Regional clusters live in the region and run nodes in `zones` (or GKE's default zones);
 * zonal clusters live in `zones[0]` and run nodes there plus in any further zones.
 * Returns a problem string when a zonal cluster has no zone.
 */
export function clusterLocation(region: string, zones: readonly string[], regional: boolean): ClusterLocation | string {
  if (regional) return { location: region, nodeLocations: [...zones] };
  if (zones.length === 0) return `needs gcp.zones (a zonal cluster lives in one zone, e.g. ${region}-a)`;
  // Terraform's node_locations of a zonal cluster omits the cluster's own zone.
  return { location: zones[0], nodeLocations: zones.slice(1) };
}

/**
 * A GCP resource name (RFC 1035): lowercase letters, digits and `-`, starting with a letter,
 * not ending with `-`, at most `max` characters.
 */
export function isGcpName(s: string, max = 63): boolean {
  return s.length <= max && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** GCP service account ids: 6-30 characters of a GCP name. */
export const SERVICE_ACCOUNT_ID_MAX = 30;

/**
 * `<base>-<suffix>` shortened to fit a service account id (at most 30 characters): the base is
 * cut, never the suffix, and a trailing `-` of the cut base is dropped.
 */
export function serviceAccountId(base: string, suffix: string): string {
  const room = SERVICE_ACCOUNT_ID_MAX - suffix.length - 1;
  const cut = base.slice(0, room).replace(/-+$/, "");
  return `${cut}-${suffix}`;
}
