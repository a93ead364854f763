/**
 * The business-day rules of design.md ("Business days") over any source of New York's UTC offset and
 * observed holidays. No imports and no I/O: the worker's activities run it over Intl and the holiday
 * package (common/calendar.ts), the agreement workflow over the calendar table recorded in its history
 * (workflows/clock.ts), so both give the same answers and a replay never depends on today's tables.
 * Calendar dates are 'YYYY-MM-DD' strings; date arithmetic on them goes through Date.UTC only.
 */

/** Where the rules get New York's offset and the holidays from. */
export interface CalendarSource {
  /** New York's offset from UTC at the instant `ms` (epoch ms), in ms (e.g. -4 h during EDT). */
  offsetAt(ms: number): number;
  /** Whether `date` (YYYY-MM-DD) is a US federal holiday as observed (OPM rules). */
  isHoliday(date: string): boolean;
}

const DAY_MS = 86_400_000;

export function parseDate(date: string): { year: number; month: number; day: number; utcMs: number } {
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

export class BusinessCalendar {
  constructor(private readonly source: CalendarSource) {}

  /** The New York wall clock at `instant`, as a Date whose UTC fields read New York time. */
  private wall(instant: Date): Date {
    const ms = instant.getTime();
    if (Number.isNaN(ms)) throw new RangeError('invalid Date');
    return new Date(ms + this.source.offsetAt(ms));
  }

  /** The calendar date 'YYYY-MM-DD' of `instant` in America/New_York. */
  localDate(instant: Date): string {
    return this.wall(instant).toISOString().slice(0, 10);
  }

  /** The UTC instant of a New York wall-clock time on `date`. */
  atWallClock(date: string, hour: number, minute = 0, second = 0, ms = 0): Date {
    const { year, month, day } = parseDate(date);
    const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
    const offset = (at: number) => this.source.offsetAt(at);
    // The offset at the naive guess can be the wrong side of a DST switch; a second pass fixes that.
    const first = asUtc - offset(asUtc);
    const refined = asUtc - offset(first);
    // A disagreeing pair means a wall-clock time skipped by spring-forward: take the later instant (moved
    // forward by the gap, like Temporal's 'compatible'). A repeated fall-back time resolves to the earlier.
    return new Date(offset(refined) === offset(first) ? refined : Math.max(first, refined));
  }

  /** Monday–Friday and not an observed federal holiday. */
  isBusinessDay(date: string): boolean {
    const weekday = new Date(parseDate(date).utcMs).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !this.source.isHoliday(date);
  }

  /** The n-th business day strictly after `date` (n ≥ 1). */
  addBusinessDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`business days must be an integer >= 1, got ${n}`);
    let current = date;
    for (let found = 0; found < n;) {
      current = addCalendarDays(current, 1);
      if (this.isBusinessDay(current)) found++;
    }
    return current;
  }

  /** Business days after `from` up to and including `to` (both New York dates): 0 on the same day. */
  businessDaysBetween(from: string, to: string): number {
    let count = 0;
    for (let day = from; day < to;) {
      day = addCalendarDays(day, 1);
      if (this.isBusinessDay(day)) count++;
    }
    return count;
  }

  /** 17:00 America/New_York on the n-th business day after the New York date of `from`. */
  businessDeadline(from: Date, businessDays: number): Date {
    return this.atWallClock(this.addBusinessDays(this.localDate(from), businessDays), 17);
  }

  /**
   * The same New York wall-clock time `everyDays` calendar days after `previous`; if that date is not a
   * business day, 09:00 New York on the next business day after it.
   */
  reminderDueAt(previous: Date, everyDays: number): Date {
    if (!Number.isInteger(everyDays) || everyDays < 1)
      throw new RangeError(`reminder interval must be an integer >= 1, got ${everyDays}`);
    const due = addCalendarDays(this.localDate(previous), everyDays);
    if (!this.isBusinessDay(due)) return this.atWallClock(this.addBusinessDays(due, 1), 9);
    const w = this.wall(previous);
    return this.atWallClock(
      due,
      w.getUTCHours(),
      w.getUTCMinutes(),
      w.getUTCSeconds(),
      w.getUTCMilliseconds(),
    );
  }

  /** 09:00 America/New_York on `date`, or on the next business day when `date` is not one. */
  businessMorning(date: string): Date {
    return this.atWallClock(this.isBusinessDay(date) ? date : this.addBusinessDays(date, 1), 9);
  }
}

/**
 * The calendar as an agreement records it in its history (workflows/clock.ts): the observed holidays
 * and New York's UTC offsets for a span of years, computed by an activity from Intl and the holiday
 * package (common/calendar.ts `calendarTable`).
 */
export interface CalendarTable {
  /** First and last calendar year covered (New York dates). */
  fromYear: number;
  toYear: number;
  /** Observed federal holidays in those years, YYYY-MM-DD, in order. */
  holidays: string[];
  /** New York's offset from UTC: [from epoch ms, minutes], the first at the table's start, then each change. */
  offsets: [number, number][];
  /** Benchmarks and fault tests only: a day lasts this many seconds, every day a business day. */
  compressedDaySeconds?: number;
}

/** The instants a table's offsets cover: a day either side of its years. */
export function tableSpan(fromYear: number, toYear: number): { startMs: number; endMs: number } {
  return { startMs: Date.UTC(fromYear, 0, 1) - DAY_MS, endMs: Date.UTC(toYear + 1, 0, 1) + DAY_MS };
}

/** Reads a recorded table; asking outside its years is a RangeError (the caller covers them first). */
export function tableSource(table: CalendarTable): CalendarSource {
  const holidays = new Set(table.holidays);
  const { startMs, endMs } = tableSpan(table.fromYear, table.toYear);
  return {
    offsetAt(ms) {
      if (!(ms >= startMs && ms < endMs))
        throw new RangeError(`${new Date(ms).toISOString()} is outside the calendar table`);
      let minutes = table.offsets[0]![1];
      for (const [from, value] of table.offsets) if (from <= ms) minutes = value;
      return minutes * 60_000;
    },
    isHoliday(date) {
      const year = parseDate(date).year;
      if (year < table.fromYear || year > table.toYear)
        throw new RangeError(`${date} is outside the calendar table`);
      return holidays.has(date);
    },
  };
}
