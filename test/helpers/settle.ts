/**
 * Ending a test's agreements on the time-skipping server without stranding them.
 *
 * The Java test server strands a run whose workflow task cancels a timer that fired while the task was
 * with the worker (it refuses the completion, "invalid history builder state for action", and never
 * sends the task again: sdk-java#3088), and a run terminated while its task is with the worker keeps
 * the server's clock from skipping for the rest of the file. `result()` lets the clock run until it
 * locks it again, so when a test ends, another agreement's reminder may be going out. So a test's
 * agreements end only once settled: no workflow task and no activity outstanding. With the clock
 * locked between tests, nothing then moves until the termination (which needs no workflow task).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { until } from './wait';

const SETTLE_MS = 30_000;

const E = temporal.api.enums.v1.EventType;
/** What a completed workflow task leaves last in history; anything else (a task, an activity's or a
 * timer's outcome, a child starting) means a workflow task is coming or under way. */
const QUIET = new Set<temporal.api.enums.v1.EventType>([
  E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  E.EVENT_TYPE_TIMER_STARTED,
  E.EVENT_TYPE_TIMER_CANCELED,
  E.EVENT_TYPE_MARKER_RECORDED,
  E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
]);

/**
 * Waits (real time, polling with `until` every 100 ms, at most `ms`) until the run is quiet: no activity
 * pending, its history ends in what a completed workflow task leaves, and the same last event on two
 * polls in a row (the Java server's describe reports no workflow tasks, and an activity's completion
 * can be read before the task it schedules). 'closed', 'quiet', or 'busy' when `ms` ran out.
 */
export async function settled(handle: WorkflowHandle, ms = SETTLE_MS): Promise<'closed' | 'quiet' | 'busy'> {
  let quietAt: string | undefined;
  let closed = false;
  try {
    await until(async () => {
      const description = await handle.describe();
      if ((closed = description.status.name !== 'RUNNING')) return true;
      const last = (await handle.fetchHistory()).events?.at(-1);
      const quiet =
        !description.raw.pendingActivities?.length && last?.eventType != null && QUIET.has(last.eventType);
      const at = quiet ? String(last?.eventId) : undefined;
      const twice = at !== undefined && at === quietAt;
      quietAt = at;
      return twice;
    }, ms);
  } catch {
    return 'busy';
  }
  return closed ? 'closed' : 'quiet';
}

/** Terminates each running workflow once it has settled (see above); closed ones are left as they are. */
export async function endWhenSettled(handles: Iterable<WorkflowHandle>, reason: string): Promise<void> {
  for (const handle of handles) {
    const state = await settled(handle);
    if (state === 'closed') continue;
    if (state === 'busy')
      console.warn(
        `      ${handle.workflowId} did not settle in ${SETTLE_MS / 1000} s; terminating it anyway`,
      );
    await handle.terminate(reason).catch(async (err) => {
      if ((await handle.describe()).status.name === 'RUNNING') throw err; // else it closed meanwhile
    });
  }
}
