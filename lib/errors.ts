/**
 * Turns a cdktf validation failure ("Validation failed with the following errors:\n  [path] msg")
 * into one line per problem, without stack traces.
 */
export function formatSynthError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const problems = msg
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("["))
    .map((l) => l.replace(/^\[[^\]]*\]\s*/, ""));
  if (problems.length > 0) return [...new Set(problems)].join("\nerror: ");
  return msg.split("\n")[0];
}
