/**
 * A small GitHub REST client (plain `fetch`, no dependency): creates or updates the one plan
 * comment of a pull request, found again by a hidden marker.
 *
 * Endpoints (docs.github.com/en/rest/issues/comments, API version 2022-11-28): a pull
 * request's conversation comments are issue comments, so
 *   GET   /repos/{owner}/{repo}/issues/{issue_number}/comments?per_page=100&page=N  (per_page max 100)
 *   POST  /repos/{owner}/{repo}/issues/{issue_number}/comments   {"body"}
 *   PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}     {"body"}
 * The `GITHUB_TOKEN` of a workflow may call them with `pull-requests: write` (or `issues:
 * write`). A body over GitHub's limit is refused with `422 Validation Failed` "Body is too long
 * (maximum is 65536 characters)": the comment builder cuts to {@link COMMENT_LIMIT} first.
 *
 * No function here logs, and no error message carries the token.
 *
 * Imports nothing from the module, so jest can load it directly (test/pipelines-github.test.ts).
 */

/** GitHub's maximum comment body, in characters (see the 422 message above). */
export const COMMENT_LIMIT = 65536;

/** Where a comment goes. */
export interface CommentTarget {
  /** REST API root, e.g. `https://api.github.com` or `https://ghes.example.com/api/v3`. */
  readonly apiUrl: string;
  /** `owner/repo`. */
  readonly repository: string;
  /** Pull request (issue) number. */
  readonly issueNumber: number;
  /** Token with `pull-requests: write` on the repository. Never logged or echoed. */
  readonly token: string;
}

/** What {@link upsertComment} did. */
export interface CommentResult {
  readonly action: "created" | "updated";
  readonly id: number;
  readonly url: string;
}

/** A one-line error of the GitHub client. */
export class GithubError extends Error {}

const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

/** Checks the target's fields: one line naming the argument, the value and what is allowed. */
export function checkTarget(t: Omit<CommentTarget, "token">): void {
  if (!REPOSITORY.test(t.repository)) {
    throw new GithubError(`repository: ${JSON.stringify(t.repository)} is not a GitHub repository (expected owner/name, e.g. my-org/infra)`);
  }
  if (!Number.isInteger(t.issueNumber) || t.issueNumber < 1) {
    throw new GithubError(`pullRequest: ${JSON.stringify(t.issueNumber)} is not a pull request number (expected a whole number of at least 1)`);
  }
  let url: URL | undefined;
  try {
    url = new URL(t.apiUrl);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new GithubError(`githubApiUrl: ${JSON.stringify(t.apiUrl)} is not a REST API URL (expected e.g. https://api.github.com or https://<host>/api/v3)`);
  }
}

/** One line from a failed response: status, GitHub's message and its validation errors. */
function describeFailure(status: number, statusText: string, text: string): string {
  let detail = statusText;
  try {
    const j = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const parts = [typeof j.message === "string" ? j.message : statusText];
    if (Array.isArray(j.errors)) {
      for (const e of j.errors) {
        const m = typeof e === "string" ? e : (e as { message?: unknown })?.message;
        if (typeof m === "string" && m) parts.push(m);
      }
    }
    detail = parts.join(": ");
  } catch {
    if (text.trim()) detail = `${statusText} ${text.trim().slice(0, 200)}`.trim();
  }
  return `HTTP ${status} ${detail}`.replace(/\s+/g, " ").trim();
}

async function call(t: CommentTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = t.apiUrl.replace(/\/+$/, "") + path;
  const scrub = (s: string) => (t.token ? s.split(t.token).join("***") : s);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Bearer ${t.token}`,
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "cdktf-dagger-runners-pipelines",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new GithubError(scrub(`github: ${method} ${path} failed: ${cause}`.replace(/\s+/g, " ")));
  }
  const text = await res.text();
  if (!res.ok) throw new GithubError(scrub(`github: ${method} ${path} failed: ${describeFailure(res.status, res.statusText, text)}`));
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new GithubError(`github: ${method} ${path} returned HTTP ${res.status} with a body that is not JSON`);
  }
}

interface IssueComment {
  readonly id: number;
  readonly body?: string | null;
  readonly html_url?: string;
}

/** Most pages of comments read when looking for the marker (100 comments each). */
const MAX_PAGES = 50;

/** The first comment of the pull request whose body contains `marker`, if any. */
export async function findComment(t: CommentTarget, marker: string): Promise<IssueComment | undefined> {
  checkTarget(t);
  for (let page = 1; page <= MAX_PAGES; page++) {
    const list = await call(t, "GET", `/repos/${t.repository}/issues/${t.issueNumber}/comments?per_page=100&page=${page}`);
    if (!Array.isArray(list)) throw new GithubError(`github: GET /repos/${t.repository}/issues/${t.issueNumber}/comments did not return a list`);
    const found = (list as IssueComment[]).find((c) => typeof c.body === "string" && c.body.includes(marker));
    if (found) return found;
    if (list.length < 100) return undefined;
  }
  return undefined;
}

/**
 * Creates the pull request's comment carrying `marker`, or updates it when one exists: one
 * comment per pull request and marker, never a second copy. `body` must contain `marker` and
 * be at most {@link COMMENT_LIMIT} characters.
 */
export async function upsertComment(t: CommentTarget, marker: string, body: string): Promise<CommentResult> {
  if (!body.includes(marker)) throw new GithubError("comment: the body does not contain its marker (it could never be found again)");
  if (body.length > COMMENT_LIMIT) {
    throw new GithubError(`comment: ${body.length} characters is over GitHub's limit of ${COMMENT_LIMIT}`);
  }
  const existing = await findComment(t, marker);
  const res = existing
    ? await call(t, "PATCH", `/repos/${t.repository}/issues/comments/${existing.id}`, { body })
    : await call(t, "POST", `/repos/${t.repository}/issues/${t.issueNumber}/comments`, { body });
  const c = res as IssueComment;
  return { action: existing ? "updated" : "created", id: c.id, url: c.html_url ?? "" };
}
