/**
 * What the fault tests need from Temporal while workers or the server come and go: reads (queries,
 * results) retried the way a patient operator would, with a deadline per try, and an agreement's stage
 * read from its search attributes, which needs no worker. The access team's updates go through the CLI,
 * which rides out the same churn itself (client/update-retry.ts).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { AgreementStatus } from '../../common/agreement';
import { statusQuery } from '../../workflows/messages';
import { DuraStage } from '../../workflows/search-attributes';

/**
 * Errors that only say "not now": nobody answered in time (or a result was not there before the try's
 * deadline cut its long poll), the server is away, or the workflow's task is
 * being retried after its worker died (the server then refuses updates: "Workflow Task in failed
 * state", FAILED_PRECONDITION, which the SDK's client does not retry). The call is tried again.
 */
function transient(err: unknown): boolean {
  const e = err as Error & { code?: number; cause?: Error };
  if (e.name === 'WorkflowUpdateFailedError' || e.name === 'WorkflowNotFoundError') return false;
  const text = `${e.name} ${e.message} ${e.cause?.message ?? ''}`;
  // "Call cancelled": our own per-try deadline cut a long poll (a result not there yet).
  return /deadline|timed? ?out|unavailable|ECONNREFUSED|connect|aborted|call cancelled|Workflow Task in failed state/i.test(
    text,
  );
}

export interface Patience {
  /** Calls that needed more than one try (each a moment when no worker or server answered). */
  retries: number;
  /** The first error of each such call, by message (for the test's report). */
  reasons?: Map<string, number>;
}

/** Runs `call` with a deadline per try until it succeeds or `totalMs` pass. */
export async function patiently<T>(
  client: Client,
  patience: Patience,
  call: () => Promise<T>,
  { perTryMs = 15_000, totalMs = 300_000 } = {},
): Promise<T> {
  const giveUp = Date.now() + totalMs;
  for (let tries = 1; ; tries++) {
    try {
      return await client.connection.withDeadline(Date.now() + perTryMs, call);
    } catch (err) {
      if (!transient(err) || Date.now() > giveUp) throw err;
      if (tries === 1) {
        patience.retries++;
        // One key per kind of refusal: "Deadline exceeded after 14.9s,remote_addr=…" → "Deadline exceeded after Ns".
        const message =
          (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message ?? String(err);
        const reason = message
          .split(/[\n,]/)[0]!
          .replace(/\d+(\.\d+)?/g, 'N')
          .slice(0, 100);
        patience.reasons?.set(reason, (patience.reasons.get(reason) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** The stage the agreement last published (visibility's copy; no worker needed). */
export async function publishedStage(handle: WorkflowHandle): Promise<string | undefined> {
  const description = await handle.describe();
  return description.typedSearchAttributes.get(DuraStage);
}

/** The agreement's status from its workflow (a worker must answer). */
export function queryStatus(client: Client, patience: Patience, id: string): Promise<AgreementStatus> {
  return patiently(client, patience, () => client.workflow.getHandle(id).query(statusQuery));
}

/** The first run's id: the `ref` in the agreement's idempotency keys and records. */
export async function agreementRef(handle: WorkflowHandle): Promise<string> {
  const description = await handle.describe();
  return description.raw.workflowExecutionInfo?.firstRunId || description.runId;
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
export async function inBatches<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}
