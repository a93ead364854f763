/**
 * Skipping time on the Java time-skipping test server, riding out a time lock the server leaves taken.
 *
 * The server counts locks on skipping time (each workflow task and activity takes one, `sleep` and
 * `result()` release the client's). Rarely (2 CI runs in about 40), after an update that completed
 * beside an activity, its clock stopped for good: `env.sleep(37 days)` never returned while the
 * agreement waited on a timer with nothing pending (hang report: RUNNING, no pending activity or
 * workflow task). A lock had been left taken, a bug of the server's own kind (sdk-java#1138, #1243,
 * #3088), not dura's. So: when the server's time has moved no faster than the wall clock for `stallMs` while nothing
 * the test opened has work pending, one lock is released with the server's own `unlockTimeSkipping`,
 * and stderr says so. Should no lock be left taken after all, the server refuses ("Unbalanced lock and
 * unlock calls") with its lock log, which is printed instead.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';

/** Real time the server's clock may go without skipping, nothing pending, before a lock counts as left taken. */
export const STALL_MS = 15_000;

/** Whether any of these workflows has an activity or a workflow task pending (a reason to hold time). */
async function anythingPending(handles: WorkflowHandle[]): Promise<boolean> {
  for (const handle of handles) {
    const { raw } = await handle.describe();
    if ((raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask) return true;
  }
  return false;
}

async function releaseLeftLock(env: TestWorkflowEnvironment, stallMs: number): Promise<boolean> {
  try {
    await env.connection.testService!.unlockTimeSkipping({}); // a time-skipping env has one
    console.error(
      `      the time-skipping server's clock did not skip for ${stallMs / 1000} s with nothing pending: ` +
        'released the time lock it had left taken',
    );
    return true;
  } catch (err) {
    console.error(
      `      the time-skipping server's clock does not skip; it holds no lock: ${(err as Error).message}`,
    );
    return false;
  }
}

/**
 * `env.sleep(ms)`: advances the test server's clock by `ms` (firing timers on the way); resolves once
 * it has. `opened()`: the workflows the test started, whose pending work legitimately holds time.
 * Returns how many locks left taken were released (0 almost always).
 */
export async function skipTime(
  env: TestWorkflowEnvironment,
  ms: number,
  opened: () => WorkflowHandle[],
  stallMs = STALL_MS,
): Promise<number> {
  let finished = false;
  const sleeping = env.sleep(ms).then(() => {
    finished = true;
    return 'done' as const;
  });
  // A skip short enough for the wall clock to make cannot be told from a stall: only waited for.
  if (ms <= 4 * stallMs) return sleeping.then(() => 0);
  let released = 0;
  let before = await env.currentTimeMs();
  for (;;) {
    const waiting = new AbortController();
    const timer = delay(stallMs, 'watched' as const, { signal: waiting.signal }).catch(
      () => 'aborted' as const,
    );
    const outcome = await Promise.race([sleeping, timer]);
    waiting.abort();
    if (outcome === 'done') return released;
    const now = await env.currentTimeMs();
    // A locked clock still moves, at the wall clock's pace: not skipping is moving no faster than that.
    const skipping = now - before > 2 * stallMs;
    const stalled = !skipping && !(await anythingPending(opened())) && !finished;
    if (stalled && (await releaseLeftLock(env, stallMs))) released++;
    before = now;
  }
}
