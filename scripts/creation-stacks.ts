/**
 * No cdktf creation stacks in the programs that synthesize (scripts/synth.ts, scripts/impact.ts).
 *
 * cdktf records a creation stack for every token, lazy value and computed attribute it makes
 * (cdktf 0.21.0 lib/tokens/private/stack-trace.js, as published: `const object = { stack: "" }`,
 * `Error.stackTraceLimit = Number.MAX_SAFE_INTEGER`, `Error.captureStackTrace(object, below)`,
 * then `if (!object.stack) return []`, else the stack split into lines): thousands per synth,
 * each walking and formatting the whole stack, for a stack cdktf shows only in the message of a
 * token that fails to resolve. These programs print one-line errors (the first line of a
 * message, lib/errors.ts), never such a stack, and the synthesized output never contains one.
 *
 * So a capture into such a plain `{ stack: "" }` object is skipped: the stack stays empty and
 * cdktf records `[]`. The only other such capture in these programs is the one cdktf's copy
 * came from (constructs 10.4.2 lib/private/stack-trace.js, for metadata stack traces, which
 * lib/app.ts already turns off). Every other capture (any Error, Node's own) is the engine's,
 * unchanged.
 * The jest setup (test/setup-stack-traces.ts) calls this too.
 */
export function skipCdktfCreationStacks(): void {
  const capture = Error.captureStackTrace;
  const isCreationStack = (target: object) =>
    Object.getPrototypeOf(target) === Object.prototype && (target as { stack?: unknown }).stack === "" && Object.keys(target).length === 1;
  Error.captureStackTrace = function captureStackTrace(target: object, below?: Function): void {
    if (!isCreationStack(target)) capture(target, below);
  };
}
