/**
 * Drivers for the lifecycle benchmark: one full agreement lifecycle as the access team would drive it
 * (request → wait for the 2nd reminder → `execute` → wait for completion), and the same steps on the
 * baseline workflow. Both use the client library in this process (dura's own client functions for dura),
 * so the figure compares the engines, not CLI start-ups.
 */
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { agreementIdFor, type AgreementRequest, type AgreementAnswer, type Policy } from '../../common/agreement';
import { requestAgreement } from '../../client/agreements';
import type { agreementWorkflow } from '../../workflows/agreement';
import { executeUpdate, statusQuery } from '../../workflows/messages';
import {
  baselineExecute,
  baselineJoin,
  baselineProgress,
  type LifecycleShape,
  type lifecycleBaselineWorkflow,
} from '../workflows/lifecycle';
import { sleep } from './process';

/** Reminders each lifecycle waits for before the institution "signs". */
export const REMINDERS = 2;
const POLL_MS = 250;

export interface LifecycleResult {
  workflowId: string;
  remindersSent: number;
  escalations: number;
  /** Progress queries the driver made (each one an activation on the worker). */
  queries: number;
}

const signedOn = () => new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10);

function benchRequest(domain: string): AgreementRequest {
  return {
    institution: { name: `Lifecycle University ${domain}`, domain },
    requester: { name: 'Ada Bench', email: `ada@${domain}` },
    signingOfficial: { name: 'Sam Signer', email: `osp@${domain}`, title: 'Director of Research' },
    tiers: ['registered'],
    receivedAt: new Date().toISOString(),
  };
}

interface Progress {
  ready: boolean;
  /** When the next timer is due (the next reminder), or null. */
  nextAt: string | null;
}

/**
 * Waits until the workflow says it is ready, querying it only when it should have moved on (at its
 * next timer): a few queries per lifecycle, not one every poll, so the driver loads neither engine.
 */
async function readyWhen(
  firstMs: number,
  progress: () => Promise<Progress>,
  o: { timeoutMs: number; pollEveryMs?: number },
): Promise<number> {
  const { timeoutMs, pollEveryMs } = o;
  const deadline = Date.now() + timeoutMs;
  let queries = 1;
  await sleep(firstMs);
  for (let p = await progress(); !p.ready; p = await progress(), queries++) {
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs / 1000} s`);
    const untilNext = p.nextAt ? Date.parse(p.nextAt) - Date.now() : 0;
    await sleep(pollEveryMs ?? Math.max(0, untilNext) + POLL_MS);
  }
  return queries;
}

export interface DuraLifecycleOptions {
  taskQueue: string;
  policy: Partial<Policy>;
  /** A compressed day (DURA_BENCH_DAY_SECONDS), for when the 2nd reminder is due. */
  daySeconds: number;
  reminderEveryDays: number;
  timeoutMs: number;
  /** Poll every so many ms instead of at the next timer (the first version of this bench did, at 250). */
  pollEveryMs?: number;
}

export async function duraLifecycle(client: Client, domain: string, o: DuraLifecycleOptions): Promise<LifecycleResult> {
  const answer = await requestAgreement(client, benchRequest(domain), { taskQueue: o.taskQueue, policy: o.policy });
  if (answer.outcome !== 'started') throw new Error(`${domain}: ${answer.outcome}, expected started`);
  const handle = client.workflow.getHandle<typeof agreementWorkflow>(agreementIdFor(domain));
  const firstReminderMs = o.reminderEveryDays * o.daySeconds * 1000;
  let escalated = 0;
  const progress = async () => {
    const status = await handle.query(statusQuery);
    escalated = status.history.filter((h) => h.event === 'escalated').length;
    return { ready: status.remindersSent >= REMINDERS, nextAt: status.nextReminderAt };
  };
  const firstMs = o.pollEveryMs ? REMINDERS * firstReminderMs : firstReminderMs; // as the first version
  const queries = await readyWhen(firstMs, progress, o);
  await handle.executeUpdate(executeUpdate, { args: [{ signedOn: signedOn(), documentRef: 'BENCH-1' }] });
  // The result has no history (patch brief-answers): escalations until execution from the last query,
  // and the instructions' own deadline from the result.
  const final: AgreementAnswer = await handle.result();
  const late = final.instructionsSentAt && final.instructionsDueBy && final.instructionsSentAt > final.instructionsDueBy;
  if (final.stage !== 'completed') throw new Error(`${domain}: ended ${final.stage}, expected completed`);
  return {
    workflowId: handle.workflowId,
    remindersSent: final.remindersSent,
    escalations: escalated + (late ? 1 : 0),
    queries,
  };
}

export async function baselineLifecycle(
  client: Client,
  workflowId: string,
  o: { taskQueue: string; shape: LifecycleShape; timeoutMs: number; pollEveryMs?: number },
): Promise<LifecycleResult> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof lifecycleBaselineWorkflow>(
    'lifecycleBaselineWorkflow',
    { workflowId, taskQueue: o.taskQueue, args: [o.shape], workflowIdConflictPolicy: 'USE_EXISTING' },
  );
  await client.workflow.executeUpdateWithStart(baselineJoin, { args: [{}], startWorkflowOperation });
  const handle = client.workflow.getHandle<typeof lifecycleBaselineWorkflow>(workflowId);
  const timers = o.shape.timersMs;
  const firstMs = o.pollEveryMs ? timers.reduce((a, b) => a + b, 0) : (timers[0] ?? 0);
  const queries = await readyWhen(firstMs, () => handle.query(baselineProgress), o);
  await handle.executeUpdate(baselineExecute, { args: [{ signedOn: signedOn() }] });
  if ((await handle.result()) !== 'completed') throw new Error(`${workflowId}: did not complete`);
  return { workflowId, remindersSent: o.shape.timersMs.length, escalations: 0, queries };
}

/** Runs `work(i)` for i in [0, n) with at most `concurrency` in flight; the results in order of i. */
export async function inPool<T>(n: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(n);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < n; i = next++) results[i] = await work(i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, lane));
  return results;
}
