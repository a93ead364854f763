/**
 * The chaos loop of the worker fault test: start the worker, `kill -9` it at a random moment, start it
 * again, until at least `minKills` kills are done (and the loop is told to finish).
 *
 * Kills come in waves. Within a wave most land while the worker polls, 0.2–2 s after it said so
 * (tasks and e-mails in flight), one in ten while it starts (migrations, connection, workflow code).
 * While `calmWanted()` says so, every 8th worker is left alone for 15–25 s first: after a kill,
 * Temporal refuses updates to the agreements that worker held ("Workflow Task in failed state") until
 * their task times out (10 s) and a live worker completes it, so without such spells the access team's
 * updates would never get through, whereas timers, activities and retries go on regardless.
 * Seeded: a failing run is replayed with the seed it printed.
 *
 * Then the one excuse for a message that arrived twice (judgeDuplicate).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, tsToMs } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { FastWorker } from './fast-worker-process';
import type { SinkMessage } from './fault-sink';

export interface Kill {
  /** Date.now() just before SIGKILL. */
  at: number;
  pid: number;
  /** Whether it had logged `polling`. */
  polling: boolean;
  /** How long it had run. */
  upMs: number;
}

export interface Chaos {
  kills: Kill[];
  /** Workers that ended by themselves (an exit code, not our signal): each one is a bug. */
  selfExits: { pid: number; code: number | null }[];
  /** Ends the loop once `minKills` kills are done; no worker is left running. */
  finish(): Promise<void>;
  /** Ends it now (the test failed): the running worker is killed. */
  abort(): Promise<void>;
}

// The benchmarks' generator: the same sequence for the same seed.
export { seededRandom } from '../../bench/lib/fit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `first`: a worker already running, which is the first one killed. */
export function chaosLoop(options: {
  start: () => FastWorker;
  random: () => number;
  minKills: number;
  calmWanted: () => boolean;
  /** A count that grows as the team's updates get through (it stretches a calm spell that saw none). */
  progress: () => number;
  first?: FastWorker;
}): Chaos {
  const { start, random, minKills, calmWanted, progress } = options;
  let first = options.first;
  const kills: Kill[] = [];
  const selfExits: Chaos['selfExits'] = [];
  let finishing = false;
  let aborted = false;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);

  const loop = (async () => {
    for (let cycle = 0; !aborted && (!finishing || kills.length < minKills); cycle++) {
      const worker = first ?? start();
      first = undefined;
      const started = Date.now();
      let polling = false;
      worker.polling.then(
        () => (polling = true),
        () => undefined, // killed while it started
      );
      const ended = worker.exited.then(() => 'ended' as const);
      if (cycle % 8 === 7 && calmWanted()) {
        await Promise.race([worker.polling.catch(() => undefined), ended]);
        const before = progress();
        await Promise.race([sleep(between(15_000, 25_000)), ended]);
        // On a busy machine the spell may pass with nothing done: it is stretched (up to a minute more)
        // until the team got something through, so that the test measures faults, not CPU starvation.
        for (let i = 0; i < 12 && progress() === before && calmWanted(); i++)
          await Promise.race([sleep(5000), ended]);
      } else if (random() < 0.1) {
        await Promise.race([sleep(between(100, 1500)), ended]);
      } else {
        await Promise.race([worker.polling.catch(() => undefined), ended]);
        await Promise.race([sleep(between(200, 2000)), ended]);
      }
      if (aborted) return worker.kill9();
      const alive = (await Promise.race([ended, sleep(0).then(() => 'alive' as const)])) === 'alive';
      if (!alive) {
        selfExits.push({ pid: worker.pid, code: (await worker.exited).code });
        if (selfExits.length >= 5) return; // a worker that cannot stay up: the test reports it
        continue;
      }
      // Taken right before the signal, which kill9 sends synchronously: the sink's 250s are set beside it.
      const at = Date.now();
      const gone = worker.kill9();
      kills.push({ at, pid: worker.pid, polling, upMs: at - started });
      await gone;
    }
  })();

  return {
    kills,
    selfExits,
    async finish() {
      finishing = true;
      await loop;
    },
    async abort() {
      aborted = true;
      await loop;
    },
  };
}

/**
 * A duplicate is excused only as the mailer's one window (activities/mail/mailer.ts): the sink accepted
 * the first copy, the worker was killed before the ledger recorded it, and Temporal's retry of the
 * sendEmail activity found the entry `sending` and sent the second copy. The window measures a few
 * milliseconds (mail-thread.ts: mean 1.1, p99 9 under load); 40 ms leaves room for a busy machine and
 * fails the old 35–75 ms window (its duplicates came 1–49 ms after a kill).
 */
export const KILL_WINDOW_MS = 40;
/**
 * The one kill allowed before the 250: the worker wrote the final dot and died, and the sink (a thread
 * on a busy machine) read it a moment later. Seen 25–40 ms while Nagle's algorithm held the dot back
 * (deliver.ts), a few ms since.
 */
export const READ_SLACK_MS = 50;
/**
 * More duplicates than this in one run fail the test even if each is excused: issue 12's 3. The time
 * window above is what catches a widened mailer window; the count catches several messages caught by
 * one kill, which is what a mail thread waiting for a core did (mail-thread.ts: 200 agreements fire
 * their compressed-day timers together, and one kill caught 4 messages whose 250s came in the same ms).
 */
export const MAX_DUPLICATES = 3;
/**
 * Where the system refused to raise the mail thread's priority (no root, no CAP_SYS_NICE: the worker
 * logs so), its window is about three times as wide, and one kill caught up to 6 (seen: 8 from 4 kills).
 */
export const MAX_DUPLICATES_AT_NORMAL_PRIORITY = 12;

/** The count allowed, from what the workers logged about their mail thread (worker/main.ts). */
export function duplicateLimit(workerLogs: string): { limit: number; why: string } {
  return workerLogs.includes('mail thread at normal priority')
    ? { limit: MAX_DUPLICATES_AT_NORMAL_PRIORITY, why: 'a mail thread ran at normal priority' }
    : { limit: MAX_DUPLICATES, why: 'the mail threads ran at a raised priority' };
}

/** A sendEmail activity of the message's key, as the workflow's history records it. */
export interface SendActivity {
  /** The attempt that completed it (1: never retried). */
  attempt: number;
  /** When that attempt started (the server's clock: this machine's). */
  startedAt: number;
  lastFailure?: string;
}

export interface Duplicate {
  messageId: string;
  /** Every copy, in the order the sink accepted them. */
  copies: SinkMessage[];
  /** The attempts the ledger counted under the message's key. */
  ledgerAttempts?: number;
  sends: SendActivity[];
}

export interface DuplicateVerdict {
  messageId: string;
  kind: string;
  copies: number;
  /** The kill nearest after the first copy's 250, in ms (negative: before it). */
  killAfterMs: number | null;
  /** When that kill was (epoch ms), to count the kills that caught a message. */
  killAt: number | null;
  /** Seconds from the first copy to the second. */
  againAfterS: number;
  retryAttempt: number | null;
  ledgerAttempts: number | null;
  /** Empty when excused. */
  problems: string[];
}

export function judgeDuplicate(duplicate: Duplicate, kills: Kill[]): DuplicateVerdict {
  const at = duplicate.copies.map((c) => c.at).sort((a, b) => a - b);
  const [first, second] = [at[0]!, at[1]!];
  const offsets = kills.map((k) => k.at - first).filter((ms) => ms >= -READ_SLACK_MS);
  const after = offsets.sort((a, b) => a - b)[0];
  const nearest = after ?? kills.map((k) => k.at - first).sort((a, b) => b - a)[0] ?? null;
  // The retry began after the first copy (its attempt was dead by then), and the second copy came from it.
  const retry = duplicate.sends.find((s) => s.attempt >= 2 && first < s.startedAt && s.startedAt <= second);
  const problems: string[] = [];
  if (at.length !== 2) problems.push(`${at.length} copies`);
  if (after === undefined || after > KILL_WINDOW_MS)
    problems.push(
      `no kill from ${READ_SLACK_MS} ms before to ${KILL_WINDOW_MS} ms after the first copy's 250`,
    );
  if (!retry)
    problems.push(
      `the second copy did not come with a retry of sendEmail: ${JSON.stringify(duplicate.sends)}`,
    );
  if ((duplicate.ledgerAttempts ?? 0) < 2)
    problems.push(`the ledger counted ${duplicate.ledgerAttempts ?? 'no'} attempt(s)`);
  return {
    messageId: duplicate.messageId,
    kind: duplicate.copies[0]!.kind,
    copies: at.length,
    killAfterMs: nearest,
    killAt: nearest === null ? null : first + nearest,
    againAfterS: Math.round((second - first) / 1000),
    retryAttempt: retry?.attempt ?? null,
    ledgerAttempts: duplicate.ledgerAttempts ?? null,
    problems,
  };
}

/** The sendEmail activities scheduled with `idempotencyKey`, in this run of the workflow and earlier ones. */
export async function sendActivities(
  client: Client,
  workflowId: string,
  idempotencyKey: string,
): Promise<SendActivity[]> {
  const found: SendActivity[] = [];
  let runId: string | undefined;
  do {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const scheduled = new Set<string>();
    for (const event of events) {
      const s = event.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name === 'sendEmail' && keyOf(s.input?.payloads?.[0]) === idempotencyKey)
        scheduled.add(String(event.eventId));
      const started = event.activityTaskStartedEventAttributes;
      if (started && scheduled.has(String(started.scheduledEventId)))
        found.push({
          attempt: started.attempt ?? 1,
          startedAt: tsToMs(event.eventTime),
          lastFailure: started.lastFailure?.message ?? undefined,
        });
    }
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
  } while (runId);
  return found;
}

function keyOf(payload: temporal.api.common.v1.IPayload | undefined): string | undefined {
  try {
    return (
      payload && (defaultPayloadConverter.fromPayload(payload) as { idempotencyKey?: string }).idempotencyKey
    );
  } catch {
    return undefined; // not JSON (an encrypted payload): not the activity looked for
  }
}

/**
 * The mailer's window as a run measured it: for each message that arrived once, the ms from the sink's
 * 250 to the moment the mail thread recorded it (the ledger's `sent_at`, taken as nodemailer answers,
 * before the write's ~0.5 ms). Same clock: both are this machine's.
 */
export function mailWindow(
  arrived: readonly SinkMessage[],
  recorded: readonly { messageId: string; sentAt: string }[],
): string {
  const copies = new Map<string, number[]>();
  for (const m of arrived) copies.set(m.messageId, [...(copies.get(m.messageId) ?? []), m.at]);
  const ms = recorded
    .flatMap(({ messageId, sentAt }) => {
      const at = copies.get(messageId);
      return at?.length === 1 ? [Date.parse(sentAt) - at[0]!] : [];
    })
    .sort((a, b) => a - b);
  if (ms.length === 0) return 'no message recorded';
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return (
    `from the 250 to its record: mean ${mean.toFixed(1)} ms, p90 ${at(0.9)}, p99 ${at(0.99)}, ` +
    `max ${ms.at(-1)} (${ms.length} messages)`
  );
}
