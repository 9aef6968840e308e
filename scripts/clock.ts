/**
 * The clock of `npm run synth` and `npm run report` (the runner image's age): the
 * `SOURCE_DATE_EPOCH` environment variable (seconds since 1970, the reproducible-builds
 * convention) when set, else the current time.
 */
export function reportClock(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  return epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}
