/**
 * The lifecycle baseline: a workflow with the shape of one real agreement's history (counted by
 * bench/lib/history.ts from `temporal workflow show`), doing nothing else. It is started by
 * update-with-start (`join`, answered once the `before` activities are done, as dura answers after
 * triage), runs the activities of each waiting segment with the fired timers' durations between them,
 * waits for the `execute` update (a timer that the update cancels, as dura's clock does), runs the
 * `after` activities and completes. Activities within a segment run at once: the least a workflow can do.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { baselineActivities } from '../lib/baseline-worker';

export interface Segment {
  activities: number;
  localActivities: number;
}

export interface LifecycleShape {
  /** Until the `join` update answers. */
  before: Segment;
  /** [0] after the answer; [k] after the k-th fired timer. */
  waiting: Segment[];
  /** The timers that fired while waiting for the signature (dura's reminders), in order. */
  timersMs: number[];
  /** After the `execute` update. */
  after: Segment;
  /**
   * Timers started and cancelled (dura's clock re-arms its wake-up timer when an activity or update
   * wakes it first). One is the wait for `execute`; the rest watch the first waiting segments.
   */
  cancelledTimers: number;
}

export const baselineJoin = defineUpdate<{ outcome: string }, [unknown]>('join');
export const baselineExecute = defineUpdate<{ stage: string }, [unknown]>('execute');
/**
 * `ready`: every timer has fired, so the driver may execute (as dura's after its 2nd reminder);
 * `nextAt`: when the running timer fires (as dura's `nextReminderAt`).
 */
export const baselineProgress = defineQuery<{ ready: boolean; nextAt: string | null }>('progress');

const remote = proxyActivities<typeof baselineActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<typeof baselineActivities>({ startToCloseTimeout: '10 seconds' });

async function run(segment: Segment | undefined): Promise<void> {
  if (!segment) return;
  await Promise.all([
    ...Array.from({ length: segment.activities }, () => remote.noop()),
    ...Array.from({ length: segment.localActivities }, () => local.noop()),
  ]);
}

/** Runs the segment under a timer that its end cancels (when `watched`). */
async function watchedRun(segment: Segment | undefined, watched: boolean): Promise<void> {
  if (!watched) return run(segment);
  const scope = new CancellationScope();
  const timer = scope.run(() => sleep('1 hour')).catch(() => undefined);
  await run(segment);
  scope.cancel();
  await timer;
}

export async function lifecycleBaselineWorkflow(shape: LifecycleShape): Promise<string> {
  let watchers = Math.max(0, shape.cancelledTimers - 1);
  let answered = false;
  let executed = false;
  let fired = 0;
  let nextAt: string | null = null;
  setHandler(baselineJoin, async () => {
    await condition(() => answered);
    return { outcome: 'started' };
  });
  setHandler(baselineExecute, () => {
    executed = true;
    return { stage: 'executed' };
  });
  setHandler(baselineProgress, () => ({ ready: fired === shape.timersMs.length, nextAt }));

  await run(shape.before);
  answered = true;
  await watchedRun(shape.waiting[0], watchers-- > 0);
  for (const [k, ms] of shape.timersMs.entries()) {
    nextAt = new Date(Date.now() + ms).toISOString();
    await sleep(ms);
    fired++;
    await watchedRun(shape.waiting[k + 1], watchers-- > 0);
  }
  if (!(await condition(() => executed, '10 minutes'))) throw new Error('never executed');
  await run(shape.after);
  await condition(allHandlersFinished);
  return 'completed';
}
