/**
 * Business-day calendar (design.md, "Business days"): Monday–Friday in America/New_York, minus US
 * federal holidays as observed (OPM: Saturday → Friday before, Sunday → Monday after, also across a
 * year boundary). Pure: no I/O, and the answers do not depend on the process time zone (process.env.TZ).
 * Calendar dates are 'YYYY-MM-DD' strings; date arithmetic on them goes through Date.UTC only.
 */
import { allForYear } from '@18f/us-federal-holidays';

export const BUSINESS_TIME_ZONE = 'America/New_York';

const DAY_MS = 86_400_000;

// Building an Intl.DateTimeFormat is costly, so one is kept. h23 avoids "24" for midnight.
const wallClockFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: BUSINESS_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: Date): WallClock {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid Date');
  const parts: Record<string, number> = {};
  for (const p of wallClockFormat.formatToParts(instant))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = parts;
  return { year, month, day, hour, minute, second };
}

/** Offset of New York from UTC at `ms`, in ms (e.g. -4 h during EDT). */
function zoneOffset(ms: number): number {
  const w = wallClock(new Date(ms));
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - wholeSecond;
}

function parseDate(date: string): { year: number; month: number; day: number; utcMs: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
  const utcMs = Date.UTC(year, month - 1, day);
  // Round-trip check rejects '2026-02-30' and friends, which Date.UTC would silently roll over.
  if (!m || formatUtcDate(utcMs) !== date) throw new RangeError(`invalid calendar date: ${date}`);
  return { year, month, day, utcMs };
}

function formatUtcDate(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}

function addCalendarDays(date: string, days: number): string {
  return formatUtcDate(parseDate(date).utcMs + days * DAY_MS);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The calendar date 'YYYY-MM-DD' of `instant` in America/New_York. */
export function localDate(instant: Date): string {
  const w = wallClock(instant);
  return `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}`;
}

function atWallClock(date: string, hour: number, minute: number, second = 0, ms = 0): Date {
  const { year, month, day } = parseDate(date);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // The offset at the naive guess can be the wrong side of a DST switch; a second pass fixes that.
  const first = asUtc - zoneOffset(asUtc);
  const refined = asUtc - zoneOffset(first);
  // A disagreeing pair means a wall-clock time skipped by spring-forward: take the later instant (moved
  // forward by the gap, like Temporal's 'compatible'). A repeated fall-back time resolves to the earlier.
  return new Date(zoneOffset(refined) === zoneOffset(first) ? refined : Math.max(first, refined));
}

/** The UTC instant of `hour:minute` wall-clock time in America/New_York on `date`. */
export function atLocalTime(date: string, hour: number, minute = 0): Date {
  return atWallClock(date, hour, minute);
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

/** Monday–Friday and not an observed federal holiday. */
export function isBusinessDay(date: string): boolean {
  const { year, utcMs } = parseDate(date);
  const weekday = new Date(utcMs).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidayYear(year).dates.has(date);
}

/** The n-th business day strictly after `date` (n ≥ 1). */
export function addBusinessDays(date: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`business days must be an integer >= 1, got ${n}`);
  let current = date;
  for (let found = 0; found < n;) {
    current = addCalendarDays(current, 1);
    if (isBusinessDay(current)) found++;
  }
  return current;
}

/** Business days after `from` up to and including `to` (both New York dates): 0 on the same day. */
export function businessDaysBetween(from: string, to: string): number {
  let count = 0;
  for (let day = from; day < to;) {
    day = addCalendarDays(day, 1);
    if (isBusinessDay(day)) count++;
  }
  return count;
}

export function nextBusinessDay(date: string): string {
  return addBusinessDays(date, 1);
}

/** 17:00 America/New_York on the n-th business day after the New York date of `from`. */
export function businessDeadline(from: Date, businessDays: number): Date {
  return atLocalTime(addBusinessDays(localDate(from), businessDays), 17);
}

/**
 * The same New York wall-clock time `everyDays` calendar days after `previous`; if that date is not a
 * business day, 09:00 New York on the next business day after it.
 */
export function reminderDueAt(previous: Date, everyDays: number): Date {
  if (!Number.isInteger(everyDays) || everyDays < 1)
    throw new RangeError(`reminder interval must be an integer >= 1, got ${everyDays}`);
  const due = addCalendarDays(localDate(previous), everyDays);
  if (!isBusinessDay(due)) return atLocalTime(nextBusinessDay(due), 9);
  const w = wallClock(previous);
  return atWallClock(due, w.hour, w.minute, w.second, ((previous.getTime() % 1000) + 1000) % 1000);
}
