/**
 * A fake GitHub REST API on 127.0.0.1 for the plan comment: the three issue-comment endpoints
 * the client uses (docs.github.com/en/rest/issues/comments), with GitHub's answers for a bad
 * token (401 "Bad credentials"), a body over 65536 characters (422 "Validation Failed" with
 * "Body is too long (maximum is 65536 characters)") and injected failures. It records every
 * request (method, path, authorization header, body) for the tests.
 *
 * Used in-process by test/pipelines-github.test.ts and by pipelines/test/plan-harness.ts.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly apiVersion: string;
  readonly body?: { body?: string };
}

export interface StoredComment {
  id: number;
  issue: number;
  repository: string;
  body: string;
  user: string;
}

export interface FakeGithub {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly comments: StoredComment[];
  /** The next request matching `method` answers `status` with GitHub's error JSON. */
  failNext(method: string, status: number, message: string): void;
  /** Adds a comment by someone else (e.g. to fill pages). */
  seed(repository: string, issue: number, body: string, user?: string): void;
  close(): Promise<void>;
}

/** Starts the fake; `token` is the only token it accepts. */
export async function startFakeGithub(token: string): Promise<FakeGithub> {
  const requests: RecordedRequest[] = [];
  const comments: StoredComment[] = [];
  const failures: { method: string; status: number; message: string }[] = [];
  let nextId = 1000;

  const server = http.createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      let body: { body?: string } | undefined;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      requests.push({
        method: req.method ?? "",
        path: url.pathname + url.search,
        authorization: String(req.headers.authorization ?? ""),
        apiVersion: String(req.headers["x-github-api-version"] ?? ""),
        body,
      });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(value));
      };
      const docs = "https://docs.github.com/rest/issues/comments";
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      const failure = failures.findIndex((f) => f.method === req.method);
      if (failure >= 0) {
        const [f] = failures.splice(failure, 1);
        return send(f.status, { message: f.message, documentation_url: docs });
      }
      const view = (c: StoredComment) => ({
        id: c.id,
        body: c.body,
        user: { login: c.user },
        html_url: `https://github.example/${c.repository}/pull/${c.issue}#issuecomment-${c.id}`,
      });
      const tooLong = (b: unknown) => typeof b !== "string" || b.length > 65536;
      const invalid = () =>
        send(422, {
          message: "Validation Failed",
          errors: [{ resource: "IssueComment", code: "unprocessable", field: "data", message: "Body is too long (maximum is 65536 characters)" }],
          documentation_url: docs,
        });

      let m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (m && req.method === "GET") {
        const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = comments.filter((c) => c.repository === m![1] && c.issue === Number(m![2]));
        return send(200, all.slice((page - 1) * perPage, page * perPage).map(view));
      }
      if (m && req.method === "POST") {
        if (tooLong(body?.body)) return invalid();
        const c = { id: nextId++, issue: Number(m[2]), repository: m[1], body: body!.body!, user: "github-actions[bot]" };
        comments.push(c);
        return send(201, view(c));
      }
      m = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (m && req.method === "PATCH") {
        const c = comments.find((x) => x.repository === m![1] && x.id === Number(m![2]));
        if (!c) return send(404, { message: "Not Found", documentation_url: docs });
        if (tooLong(body?.body)) return invalid();
        c.body = body!.body!;
        return send(200, view(c));
      }
      return send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    comments,
    failNext: (method, status, message) => failures.push({ method, status, message }),
    seed: (repository, issue, body, user = "someone") => comments.push({ id: nextId++, issue, repository, body, user }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
