/**
 * The agreement's business-day clock (design.md, "Business days"), computed in workflow code from a
 * calendar table recorded in its history.
 *
 * Why not local activities (as before patch `deterministic-clock`): a query answered while a local
 * activity is pending makes the SDK's core complete the workflow task early, and when code beside the
 * main loop had already changed what the loop watches, the replay regrouped the commands and failed
 * (TMPRL1100: about one agreement in twenty under queries). With no local activity in the lifecycle, a
 * workflow task is never held open, so that class of failure cannot arise at any call site.
 *
 * The table (holidays and New York's UTC offsets for a span of years) comes from a regular activity,
 * once at triage and again only when a date falls outside it, and travels with the state across
 * continue-as-new: a later change of the holiday package or of the time-zone data never changes a
 * deadline an agreement has already computed, nor its replay.
 *
 * Agreements whose history predates the patch replay through the old local activities unchanged; their
 * next new workflow task moves them to the table.
 */
import { BusinessCalendar, tableSource, type CalendarTable } from '../common/business-calendar';
import { calendar as localCalendar, io } from './activities';
import type { Agreement } from './agreement-state';
import { DETERMINISTIC_CLOCK } from './patches';

const DAY_MS = 86_400_000;
/** A fresh table reaches this many years past the current one, so it is rarely fetched again. */
const YEARS_AHEAD = 2;

const calendars = new WeakMap<CalendarTable, BusinessCalendar>();

function yearOf(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/**
 * The agreement's table covering the instants `fromMs`..`toMs` (a year of margin either side, for New
 * York dates across New Year), fetched by the `calendarTable` activity only when it does not yet.
 * Whether to fetch follows from dates the agreement computed from the task's clock, so a task run on a
 * stale clock could decide otherwise only within seconds of the moment a year before the table ends;
 * a fresh table reaches two years past the current one, so that moment is rare.
 */
async function tableCovering(agreement: Agreement, fromMs: number, toMs: number): Promise<CalendarTable> {
  const { state } = agreement;
  const [from, to] = [yearOf(fromMs) - 1, yearOf(toMs) + 1];
  const held = state.calendar;
  if (held && (held.compressedDaySeconds || (held.fromYear <= from && held.toYear >= to))) return held;
  const table = await io.calendarTable({
    fromYear: Math.min(from, held?.fromYear ?? from),
    toYear: Math.max(to, held?.toYear ?? to, yearOf(Date.now()) + YEARS_AHEAD),
  });
  state.calendar = table;
  return table;
}

function rules(table: CalendarTable): BusinessCalendar {
  let rules = calendars.get(table);
  if (!rules) calendars.set(table, (rules = new BusinessCalendar(tableSource(table))));
  return rules;
}

/** Compressed days (benchmarks, fault tests): `days` later, every day a business day. */
function compressed(table: CalendarTable, from: string, days: number): string {
  return new Date(Date.parse(from) + days * table.compressedDaySeconds! * 1000).toISOString();
}

/** Fetches the table for the agreement's request date onwards ahead of need (triage), off the clock. */
export async function prepare(agreement: Agreement, receivedAt: string): Promise<void> {
  if (!agreement.patches.has(DETERMINISTIC_CLOCK)) return;
  await tableCovering(agreement, Math.min(Date.parse(receivedAt), Date.now()), Date.now());
}

/** 17:00 New York on the `businessDays`-th business day after `from`'s New York date (ISO-8601). */
export async function businessDeadline(
  agreement: Agreement,
  from: string,
  businessDays: number,
): Promise<string> {
  if (!agreement.patches.has(DETERMINISTIC_CLOCK))
    return localCalendar.businessDeadline({ from, businessDays });
  const at = Date.parse(from);
  const table = await tableCovering(agreement, at, at + (businessDays * 2 + 30) * DAY_MS);
  if (table.compressedDaySeconds) return compressed(table, from, businessDays);
  return rules(table).businessDeadline(new Date(at), businessDays).toISOString();
}

/** `everyDays` after `previous` at the same New York time, or 09:00 on the next business day. */
export async function reminderDueAt(
  agreement: Agreement,
  previous: string,
  everyDays: number,
): Promise<string> {
  if (!agreement.patches.has(DETERMINISTIC_CLOCK))
    return localCalendar.reminderDueAt({ previous, everyDays });
  const at = Date.parse(previous);
  const table = await tableCovering(agreement, at, at + (everyDays + 30) * DAY_MS);
  if (table.compressedDaySeconds) return compressed(table, previous, everyDays);
  return rules(table).reminderDueAt(new Date(at), everyDays).toISOString();
}

/** 09:00 New York on `date` (YYYY-MM-DD), or on the next business day. */
export async function businessMorning(agreement: Agreement, date: string): Promise<string> {
  if (!agreement.patches.has(DETERMINISTIC_CLOCK)) return localCalendar.businessMorning({ date });
  const at = Date.parse(`${date}T12:00:00Z`);
  const table = await tableCovering(agreement, at, at + 30 * DAY_MS);
  if (table.compressedDaySeconds) return new Date(`${date}T14:00:00Z`).toISOString();
  return rules(table).businessMorning(date).toISOString();
}
