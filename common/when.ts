/**
 * Dates and times typed by people (design.md, "Contracts"): every flag and CSV column that takes one
 * reads it here, and the text views show instants in New York time in words. A `YYYY-MM-DD` date is a
 * New York date; an ISO-8601 time with `Z` or an offset is that instant; a time without a zone is New
 * York wall-clock time, and the caller echoes back how it was read (`readAs`). Anything else (11/30/2026,
 * 30.11.2026, Nov 30) is refused: `Date` would read those in the process's own time zone, or not at all.
 * luxon only, no zod: the CLI's lean paths use the formatters.
 */
import { DateTime } from 'luxon';
import { dateInWords, inShortWords, inWords, newYorkDate } from './new-york-date';

export const NEW_YORK = 'America/New_York';

/** How a value was written: a New York date, an instant with its zone, New York wall-clock time. */
export type WhenForm = 'date' | 'instant' | 'new-york-time';

export interface When {
  /** As typed (trimmed). */
  text: string;
  form: WhenForm;
  /** The New York date, YYYY-MM-DD: the date itself, or that of the instant. */
  date: string;
  /** The instant; for a date, 00:00 New York at the start of that day. */
  at: Date;
  /** A New York time that happens twice (the night clocks fall back): `at` is the first. */
  repeated?: boolean;
}

/** Which side of today a value must fall on: a date in digits is then offered only in that reading. */
export type Expect = 'past' | 'future';

/** Which comes first in a date in digits (12/1/2026), as the person said it (a flag): read as such. */
export type DigitsOrder = 'month-first' | 'day-first';

/**
 * `dateOnly`: only `YYYY-MM-DD` (a signing date, say); `expect`: see Expect; `digits`: dates in digits
 * (12/1/2026, as a spreadsheet exports them) read in that order instead of refused.
 */
export interface WhenOptions {
  dateOnly?: boolean;
  expect?: Expect;
  digits?: DigitsOrder;
}

/** A refused value; the message names the flag or column first (`--until: …`). */
export class WhenError extends Error {}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATE_HINT = 'use YYYY-MM-DD (a New York date)';
const NEW_YORK_LETTERS = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)\s*(?:EST|EDT|ET)$/i;
const ANY_HINT = `${DATE_HINT}, a New York time such as 2026-12-25T09:00, or an instant such as 2026-12-25T09:00-05:00`;

const inNewYork = (at: Date | string | number) =>
  (at instanceof Date
    ? DateTime.fromJSDate(at)
    : typeof at === 'number'
      ? DateTime.fromMillis(at)
      : DateTime.fromISO(at, { setZone: false })
  )
    .setZone(NEW_YORK)
    .setLocale('en-US');

/**
 * `date` (YYYY-MM-DD) as a New York day, or why it is none (naming `text`, as typed). Day and month
 * swapped are offered as the date meant only on the side of today the field `expect`s.
 */
function calendarDate(date: string, text: string, expect?: Expect): DateTime | string {
  const [, y, m, d] = DATE.exec(date)!.map(Number);
  const day = DateTime.fromObject({ year: y, month: m, day: d }, { zone: NEW_YORK, locale: 'en-US' });
  if (day.isValid) return day;
  // Day and month swapped (2026-13-01): the date it likely was.
  const swapped =
    m! > 12 && d! >= 1 && d! <= 12
      ? DateTime.fromObject({ year: y, month: d, day: m }, { zone: NEW_YORK, locale: 'en-US' })
      : null;
  const today = DateTime.now().setZone(NEW_YORK).startOf('day');
  const wrongSide = expect === 'past' ? swapped! > today : expect === 'future' && swapped! < today;
  if (m! < 1 || m! > 12)
    return (
      `${text} is not a calendar date: there is no month ${m}` +
      (swapped?.isValid && !wrongSide
        ? ` (for ${swapped.toFormat('LLLL d, yyyy')} type ${swapped.toISODate()})`
        : '')
    );
  const month = DateTime.fromObject({ year: y, month: m }, { locale: 'en-US' });
  return `${text} is not a calendar date: ${month.toFormat('LLLL yyyy')} has ${month.daysInMonth} days`;
}

/**
 * Day, month and year in digits, as spreadsheets write them: 12/1/2026, 1.12.2026, 12-1-2026; with a
 * time of day as Excel adds it (`11/30/2026 9:15`, `11/30/2026 9:15 PM`).
 */
const NUMERIC_DATE =
  /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]+(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap])?\.?m?\.?)?$/i;

/** The year of NUMERIC_DATE's match: two digits (Excel's `3/4/26`, a hand-typed `12/2/26`) are 20yy. */
const yearOf = (m: RegExpExecArray): number => (m[3]!.length === 2 ? 2000 : 0) + Number(m[3]);

/** Day and month in digits without a year, as people type them: `12/3`, `3.12`. */
const NO_YEAR = /^(\d{1,2})[/.](\d{1,2})$/;

/** The time of day typed beside a date in digits, 24-hour; undefined when there is none, null when it is no time. */
function clockOf(m: RegExpExecArray): { hour: number; minute: number } | null | undefined {
  if (m[4] === undefined) return undefined;
  const [h, minute, half] = [Number(m[4]), Number(m[5]), m[6]?.toLowerCase()];
  if (minute > 59 || (half ? h < 1 || h > 12 : h > 23)) return null;
  return { hour: half ? (h % 12) + (half === 'p' ? 12 : 0) : h, minute };
}

/**
 * A date in digits (NUMERIC_DATE's match, or NO_YEAR's: then in the year `yearFor` gives it) read in
 * `order`, at `clock` New York time if given; may be invalid.
 */
function inOrder(
  m: RegExpExecArray,
  order: DigitsOrder,
  clock?: { hour: number; minute: number },
  expect?: Expect,
): DateTime {
  const [a, b] = [Number(m[1]), Number(m[2])];
  const [month, day] = order === 'month-first' ? [a, b] : [b, a];
  const year = m[3] === undefined ? yearFor(month, day, expect) : yearOf(m);
  return DateTime.fromObject({ year, month, day, ...clock }, { zone: NEW_YORK, locale: 'en-US' });
}

/**
 * What a date in digits would be as YYYY-MM-DD, month first (US) then day first, each that is a real
 * date: `for December 1, 2026 type 2026-12-01; for January 12, 2026 type 2026-01-12`. Never chosen
 * for the person (which they meant is theirs to say). A date with its month's name has one reading
 * (oneReading); undefined for any other shape.
 */
function numericReadings(text: string, expect?: Expect): string | undefined {
  const m = NUMERIC_DATE.exec(text) ?? NO_YEAR.exec(text);
  if (!m) {
    const day = oneReading(text, expect);
    return day ? offered([day], expect) : undefined;
  }
  const clock = clockOf(m);
  if (clock === null) return undefined;
  const days = (['month-first', 'day-first'] as const)
    .map((order) => inOrder(m, order, clock, expect))
    .filter((d, i, all) => d.isValid && all.findIndex((o) => o.toISODate() === d.toISODate()) === i);
  return days.length ? offered(days, expect, clock) : undefined;
}

/**
 * `for December 1, 2026 type 2026-12-01; …` for each reading, those on the side of today `expect`s;
 * when every one is on the wrong side, all of them, each said so (`…, though that is past`).
 */
function offered(days: DateTime[], expect?: Expect, clock?: { hour: number; minute: number }): string {
  // A reading on the wrong side of today is no help (`--until 12/8/2026` is not August 12 of a past
  // summer), unless every reading is.
  const today = newYorkDate();
  const likely = days.filter((d) =>
    expect === 'future' ? d.toISODate()! >= today : d.toISODate()! <= today,
  );
  const said = (d: DateTime) =>
    clock
      ? `for ${d.toFormat('LLLL d, yyyy, h:mm a')} New York time type ${d.toFormat("yyyy-MM-dd'T'HH:mm")}`
      : `for ${d.toFormat('LLLL d, yyyy')} type ${d.toISODate()}`;
  if (!expect || likely.length) return (expect ? likely : days).map(said).join('; ');
  // Every reading on the wrong side: offered all the same (which one was meant is the person's to say),
  // but said so, or the hint leads to a refusal (a trial typed 2026-01-13 as offered, for --until).
  const side = expect === 'future' ? 'past' : 'in the future';
  return days.map((d) => `${said(d)}, though that is ${side}`).join('; ');
}

/**
 * The year a date typed without one most likely means: the nearest on the side of today expected
 * (the last December 3 for a past date, the next for a future one), else this year.
 */
function yearFor(month: number, day: number, expect?: Expect): number {
  const today = DateTime.now().setZone(NEW_YORK);
  const thisYear = DateTime.fromObject({ year: today.year, month, day }, { zone: NEW_YORK });
  if (!thisYear.isValid || !expect) return today.year;
  const date = thisYear.toISODate()!;
  const todayDate = today.toISODate()!;
  if (expect === 'past' && date > todayDate) return today.year - 1;
  if (expect === 'future' && date < todayDate) return today.year + 1;
  return today.year;
}

/**
 * The forms of a date with its month's name that people type: `Dec 3 2026`, `December 3, 2026`,
 * `3 Dec 2026`; and Excel's `3-Dec-2026` and `Thursday, December 3, 2026` (a weekday that does not
 * match the date reads as no date).
 */
const MONTH_NAME_FORMATS = [
  'LLL d yyyy',
  'LLL d, yyyy',
  'LLLL d yyyy',
  'LLLL d, yyyy',
  'd LLL yyyy',
  'd LLLL yyyy',
  'd-LLL-yyyy',
  'd-LLLL-yyyy',
  'EEEE, LLLL d, yyyy',
  'EEE, LLL d, yyyy',
];
/** The same without a year (`Dec 3`): its year is `yearFor`'s. */
const MONTH_NAME_NO_YEAR = ['LLL d', 'LLLL d', 'd LLL', 'd LLLL'];

/** Words for a day that people type; the reading offered is that New York date. */
const RELATIVE_DAYS: Record<string, number> = { yesterday: -1, today: 0, tomorrow: 1 };

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** A weekday in words (`friday`, `next friday`, `last friday`): the coming one, or the one before for `last`. */
const WEEKDAY = /^(?:(next|this|on|last)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)$/i;

/** A date's words without ordinals (`Dec 1st` is `Dec 1`) and with single spaces, for luxon's formats. */
const plainDate = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/^(\w{3,})\. /, '$1 ')
    .replace(/\b(\d{1,2})(?:st|nd|rd|th)\b/gi, '$1');

/**
 * The one New York day meant by a date written with its month's name (its year, when left out,
 * `yearFor`'s), year first with one-digit month or day or slashes (`2026-12-3`, `2026/12/03`), or a day
 * in words (`yesterday`, `today`, `tomorrow`); undefined for any other text.
 */
function oneReading(text: string, expect?: Expect): DateTime | undefined {
  const loose = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (loose) {
    const day = DateTime.fromObject(
      { year: Number(loose[1]), month: Number(loose[2]), day: Number(loose[3]) },
      { zone: NEW_YORK, locale: 'en-US' },
    );
    return day.isValid ? day : undefined;
  }
  const today = DateTime.now().setZone(NEW_YORK).setLocale('en-US');
  const relative = RELATIVE_DAYS[text.toLowerCase()];
  if (relative !== undefined) return today.plus({ days: relative });
  const weekday = WEEKDAY.exec(text.replace(/\s+/g, ' '));
  if (weekday) {
    const wanted = WEEKDAYS.indexOf(weekday[2]!.toLowerCase()) + 1; // luxon: Monday 1 … Sunday 7
    const ahead = (wanted - today.weekday + 7) % 7 || 7;
    return weekday[1]?.toLowerCase() === 'last'
      ? today.minus({ days: 7 - ahead || 7 })
      : today.plus({ days: ahead });
  }
  const named = monthNameDate(text);
  if (named) return named;
  const plain = plainDate(text);
  for (const format of MONTH_NAME_NO_YEAR) {
    const found = DateTime.fromFormat(plain, format, { locale: 'en-US' });
    if (!found.isValid) continue;
    const year = yearFor(found.month, found.day, expect);
    const day = DateTime.fromObject({ year, month: found.month, day: found.day }, { zone: NEW_YORK });
    if (day.isValid) return day.setLocale('en-US');
  }
  return undefined;
}

/** A date with its month's name and its year (MONTH_NAME_FORMATS), as that New York day; else undefined. */
function monthNameDate(text: string): DateTime | undefined {
  const plain = plainDate(text);
  for (const format of MONTH_NAME_FORMATS) {
    const day = DateTime.fromFormat(plain, format, { zone: NEW_YORK, locale: 'en-US' });
    if (day.isValid) return day;
  }
  return undefined;
}

/**
 * Reads one value (options: WhenOptions). Returns the reading, or the
 * problem as a sentence without the field's name (the caller adds it: a flag, a column, a JSON path).
 * Refused: any other shape, impossible dates (2026-02-30), times of day past 23:59:59, and a New York
 * time skipped when clocks spring forward (2026-03-08T02:30); a repeated one (fall-back) is the first.
 */
export function readWhen(value: string, options: WhenOptions = {}): When | { problem: string } {
  const text = value.trim();
  if (text === '') return { problem: 'required' };
  const hint = options.dateOnly ? DATE_HINT : ANY_HINT;
  if (DATE.test(text)) {
    const day = calendarDate(text, text, options.expect);
    if (typeof day === 'string') return { problem: day };
    return { text, form: 'date', date: text, at: day.startOf('day').toJSDate() };
  }
  const time = options.dateOnly ? null : TIME.exec(text);
  // New York's zone by its letters (`2026-11-30T10:00 EST`): the time without them is New York time.
  const lettered = options.dateOnly ? null : NEW_YORK_LETTERS.exec(text);
  if (!time && lettered && TIME.test(lettered[1]!))
    return {
      problem: `${text} is not a date dura reads (a zone's letters are not: for New York time type ${lettered[1]!.replace(' ', 'T')})`,
    };
  if (!time) {
    // A date only: a New York time typed after it (`2026-12-01 10:00`, `12/1/2026 9:15 AM`) is left out of
    // the reading; not one with a zone, whose New York date may be another.
    const dateText = options.dateOnly
      ? text.replace(/[ T]+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:\s*[ap]\.?m?\.?)?$/i, '')
      : text;
    if (options.digits && NUMERIC_DATE.test(dateText)) return inDigits(text, dateText, options.digits);
    // A spreadsheet's dates read by choice (`--dates`): with the month's name and the year too (`3 Nov
    // 2026`), which have one reading whatever the order (a trial had to retype a column of them).
    const named = options.digits ? monthNameDate(dateText) : undefined;
    if (named) return { text, form: 'date', date: named.toISODate()!, at: named.startOf('day').toJSDate() };
    const meant =
      DATE.test(dateText) && typeof calendarDate(dateText, text) !== 'string'
        ? `a date without its time: type ${dateText}`
        : numericReadings(dateText, options.expect);
    return {
      problem: meant
        ? `${text} is not a date dura reads (${meant}); ${hint}`
        : `${text} is not a date; ${hint}`,
    };
  }
  const [, date, hour, minute, second = '00', fraction = '', zone] = time;
  const day = calendarDate(date!, text, options.expect);
  if (typeof day === 'string') return { problem: day };
  const iso = `${date}T${hour}:${minute}:${second}${fraction}`;
  const hms = [hour, minute, second].map(Number);
  if (hms[0]! > 23 || hms[1]! > 59 || hms[2]! > 59)
    return { problem: `${text} is not a time of day; ${hint}` };
  if (zone) {
    const at = DateTime.fromISO(`${iso}${zone.toUpperCase()}`, { setZone: true });
    // Real offsets run from -12:00 to +14:00; anything past that is a typo, not a place.
    if (!at.isValid || Math.abs(at.offset) > 14 * 60)
      return { problem: `${text} has no valid UTC offset; ${hint}` };
    return { text, form: 'instant', date: at.setZone(NEW_YORK).toISODate()!, at: at.toJSDate() };
  }
  const local = DateTime.fromISO(iso, { zone: NEW_YORK });
  // luxon moves a skipped time forward by the gap; a person who typed it meant something else.
  if (local.hour !== hms[0] || local.minute !== hms[1])
    return {
      problem: `${text} does not exist in New York (clocks jump from 2:00 to 3:00 AM that night); ${hint}`,
    };
  const [first, ...more] = local.getPossibleOffsets().sort((a, b) => a.toMillis() - b.toMillis());
  const at = (first ?? local).toJSDate();
  return { text, form: 'new-york-time', date: date!, at, ...(more.length ? { repeated: true } : {}) };
}

/**
 * A date in digits read in the order the person gave (`digits`), with its time of day as New York time
 * when one is typed (not for a date only: `dateText` is then the date alone); or why it is no date.
 */
function inDigits(text: string, dateText: string, digits: DigitsOrder): When | { problem: string } {
  const m = NUMERIC_DATE.exec(dateText)!;
  const clock = clockOf(m);
  if (clock === null) return { problem: `${text} is not a time of day` };
  const at = inOrder(m, digits, clock);
  if (!at.isValid) {
    const [a, b, year] = [Number(m[1]), Number(m[2]), yearOf(m)];
    const month = digits === 'month-first' ? a : b;
    if (month < 1 || month > 12)
      return { problem: `${text} is not a date ${digits}: there is no month ${month}` };
    const days = DateTime.fromObject({ year, month }, { locale: 'en-US' });
    return {
      problem: `${text} is not a calendar date (${digits}): ${days.toFormat('LLLL yyyy')} has ${days.daysInMonth} days`,
    };
  }
  const date = at.toISODate()!;
  return clock
    ? { text, form: 'new-york-time', date, at: at.toJSDate() }
    : { text, form: 'date', date, at: at.startOf('day').toJSDate() };
}

/** `readWhen`, or a WhenError `<field>: <problem>` (e.g. `--until: Dec 25 is not a date; use …`). */
export function parseWhen(value: string, field: string, options: WhenOptions = {}): When {
  const read = readWhen(value, options);
  if ('problem' in read) throw new WhenError(`${field}: ${read.problem}`);
  return read;
}

/**
 * The line that tells the person how their value was read, or undefined for an instant (its zone says
 * it all). `dateMeans`: what a date stands for, for this flag (default: the start of that New York day).
 * E.g. `--until 2026-12-24T10:00 read as Thursday, December 24, 2026, 10:00 AM ET`.
 */
export function readAs(field: string, when: When, dateMeans?: string): string | undefined {
  if (when.form === 'instant') return undefined;
  const meaning =
    when.form === 'date'
      ? (dateMeans ?? `${inWords(when.at)} (the start of that day in New York)`)
      : `${inWords(when.at)}${when.repeated ? ` (${inNewYork(when.at).toFormat('ZZZZ')}: the first of the two that night)` : ''}`;
  return `${field} ${when.text} read as ${meaning}`;
}

/**
 * When a request was received, in words: `inWords`, or only its date (`Monday, November 30, 2026`) when
 * it is a New York midnight to the millisecond, which is how a receipt typed as a date is stored
 * (`--received-at 2026-11-30`, a spreadsheet's received_at column): no one asked at 12:00 AM.
 */
export function receivedInWords(at: Date | string | number, form: 'long' | 'short' = 'long'): string {
  const t = inNewYork(at);
  if (t.equals(t.startOf('day'))) return dateInWords(t.toJSDate(), form);
  return form === 'short' ? inShortWords(at) : inWords(at);
}

/** Instants and dates in words, and an instant's New York date (YYYY-MM-DD), by Intl. */
export { dateInWords, inShortWords, inWords, newYorkDate };

/**
 * The line that follows a file's problems when a date in digits (3/4/2026, as Excel exports dates) was
 * refused for want of its order (`--dates`, which `dura import` and `registration import` take), else ''.
 */
export function digitsOrderHint(messages: readonly string[], digits?: DigitsOrder): string {
  if (digits) return '';
  const refused = messages.filter((m) => / is not a date dura reads \(for \w+ \d+, \d{4} type /.test(m));
  const inDigits = refused.filter((m) => /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b/.test(m));
  return (
    (inDigits.length
      ? '\nDates in digits: say which comes first, --dates month-first (US: 3/4/2026 is March 4) or --dates day-first'
      : '') +
    // Only for what --dates would read (not `yesterday` or `2026/11/20`, refused with a reading too).
    (refused.some((m) => monthNameDate(m.slice(0, m.indexOf(' is not a date dura reads'))))
      ? `\nDates with the month's name (3 Nov 2026): --dates month-first or --dates day-first reads them ${inDigits.length ? 'too' : 'as well'}`
      : '')
  );
}
