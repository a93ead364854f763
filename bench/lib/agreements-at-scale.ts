/**
 * Thousands of open agreements, and what a benchmark does to them: each is started exactly as
 * `dura request` starts one (client/agreements.ts requestAgreement: update-with-start, USE_EXISTING),
 * many at once, then waited for until visibility says they all await signature (initiation package
 * sent, the 14-day reminder and status-update timers pending). Then a worker can be warmed with them
 * (each one loaded into its cache and made sticky to it) and their `status` queried and timed.
 */
import {
  Client,
  Connection,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { AgreementRequest } from '../../common/agreement';
import { requestAgreement } from '../../client/agreements';
import { transientReason } from '../../client/update-retry';
import { initiateUpdate, statusQuery } from '../../workflows/messages';
import { seededRandom } from './fit';

/** The bench's agreements: `dura-a<i>.bench.example.edu`, i from 0. */
export const benchDomain = (i: number): string => `a${i}.bench.example.edu`;
export const benchAgreementId = (i: number): string => `dura-${benchDomain(i)}`;

/** The raw client, as client/temporal.ts builds it (no codec: the bench sets no encryption key). */
export async function connectClient(address: string, dataConverter?: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default', ...(dataConverter && { dataConverter }) });
}

function benchRequest(i: number): AgreementRequest {
  const domain = benchDomain(i);
  return {
    institution: { name: `Bench University ${i}`, domain },
    requester: { name: `Ada Bench ${i}`, email: `ada@${domain}` },
    signingOfficial: { name: 'Sam Signer', email: `osp@${domain}`, title: 'Director of Research' },
    tiers: ['registered'],
    receivedAt: new Date().toISOString(),
  };
}

/** Runs `work(i)` for every i in [from, to) with at most `concurrency` in flight. */
export async function pool(
  from: number,
  to: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = from;
  const lane = async () => {
    while (next < to) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, to - from)) }, lane));
}

/** Says how far a long step has got, on stderr every 15 s (stdout is the table and the JSON line). */
function progress(what: string, total: number): { tick(): void; stop(): void } {
  let done = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    const rate = done / ((Date.now() - started) / 1000);
    console.error(`  ${what}: ${done}/${total} (${rate.toFixed(1)}/s)`);
  }, 15_000);
  return { tick: () => void done++, stop: () => clearInterval(timer) };
}

/**
 * Requests agreements [from, to) and waits until all `to` await signature. Each request is one
 * update-with-start round trip that returns once the workflow has triaged it; the worker then sends
 * the official's package and the requester's update and records them, which is what takes the time.
 */
export async function seedAgreements(
  client: Client,
  o: { from: number; to: number; taskQueue: string; concurrency: number; timeoutMs: number },
): Promise<{ requestedMs: number; settledMs: number }> {
  const started = Date.now();
  const shown = progress('requested', o.to - o.from);
  try {
    await pool(o.from, o.to, o.concurrency, async (i) => {
      await requestOnce(client, benchRequest(i), o.taskQueue);
      shown.tick();
    });
  } finally {
    shown.stop();
  }
  const requestedMs = Date.now() - started;
  await waitForAwaitingSignature(client, o.to, o.timeoutMs - requestedMs);
  await waitForQuiet(client, o.from, o.to, started + o.timeoutMs);
  return { requestedMs, settledMs: Date.now() - started };
}

/**
 * Waits until no agreement has an activity or a workflow task pending: an agreement publishes
 * `awaiting-signature` before its last records write completes, and a worker measured later must not
 * find that left-over work (it would run it and cache the agreement before being asked to).
 */
async function waitForQuiet(client: Client, from: number, to: number, deadline: number): Promise<void> {
  let busy = Array.from({ length: to - from }, (_, k) => from + k);
  while (busy.length) {
    const still: number[] = [];
    await pool(0, busy.length, 32, async (k) => {
      const { raw } = await client.workflow.getHandle(benchAgreementId(busy[k]!)).describe();
      if (raw.pendingActivities?.length || raw.pendingWorkflowTask) still.push(busy[k]!);
    });
    busy = still;
    if (busy.length && Date.now() > deadline) throw new Error(`${busy.length} agreements still busy`);
    if (busy.length) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * One request, as `dura request` makes it. When the machine is saturated the update's long poll can
 * time out before triage answers, or a workflow task can time out (the server then refuses updates
 * until a retry completes it, which `dura request` waits out too); the request is idempotent
 * (USE_EXISTING, same requester and time), so it is asked again, and then `already-requested` means
 * the first one started it.
 */
async function requestOnce(client: Client, request: AgreementRequest, taskQueue: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { outcome } = await requestAgreement(client, request, { taskQueue });
      if (outcome === 'started' || (attempt > 1 && outcome === 'already-requested')) return;
      throw new Error(`${request.institution.domain}: ${outcome}, expected started`);
    } catch (err) {
      // The real server under load also refused an update-with-start whole (FAILED_PRECONDITION
      // "Update-with-Start could not be executed", 596 agreements into a seed at load 7): asked again too.
      const refused = /Update-with-Start could not be executed/.test(`${String(err)} ${String((err as Error).cause)}`);
      const transient = err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || transientReason(err) || refused;
      if (!transient || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

/** Polls visibility until `count` agreements are running and awaiting signature. */
export async function waitForAwaitingSignature(client: Client, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await countAwaitingSignature(client);
    if (seen >= count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${seen} of ${count} agreements await signature after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export async function countAwaitingSignature(client: Client): Promise<number> {
  const { count } = await client.workflow.count(
    `DuraStage = 'awaiting-signature' AND ExecutionStatus = 'Running'`,
  );
  return count;
}

/** One `status` query, timed in milliseconds; checks the answer is the agreement asked about. */
export async function timedStatus(client: Client, i: number): Promise<number> {
  const started = process.hrtime.bigint();
  const status = await client.workflow.getHandle(benchAgreementId(i)).query(statusQuery);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // The agreement's own id (patch `agreement-ids`): the institution's first, `<domain>-1`.
  if (status.agreementId !== `${benchDomain(i)}-1` || status.stage !== 'awaiting-signature')
    throw new Error(`${benchAgreementId(i)}: unexpected status ${status.agreementId} ${status.stage}`);
  return ms;
}

/**
 * `clients` concurrent callers querying the status of agreements [0, count) picked by a PRNG seeded
 * with `seed` (the same ones every run), `queries` in all, after one unrecorded query each (connection
 * warm-up): each query's milliseconds and the load's seconds.
 */
export async function statusLoad(
  client: Client,
  o: { count: number; clients: number; queries: number; seed: number },
): Promise<{ samples: number[]; seconds: number }> {
  const random = seededRandom(o.seed);
  const pick = () => Math.floor(random() * o.count);
  await Promise.all(Array.from({ length: o.clients }, () => timedStatus(client, pick())));
  const samples: number[] = [];
  const perClient = Math.ceil(o.queries / o.clients);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: o.clients }, async () => {
      for (let k = 0; k < perClient; k++) samples.push(await timedStatus(client, pick()));
    }),
  );
  return { samples, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * Loads agreements [from, to) into the running worker's cache the way a long-running worker holds
 * them: a workflow task each, on that worker, which also makes the agreement sticky to it. The task is
 * `dura initiate` on an agreement already initiated: its validator rejects it, so it leaves no trace
 * in history (a status query would load it too, but a query never makes the worker sticky, and later
 * queries would still carry the whole history from the server).
 */
export async function warmAgreements(
  client: Client,
  o: { from: number; to: number; concurrency: number },
): Promise<number> {
  const started = Date.now();
  const shown = progress('warmed', o.to - o.from);
  try {
    await pool(o.from, o.to, o.concurrency, async (i) => {
      try {
        await client.workflow.getHandle(benchAgreementId(i)).executeUpdate(initiateUpdate);
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && /cannot initiate/.test(String(err.cause?.message)))
          return shown.tick();
        throw err;
      }
      throw new Error(`${benchAgreementId(i)}: initiate was accepted; the bench expected it rejected`);
    });
  } finally {
    shown.stop();
  }
  return Date.now() - started;
}
