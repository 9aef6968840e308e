/**
 * A local stand-in for an OCI chart registry (registry.dagger.io, ghcr.io or a private mirror):
 * the OCI distribution endpoints `helm pull oci://...` uses (`/v2/`, manifests, blobs), over
 * HTTPS with a self-signed certificate for 127.0.0.1 (helm, a Go program, trusts it through
 * `SSL_CERT_FILE`). Charts are packaged from unpacked chart directories with `helm package`, and
 * stored as Helm's OCI support stores them (config `application/vnd.cncf.helm.config.v1+json`, one
 * layer `application/vnd.cncf.helm.chart.content.v1.tar+gzip`).
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface FakeRegistry {
  /** `oci://127.0.0.1:<port>/<prefix>`: a chart `x` is at `<url>/x`. */
  readonly url: string;
  /** The certificate to trust (`SSL_CERT_FILE`). */
  readonly caFile: string;
  /** `METHOD path` of every request served. */
  readonly requests: string[];
  close(): Promise<void>;
}

const sha = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

/** Whether `openssl` (for the certificate) is available. */
export function haveOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Serves `chartDirs` (unpacked charts) under `prefix`. */
export async function startFakeOciRegistry(helm: string, chartDirs: readonly string[], prefix = "mirror/charts"): Promise<FakeRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-oci-"));
  // An ECDSA P-256 key: generated in about 1 ms (an RSA 2048 one takes 0.3 s of CPU).
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const manifests = new Map<string, Buffer>();
  const blobs = new Map<string, Buffer>();
  for (const chartDir of chartDirs) {
    const out = execFileSync(helm, ["package", chartDir, "-d", dir], { encoding: "utf8" });
    const tgz = fs.readFileSync(out.trim().split(": ").pop()!);
    const meta = fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8");
    const name = /^name:\s*(\S+)/m.exec(meta)![1];
    const version = /^version:\s*"?([^"\s]+)"?/m.exec(meta)![1];
    const config = Buffer.from(JSON.stringify({ name, version, apiVersion: "v2" }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: sha(config), size: config.length },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: sha(tgz), size: tgz.length }],
      }),
    );
    manifests.set(`/v2/${prefix}/${name}/manifests/${version}`, manifest);
    blobs.set(sha(config), config);
    blobs.set(sha(tgz), tgz);
  }
  const requests: string[] = [];
  const server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (type: string, body: Buffer, digest: string) => {
      res.writeHead(200, { "Content-Type": type, "Content-Length": body.length, "Docker-Content-Digest": digest });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const manifest = manifests.get(req.url ?? "");
    const blob = /\/blobs\/(sha256:[0-9a-f]+)$/.exec(req.url ?? "");
    if (req.url === "/v2/") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    } else if (manifest) {
      send("application/vnd.oci.image.manifest.v1+json", manifest, sha(manifest));
    } else if (blob && blobs.has(blob[1])) {
      send("application/octet-stream", blobs.get(blob[1])!, blob[1]);
    } else {
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "not found" }] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `oci://127.0.0.1:${port}/${prefix}`,
    caFile: path.join(dir, "cert.pem"),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        fs.rmSync(dir, { recursive: true, force: true });
      }),
  };
}
