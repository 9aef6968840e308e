/**
 * Jest setup (jest.config.js `setupFilesAfterEnv`): no cdktf creation stacks in tests.
 *
 * cdktf records a creation stack for every token, lazy value and computed attribute it makes
 * (cdktf 0.21.0 lib/tokens/private/stack-trace.js: `Error.stackTraceLimit = MAX_SAFE_INTEGER`,
 * then reads `.stack` and splits it into lines): thousands per synthesis, each the whole stack,
 * which under jest is deep. Formatting them was about 40% of the CPU of a test file that
 * synthesizes (test/dagger-engines.test.ts: 4.0 of 10.2 s), for stacks cdktf shows only when a
 * token fails to resolve. Those captures (a plain object, not an Error, captured below a frame of
 * cdktf's own code) get an empty stack here; every other stack (a failing test's included) is
 * formatted as before.
 * Nothing a test asserts changes: synthesized output never contains a creation stack, and no
 * test reads one.
 */
const previous = Error.prepareStackTrace;
const isCdktfCapture = (error: unknown, frames: NodeJS.CallSite[]): boolean =>
  !!error && Object.getPrototypeOf(error) === Object.prototype && !!frames[0]?.getFileName()?.includes("/node_modules/cdktf/");
Error.prepareStackTrace = (error, frames) =>
  isCdktfCapture(error, frames) ? "" : previous ? previous(error, frames) : `${error}\n${frames.map((f) => `    at ${f}`).join("\n")}`;

export {};
