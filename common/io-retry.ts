/**
 * How the agreement's I/O activities (mail, records) are retried: with backoff for as long as it
 * takes (an SMTP server or the database down for hours must not lose a message). The workflows'
 * proxies use it (workflows/activities.ts), and `dura status` estimates a failing message's next try
 * from it (client/format.ts). Plain numbers: workflow code imports this.
 */
export const IO_RETRY = {
  initialIntervalSeconds: 5,
  backoffCoefficient: 2,
  maximumIntervalSeconds: 30 * 60,
} as const;

/**
 * When the activity's next attempt comes, as Temporal's retry policy spaces them: `failedAt` (epoch
 * ms) plus the interval after the `attempts`-th failure (5 s, 10 s, 20 s, … at most 30 minutes).
 */
export function nextAttemptAt(failedAt: number, attempts: number): number {
  const { initialIntervalSeconds, backoffCoefficient, maximumIntervalSeconds } = IO_RETRY;
  const seconds = initialIntervalSeconds * backoffCoefficient ** Math.max(0, attempts - 1);
  return failedAt + Math.min(seconds, maximumIntervalSeconds) * 1000;
}
