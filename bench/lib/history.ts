/**
 * One workflow's history, read with the official `temporal workflow show --output json`, counted
 * (activities, local activities, timers, updates, signals, workflow tasks) and turned into the shape
 * the lifecycle baseline replays (bench/workflows/lifecycle.ts), so the baseline does what a real
 * agreement did, counted rather than guessed.
 */
import type { Client } from '@temporalio/client';
import type { LifecycleShape, Segment } from '../workflows/lifecycle';
import { runTimed } from './process';

export interface HistoryEvent {
  eventType: string;
  [attributes: string]: unknown;
}

export async function fetchHistory(temporal: string, address: string, workflowId: string): Promise<HistoryEvent[]> {
  const r = await runTimed(temporal, [
    ...['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--output', 'json'],
  ]);
  if (r.status !== 0) throw new Error(`temporal workflow show ${workflowId}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { events: HistoryEvent[] }).events;
}

/** A history's length and size as the server keeps them (DescribeWorkflowExecution): what it stores. */
export interface HistorySize {
  events: number;
  bytes: number;
}

/** One workflow's whole history, as long as it is one run (a bench lifecycle never continues as new). */
export async function historySize(client: Client, workflowId: string): Promise<HistorySize> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const firstRunId = d.raw.workflowExecutionInfo?.firstRunId;
  if (firstRunId && firstRunId !== d.runId) throw new Error(`${workflowId}: more than one run`);
  if (d.historySize === undefined) throw new Error(`${workflowId}: the server gives no history size`);
  return { events: d.historyLength, bytes: d.historySize };
}

export interface HistoryCounts {
  events: number;
  /** The history's size as the CLI prints it (JSON): payloads (inputs, results, snapshots) dominate. */
  kilobytes: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  timersStarted: number;
  timersFired: number;
  timersCancelled: number;
  updates: number;
  signals: number;
  searchAttributeUpserts: number;
}

const type = (e: HistoryEvent) => e.eventType.replace(/^EVENT_TYPE_/, '');
const isLocalActivity = (e: HistoryEvent) =>
  type(e) === 'MARKER_RECORDED' &&
  (e.markerRecordedEventAttributes as { markerName?: string } | undefined)?.markerName === 'core_local_activity';

export function countHistory(events: HistoryEvent[]): HistoryCounts {
  const n = (t: string) => events.filter((e) => type(e) === t).length;
  return {
    events: events.length,
    kilobytes: Math.round(JSON.stringify(events).length / 1024),
    workflowTasks: n('WORKFLOW_TASK_COMPLETED'),
    activities: n('ACTIVITY_TASK_SCHEDULED'),
    localActivities: events.filter(isLocalActivity).length,
    timersStarted: n('TIMER_STARTED'),
    timersFired: n('TIMER_FIRED'),
    timersCancelled: n('TIMER_CANCELED'),
    updates: n('WORKFLOW_EXECUTION_UPDATE_ACCEPTED'),
    signals: n('WORKFLOW_EXECUTION_SIGNALED'),
    searchAttributeUpserts: n('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
  };
}

/** "6.998s" (protobuf JSON Duration) in milliseconds. */
const durationMs = (d: unknown) => Math.round(parseFloat(String(d)) * 1000);

/**
 * Phases of an agreement started by update-with-start and executed by an update: before the first
 * update's answer, waiting (split at each fired timer) until the second update is accepted, after.
 */
export function lifecycleShape(events: HistoryEvent[]): LifecycleShape {
  const segment = (): Segment => ({ activities: 0, localActivities: 0 });
  const shape: LifecycleShape = {
    before: segment(),
    waiting: [segment()],
    timersMs: [],
    after: segment(),
    cancelledTimers: 0,
  };
  const timers = new Map<string, number>();
  let phase: 'before' | 'waiting' | 'after' = 'before';
  let updates = 0;
  let scheduledThisTask = 0; // remote activities scheduled by the latest workflow task
  const current = () =>
    phase === 'before' ? shape.before : phase === 'after' ? shape.after : shape.waiting.at(-1)!;
  for (const e of events) {
    const attributes = (key: string) => (e[key] ?? {}) as Record<string, unknown>;
    switch (type(e)) {
      case 'WORKFLOW_TASK_COMPLETED':
        scheduledThisTask = 0;
        break;
      case 'ACTIVITY_TASK_SCHEDULED':
        current().activities++;
        scheduledThisTask++;
        break;
      case 'MARKER_RECORDED':
        if (isLocalActivity(e)) current().localActivities++;
        break;
      case 'WORKFLOW_EXECUTION_UPDATE_COMPLETED':
        if (phase !== 'before') break;
        // The task that answered also scheduled these: the answer did not wait for them.
        shape.before.activities -= scheduledThisTask;
        shape.waiting[0]!.activities += scheduledThisTask;
        phase = 'waiting';
        break;
      case 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED':
        if (++updates === 2) phase = 'after';
        break;
      case 'TIMER_STARTED': {
        const a = attributes('timerStartedEventAttributes');
        timers.set(String(a.timerId), durationMs(a.startToFireTimeout));
        break;
      }
      case 'TIMER_CANCELED':
        shape.cancelledTimers++;
        break;
      case 'TIMER_FIRED':
        if (phase === 'waiting') {
          shape.timersMs.push(timers.get(String(attributes('timerFiredEventAttributes').timerId)) ?? 0);
          shape.waiting.push(segment());
        }
        break;
    }
  }
  return shape;
}
