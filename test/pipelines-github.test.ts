/**
 * The module's GitHub client (pipelines/src/github.ts) against a fake GitHub API on 127.0.0.1
 * that records every request (pipelines/test/fake-github.ts).
 */
import { COMMENT_LIMIT, checkTarget, upsertComment } from "../pipelines/src/github";
import { FakeGithub, startFakeGithub } from "../pipelines/test/fake-github";

const TOKEN = "SENTINEL-GH-TOKEN-123";
const MARKER = "<!-- cdktf-dagger-runners:plan config=runners.yaml -->";
let gh: FakeGithub;
const target = (over: Partial<{ issueNumber: number; token: string; apiUrl: string }> = {}) => ({
  apiUrl: gh.url,
  repository: "acme/infra",
  issueNumber: 5,
  token: TOKEN,
  ...over,
});
const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a failure");
};

beforeEach(async () => {
  gh = await startFakeGithub(TOKEN);
});
afterEach(async () => {
  await gh.close();
});

test("creates the comment, then updates that one comment in place", async () => {
  const first = await upsertComment(target(), MARKER, `${MARKER}\none`);
  const second = await upsertComment(target(), MARKER, `${MARKER}\ntwo`);
  expect(first.action).toBe("created");
  expect(second).toEqual({ action: "updated", id: first.id, url: first.url });
  expect(gh.comments.map((c) => c.body)).toEqual([`${MARKER}\ntwo`]);
  expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    "GET /repos/acme/infra/issues/5/comments?per_page=100&page=1",
    "POST /repos/acme/infra/issues/5/comments",
    "GET /repos/acme/infra/issues/5/comments?per_page=100&page=1",
    `PATCH /repos/acme/infra/issues/comments/${first.id}`,
  ]);
  expect(gh.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
});

test("finds its comment past the first page of a long conversation, and ignores other markers", async () => {
  for (let i = 0; i < 130; i++) gh.seed("acme/infra", 5, `comment ${i}`);
  gh.seed("acme/infra", 5, "<!-- cdktf-dagger-runners:plan config=other.yaml -->\nother config");
  await upsertComment(target(), MARKER, `${MARKER}\nv1`);
  const r = await upsertComment(target(), MARKER, `${MARKER}\nv2`);
  expect(r.action).toBe("updated");
  expect(gh.comments.filter((c) => c.body.includes(MARKER))).toHaveLength(1);
  expect(gh.requests.filter((q) => q.method === "GET").map((q) => q.path.replace(/.*page=/, "page="))).toEqual(["page=1", "page=2", "page=1", "page=2"]);
  // A comment in another pull request is never touched.
  gh.seed("acme/infra", 6, `${MARKER}\nPR 6`);
  expect((await upsertComment(target({ issueNumber: 7 }), MARKER, `${MARKER}\nPR 7`)).action).toBe("created");
});

test("a body over GitHub's limit is refused before any request", async () => {
  const body = `${MARKER}\n${"x".repeat(COMMENT_LIMIT)}`;
  expect(await errorOf(upsertComment(target(), MARKER, body))).toBe(`comment: ${body.length} characters is over GitHub's limit of 65536`);
  expect(gh.requests).toEqual([]);
});

test("GitHub's validation error is one line with its message (the fake answers like GitHub)", async () => {
  gh.failNext("POST", 422, "Validation Failed");
  expect(await errorOf(upsertComment(target(), MARKER, `${MARKER}\nx`))).toBe("github: POST /repos/acme/infra/issues/5/comments failed: HTTP 422 Validation Failed");
});

test("a bad token is one line that does not echo the token", async () => {
  const msg = await errorOf(upsertComment(target({ token: "WRONG-SENTINEL-TOKEN" }), MARKER, `${MARKER}\nx`));
  expect(msg).toBe("github: GET /repos/acme/infra/issues/5/comments?per_page=100&page=1 failed: HTTP 401 Bad credentials");
  expect(msg).not.toContain("SENTINEL");
});

test("an unreachable API is one line", async () => {
  const url = gh.url;
  await gh.close();
  gh = await startFakeGithub(TOKEN); // for afterEach
  const msg = await errorOf(upsertComment({ ...target(), apiUrl: url }, MARKER, `${MARKER}\nx`));
  expect(msg).toMatch(/^github: GET \/repos\/acme\/infra\/issues\/5\/comments\?per_page=100&page=1 failed: .*ECONNREFUSED/);
  expect(msg).not.toContain("\n");
});

test.each([
  [{ repository: "acme" }, 'repository: "acme" is not a GitHub repository (expected owner/name, e.g. my-org/infra)'],
  [{ issueNumber: 0 }, "pullRequest: 0 is not a pull request number (expected a whole number of at least 1)"],
  [{ apiUrl: "api.github.com" }, 'githubApiUrl: "api.github.com" is not a REST API URL (expected e.g. https://api.github.com or https://<host>/api/v3)'],
])("bad arguments are one line each: %j", (over, message) => {
  expect(() => checkTarget({ apiUrl: "https://api.github.com", repository: "acme/infra", issueNumber: 5, ...over })).toThrow(message);
});
