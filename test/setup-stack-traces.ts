/**
 * Jest setup (jest.config.js `setupFilesAfterEnv`): no cdktf creation stacks in tests, as in the
 * programs that synthesize (scripts/creation-stacks.ts, which says what is skipped and why).
 *
 * cdktf records a creation stack for every token, lazy value and computed attribute it makes:
 * thousands per synthesis, each the whole stack, which under jest is deep. Capturing them was
 * 2.3 s of the suite's CPU time (in-band profile) after their formatting had already been
 * blanked here; formatting them had been about 40% of the CPU of a test file that synthesizes.
 * Every other stack (a failing test's included) is captured and formatted as before.
 * Nothing a test asserts changes: synthesized output never contains a creation stack, and no
 * test reads one.
 */
import { skipCdktfCreationStacks } from "../scripts/creation-stacks";

skipCdktfCreationStacks();
