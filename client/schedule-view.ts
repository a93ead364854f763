/**
 * The schedule in the access team's words: its spec as a sentence, its run times in New York and UTC,
 * and the text `dura schedule show` prints. Pure functions, no I/O.
 */
import type { CalendarSpecDescription, Range, ScheduleDescription } from '@temporalio/client';
import { DateTime } from 'luxon';
import { inWords } from '../common/when';

const ZONE = 'America/New_York';

/** The one value the ranges allow, or null (the server reads an end below the start as the start). */
function single<T>(ranges: Range<T>[]): T | null {
  const [range] = ranges;
  return ranges.length === 1 && !(range!.end > range!.start) ? range!.start : null;
}

/** No restriction: absent, or one range over every value. */
function any<T>(ranges: Range<T>[], first: T, last: T): boolean {
  const [r] = ranges;
  return (
    ranges.length === 0 || (ranges.length === 1 && r!.start === first && r!.end === last && r!.step <= 1)
  );
}

/** Every week of every month and year, at a whole minute. */
function weekly(c: CalendarSpecDescription): boolean {
  return (
    single(c.second) === 0 &&
    any(c.dayOfMonth, 1, 31) &&
    any(c.month, 'JANUARY', 'DECEMBER') &&
    !c.year.length
  );
}

/** Monday 09:00:00, every week. */
export function isDigestCalendar(c: CalendarSpecDescription): boolean {
  return weekly(c) && single(c.dayOfWeek) === 'MONDAY' && single(c.hour) === 9 && single(c.minute) === 0;
}

function rangeText<T>(ranges: Range<T>[]): string {
  const one = (r: Range<T>) =>
    r.end > r.start ? `${r.start}-${r.end}${r.step > 1 ? `/${r.step}` : ''}` : `${r.start}`;
  return ranges.map(one).join(',') || '*';
}

function calendarInWords(c: CalendarSpecDescription, zone: string): string {
  const [hour, minute] = [single(c.hour), single(c.minute)];
  if (!weekly(c) || hour === null || minute === null)
    return `at ${rangeText(c.hour)}:${rangeText(c.minute)}:${rangeText(c.second)} on day-of-week ${rangeText(c.dayOfWeek)}, day ${rangeText(c.dayOfMonth)}, month ${rangeText(c.month)}, year ${rangeText(c.year)} ${zone}`;
  const days = any(c.dayOfWeek, 'SUNDAY', 'SATURDAY')
    ? 'day'
    : rangeText(c.dayOfWeek).replace(/[A-Z]+/g, (d) => d.charAt(0) + d.slice(1).toLowerCase());
  return `every ${days} at ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} ${zone}`;
}

/** "every Monday at 09:00 America/New_York"; any other spec spelled out field by field. */
export function specInWords(spec: ScheduleDescription['spec']): string {
  const zone = spec.timezone || 'UTC';
  const parts = (spec.calendars ?? []).map((c) => calendarInWords(c, zone));
  for (const i of spec.intervals ?? []) parts.push(`every ${i.every / 1000} s (offset ${i.offset / 1000} s)`);
  return parts.join('; ') || 'never';
}

export interface RunTime {
  /** The wall clock in New York with its offset, e.g. 2026-11-23T09:00:00-05:00. */
  newYork: string;
  weekday: string;
  utc: string;
}

export function runTime(at: Date): RunTime {
  const local = DateTime.fromJSDate(at, { zone: ZONE }).setLocale('en-US');
  return {
    newYork: local.toISO({ suppressMilliseconds: true })!,
    weekday: local.toFormat('cccc'),
    utc: at.toISOString(),
  };
}

/** "Monday, November 23, 2026, 9:00 AM ET (14:00 UTC)". */
export function runTimeText(t: RunTime): string {
  return `${inWords(t.utc)} (${t.utc.slice(11, 16)} UTC)`;
}

export interface RecentRun {
  scheduledAt: string;
  startedAt: string;
  workflowId: string;
  runId: string;
  /** The run's status: RUNNING, COMPLETED, FAILED…; `unknown` when it can no longer be described. */
  status: string;
}

/** What `dura schedule show --json` prints. */
export interface ScheduleView {
  scheduleId: string;
  /** The spec in words, e.g. "every Monday at 09:00 America/New_York". */
  schedule: string;
  timezone: string;
  paused: boolean;
  note: string | null;
  workflowType: string;
  taskQueue: string;
  overlap: string;
  catchupWindowMs: number;
  /** Empty while paused. */
  nextRuns: RunTime[];
  recentRuns: (RecentRun & { startedAtNewYork: string })[];
}

export function scheduleView(d: ScheduleDescription, recentRuns: RecentRun[]): ScheduleView {
  return {
    scheduleId: d.scheduleId,
    schedule: specInWords(d.spec),
    timezone: d.spec.timezone || 'UTC',
    paused: d.state.paused,
    note: d.state.note || null,
    workflowType: d.action.workflowType,
    taskQueue: d.action.taskQueue,
    overlap: d.policies.overlap ?? 'SKIP',
    catchupWindowMs: d.policies.catchupWindow,
    // A paused schedule takes none of the times the server still computes.
    nextRuns: d.state.paused ? [] : d.info.nextActionTimes.map(runTime),
    recentRuns: recentRuns.map((r) => ({ ...r, startedAtNewYork: runTime(new Date(r.startedAt)).newYork })),
  };
}

export function scheduleText(v: ScheduleView): string {
  const state = v.paused ? `PAUSED${v.note ? ` (${v.note})` : ''}` : 'active';
  const hours = Math.round(v.catchupWindowMs / 3600_000);
  const recent = v.recentRuns
    .slice(-5)
    .map((r) => `  ${runTimeText(runTime(new Date(r.startedAt)))}  ${r.workflowId}  ${r.status}`);
  return [
    `${v.scheduleId}: ${v.schedule}; ${state}`,
    `starts ${v.workflowType} on task queue ${v.taskQueue}; overlap ${v.overlap}; catch-up window ${hours} h`,
    'Next runs:',
    ...(v.paused ? ['  none while paused'] : v.nextRuns.slice(0, 5).map((t) => `  ${runTimeText(t)}`)),
    'Recent runs:',
    ...(recent.length ? recent : ['  none yet']),
  ].join('\n');
}
