/**
 * The automated schedule: `dura-digest` starts the digest workflow every Monday at 09:00 New York time.
 * `ensureDigestSchedule` is idempotent (npm start and `dura schedule ensure` run it every time): it creates
 * the schedule when missing, brings an existing one to the desired spec and action, and leaves a matching
 * one alone; a paused schedule stays paused. Expected outcomes come back as values, not errors.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptions,
} from '@temporalio/client';
import type { Config } from '../common/config';
import { UserError } from './output';
import { isDigestCalendar, type RecentRun } from './schedule-view';

export const DIGEST_SCHEDULE_ID = 'dura-digest';
/** The business key of the runs: Temporal appends each action's time (`dura-digest-2026-11-23T14:00:00Z`). */
export const DIGEST_WORKFLOW_ID = 'dura-digest';
export const DIGEST_TIMEZONE = 'America/New_York';
/**
 * If Temporal is down at 09:00 on Monday, the digest still goes out when it is back within three days
 * (by Thursday); later than that, next Monday's digest comes sooner than a late one would help.
 */
export const CATCHUP_WINDOW_MS = 3 * 24 * 3600_000;

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/** The schedule as it should be: spec, action and policies (its paused state is the access team's). */
export function digestScheduleOptions(config: Pick<Config, 'DURA_TASK_QUEUE'>): ScheduleOptions {
  return {
    scheduleId: DIGEST_SCHEDULE_ID,
    spec: {
      calendars: [{ dayOfWeek: 'MONDAY', hour: 9, minute: 0, comment: 'weekly digest to the access team' }],
      timezone: DIGEST_TIMEZONE,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'digestWorkflow',
      workflowId: DIGEST_WORKFLOW_ID,
      taskQueue: config.DURA_TASK_QUEUE,
      args: [],
    },
    // SKIP: one digest at a time; a run still retrying its mail when the next is due makes that one moot.
    policies: { overlap: 'SKIP', catchupWindow: CATCHUP_WINDOW_MS },
  };
}

/** Whether the existing schedule already does what `desired` says. */
export function matches(existing: ScheduleDescription, desired: ScheduleOptions): boolean {
  const { spec, action, policies } = existing;
  return (
    spec.calendars?.length === 1 &&
    isDigestCalendar(spec.calendars[0]!) &&
    !spec.intervals?.length &&
    !spec.skip?.length &&
    !spec.startAt &&
    !spec.endAt &&
    !spec.jitter &&
    spec.timezone === desired.spec.timezone &&
    action.workflowType === desired.action.workflowType &&
    action.workflowId === desired.action.workflowId &&
    action.taskQueue === desired.action.taskQueue &&
    (action.args ?? []).length === 0 &&
    policies.overlap === desired.policies?.overlap &&
    policies.catchupWindow === desired.policies?.catchupWindow
  );
}

export async function ensureDigestSchedule(
  client: Client,
  config: Pick<Config, 'DURA_TASK_QUEUE'>,
): Promise<{ scheduleId: string; outcome: EnsureOutcome; paused: boolean }> {
  const desired = digestScheduleOptions(config);
  const scheduleId = DIGEST_SCHEDULE_ID;
  try {
    await client.schedule.create({ ...desired, state: { note: 'created by dura schedule ensure' } });
    return { scheduleId, outcome: 'created', paused: false };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const existing = await handle.describe();
  if (matches(existing, desired)) return { scheduleId, outcome: 'unchanged', paused: existing.state.paused };
  let paused = existing.state.paused;
  await handle.update((previous) => {
    paused = previous.state.paused;
    // The whole schedule is replaced: the desired spec, action and policies; the state as it was.
    const { paused: wasPaused, note, remainingActions } = previous.state;
    return { ...desired, state: { paused: wasPaused, note, remainingActions } };
  });
  return { scheduleId, outcome: 'updated', paused };
}

/** Runs `work` on the schedule; a missing schedule is a user error that says what to do. */
async function onSchedule<T>(client: Client, work: (handle: ScheduleHandle) => Promise<T>): Promise<T> {
  try {
    return await work(client.schedule.getHandle(DIGEST_SCHEDULE_ID));
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new UserError(`no schedule ${DIGEST_SCHEDULE_ID}: run \`dura schedule ensure\` first`);
    throw err;
  }
}

/** The schedule and its last runs, each with its status now. */
export async function describeDigestSchedule(
  client: Client,
): Promise<{ description: ScheduleDescription; recentRuns: RecentRun[] }> {
  const description = await onSchedule(client, (handle) => handle.describe());
  const recentRuns = await Promise.all(
    description.info.recentActions.map(async ({ scheduledAt, takenAt, action }) => {
      const { workflowId, firstExecutionRunId: runId } = action.workflow;
      const status = await client.workflow
        .getHandle(workflowId, runId)
        .describe()
        .then((d) => d.status.name as string)
        .catch(() => 'unknown');
      return {
        scheduledAt: scheduledAt.toISOString(),
        startedAt: takenAt.toISOString(),
        workflowId,
        runId,
        status,
      };
    }),
  );
  return { description, recentRuns };
}

export function pauseDigestSchedule(client: Client, note: string): Promise<void> {
  return onSchedule(client, (handle) => handle.pause(note));
}

/** Resumes the digest; false when it was not paused (nothing changed, the note not written). */
export function resumeDigestSchedule(client: Client, note: string): Promise<boolean> {
  return onSchedule(client, async (handle) => {
    if (!(await handle.describe()).state.paused) return false;
    await handle.unpause(note);
    return true;
  });
}

/** Starts a digest now, paused or not, whatever is running (a manual trigger always runs). */
export function triggerDigest(client: Client): Promise<void> {
  return onSchedule(client, (handle) => handle.trigger('ALLOW_ALL'));
}
