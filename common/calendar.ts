/**
 * Business-day calendar (design.md, "Business days"): Monday–Friday in America/New_York, minus US
 * federal holidays as observed (OPM: Saturday → Friday before, Sunday → Monday after, also across a
 * year boundary). Pure: no I/O, and the answers do not depend on the process time zone (process.env.TZ).
 * The rules themselves live in common/business-calendar.ts; this module gives them New York's offsets
 * and wall clock (luxon, over the runtime's time-zone data) and the holidays (@18f/us-federal-holidays).
 * Activities and the CLI only: workflow code reads the recorded table (workflows/clock.ts), never luxon.
 */
import { allForYear } from '@18f/us-federal-holidays';
import { DateTime } from 'luxon';
import { BusinessCalendar, parseDate, tableSpan, type CalendarTable } from './business-calendar';

export const BUSINESS_TIME_ZONE = 'America/New_York';

/** Offset of New York from UTC at `ms` (epoch ms), in ms (e.g. -4 h during EDT). */
function zoneOffset(ms: number): number {
  const at = DateTime.fromMillis(ms, { zone: BUSINESS_TIME_ZONE });
  if (!at.isValid) throw new RangeError('invalid Date');
  return at.offset * 60_000;
}

interface HolidayYear {
  list: readonly { readonly date: string; readonly name: string }[];
  dates: ReadonlySet<string>;
}
const holidayCache = new Map<number, HolidayYear>();

function holidayYear(year: number): HolidayYear {
  let cached = holidayCache.get(year);
  if (!cached) {
    // allForYear(y) lists New Year's Day with its observed date, which may be Dec 31 of y-1; so both
    // lists are filtered by the observed date's year, picking up next year's New Year's Day if needed.
    const prefix = `${year}-`;
    const list = [...allForYear(year), ...allForYear(year + 1)]
      .filter((h) => h.dateString.startsWith(prefix))
      .map((h) => Object.freeze({ date: h.dateString, name: h.name }));
    cached = { list, dates: new Set(list.map((h) => h.date)) };
    holidayCache.set(year, cached);
  }
  return cached;
}

/** US federal holidays observed in calendar year `year` (OPM rules), in date order. */
export function observedHolidays(year: number): { date: string; name: string }[] {
  if (!Number.isInteger(year)) throw new RangeError(`invalid year: ${year}`);
  return holidayYear(year).list.map((h) => ({ ...h }));
}

/**
 * The rules over luxon: its offsets, and its own conversions between New York wall clock and UTC in
 * place of the rules' offset arithmetic (the recorded-table calendar keeps that arithmetic; both give
 * the same instants, test/calendar-table.test.ts).
 */
class NewYorkCalendar extends BusinessCalendar {
  override localDate(instant: Date): string {
    if (Number.isNaN(instant.getTime())) throw new RangeError('invalid Date');
    return DateTime.fromJSDate(instant, { zone: BUSINESS_TIME_ZONE }).toISODate()!;
  }

  /**
   * A time skipped by spring-forward is moved forward by the gap (luxon's reading); a time repeated by
   * fall-back is the first of the two (luxon would take the second), as in BusinessCalendar.
   */
  override atWallClock(date: string, hour: number, minute = 0, second = 0, ms = 0): Date {
    const { year, month, day } = parseDate(date);
    const wall = { year, month, day, hour, minute, second, millisecond: ms };
    const at = DateTime.fromObject(wall, { zone: BUSINESS_TIME_ZONE });
    if (!at.isValid) throw new RangeError(`invalid wall-clock time: ${date} ${hour}:${minute}`);
    const candidates = at.getPossibleOffsets().map((c) => c.toMillis());
    return new Date(candidates.length ? Math.min(...candidates) : at.toMillis());
  }
}

/** The real calendar: New York's offsets from luxon, holidays from the OPM rules' package. */
const real = new NewYorkCalendar({
  offsetAt: zoneOffset,
  isHoliday: (date) => holidayYear(parseDate(date).year).dates.has(date),
});

/** The calendar date 'YYYY-MM-DD' of `instant` in America/New_York. */
export const localDate = (instant: Date): string => real.localDate(instant);
/** The UTC instant of `hour:minute` wall-clock time in America/New_York on `date`. */
export const atLocalTime = (date: string, hour: number, minute = 0): Date =>
  real.atWallClock(date, hour, minute);
/** Monday–Friday and not an observed federal holiday. */
export const isBusinessDay = (date: string): boolean => real.isBusinessDay(date);
/** The n-th business day strictly after `date` (n ≥ 1). */
export const addBusinessDays = (date: string, n: number): string => real.addBusinessDays(date, n);
/** Business days after `from` up to and including `to` (both New York dates): 0 on the same day. */
export const businessDaysBetween = (from: string, to: string): number => real.businessDaysBetween(from, to);
export const nextBusinessDay = (date: string): string => real.addBusinessDays(date, 1);
/** 17:00 America/New_York on the n-th business day after the New York date of `from`. */
export const businessDeadline = (from: Date, businessDays: number): Date =>
  real.businessDeadline(from, businessDays);
/** `everyDays` after `previous` at the same New York time, or 09:00 on the next business day. */
export const reminderDueAt = (previous: Date, everyDays: number): Date =>
  real.reminderDueAt(previous, everyDays);
/** 09:00 America/New_York on `date`, or on the next business day. */
export const businessMorning = (date: string): Date => real.businessMorning(date);

/**
 * The table an agreement records (common/business-calendar.ts): the holidays of `fromYear`..`toYear`
 * and every change of New York's offset in that span, found by bisection to the second.
 */
export function calendarTable(fromYear: number, toYear: number): CalendarTable {
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear)
    throw new RangeError(`invalid years: ${fromYear}..${toYear}`);
  const holidays: string[] = [];
  for (let year = fromYear; year <= toYear; year++)
    holidays.push(...holidayYear(year).list.map((h) => h.date));
  const { startMs, endMs } = tableSpan(fromYear, toYear);
  const minutes = (ms: number) => zoneOffset(ms) / 60_000;
  const offsets: [number, number][] = [[startMs, minutes(startMs)]];
  const step = 6 * 3600_000;
  for (let t = startMs; t < endMs; t += step) {
    if (minutes(t + step) === minutes(t)) continue;
    let [lo, hi] = [t, t + step]; // offset(lo) is the old one, offset(hi) the new one
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (minutes(mid) === minutes(lo)) lo = mid;
      else hi = mid;
    }
    offsets.push([hi, minutes(hi)]);
  }
  return { fromYear, toYear, holidays, offsets };
}
