/**
 * What a failed lifecycle test leaves behind, printed so that a CI log says where it stopped: for each
 * workflow the test opened, its status, its pending activities and workflow task, and its last events.
 * A test that times out on the time-skipping server usually waits on a call the Java test server never
 * answers (sdk-java#3088, #2670); this tells that apart from a workflow of ours waiting on something.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const EVENTS = 12;
const CALL_MS = 5_000;

const { EventType, PendingActivityState, PendingWorkflowTaskState } = temporal.api.enums.v1;
const eventName = (type: number | null | undefined) =>
  (EventType[type ?? 0] ?? String(type)).replace(/^EVENT_TYPE_/, '');

/** `promise`, or a rejection naming `what` after `ms` of real time: the server may be the stuck part. */
async function within<T>(promise: Promise<T>, what: string, ms = CALL_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lines describing one workflow as the server has it now; never throws. */
export async function describeForReport(handle: WorkflowHandle): Promise<string[]> {
  const lines = [`${handle.workflowId}:`];
  try {
    const d = await within(handle.describe(), 'describe');
    lines.push(`  status ${d.status.name}, ${d.historyLength} events`);
    for (const a of d.raw.pendingActivities ?? [])
      lines.push(
        `  pending activity ${a.activityType?.name} (#${a.activityId}) attempt ${a.attempt}, ${PendingActivityState[a.state ?? 0]}`,
      );
    const task = d.raw.pendingWorkflowTask;
    if (task)
      lines.push(
        `  pending workflow task: ${PendingWorkflowTaskState[task.state ?? 0]}, attempt ${task.attempt}`,
      );
  } catch (err) {
    lines.push(`  describe failed: ${(err as Error).message}`);
  }
  try {
    const events = (await within(handle.fetchHistory(), 'history')).events ?? [];
    const last = events.slice(-EVENTS).map((e) => `${e.eventId} ${eventName(e.eventType)}`);
    lines.push(`  last events: ${last.join(', ')}`);
  } catch (err) {
    lines.push(`  history failed: ${(err as Error).message}`);
  }
  return lines;
}

/** Prints the report for a failed test's workflows to stderr (CI keeps it beside the failure). */
export async function reportFailedTest(title: string, handles: WorkflowHandle[]): Promise<void> {
  const lines = [`      after the failed test "${title}":`];
  for (const handle of handles) lines.push(...(await describeForReport(handle)).map((l) => `        ${l}`));
  console.error(lines.join('\n'));
}
