/**
 * Small guards for update validators and signal payloads. Workflow code cannot use zod; these check
 * just what the workflow relies on and throw one clear message naming the field.
 */
import type { Execution, Person, SigningOfficial } from '../common/agreement';
import { BusinessCalendar, tableSource, type CalendarTable } from '../common/business-calendar';

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
/** A dot-separated part left empty: at either end, next to the @, or two dots together. */
const EMPTY_PART = /^\.|\.\.|\.@|@\.|\.$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ZONED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function fail(message: string): never {
  throw new Error(message);
}

export function text(value: unknown, field: string, max = 500): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${field}: required`);
  if (value.length > max) fail(`${field}: longer than ${max} characters`);
  if (/[\r\n]/.test(value) && max <= 200) fail(`${field}: must be one line`);
  return value.trim();
}

/** A value shown on one line of a history or a message (a document reference): no line break in it. */
export function oneLine(value: string | undefined, field: string): void {
  if (value !== undefined && /[\r\n]/.test(value)) fail(`${field}: must be one line`);
}

/**
 * An address the mailer can send to. The CLI checks addresses with zod first (common/coverage.ts); this
 * is the backstop for other callers: one @, no spaces or brackets, a dot in the domain, and no empty
 * dot-separated part (`ada.@uw.edu`, `ada@uw..edu`), which nodemailer refuses.
 */
export function email(value: unknown, field: string): string {
  const address = text(value, field, 254);
  if (!EMAIL.test(address) || EMPTY_PART.test(address))
    fail(`${field}: ${JSON.stringify(address)}: not an e-mail address`); // as the CLI says it
  return address.toLowerCase();
}

export function person(value: unknown, field: string): Person {
  const v = (value ?? {}) as Partial<Person>;
  return { name: text(v.name, `${field}.name`, 200), email: email(v.email, `${field}.email`) };
}

export function signingOfficial(value: unknown, field: string): SigningOfficial {
  const v = (value ?? {}) as Partial<SigningOfficial>;
  const official: SigningOfficial = person(value, field);
  if (v.title !== undefined && v.title !== null && v.title !== '')
    official.title = text(v.title, `${field}.title`, 200);
  return official;
}

/** A real calendar date, YYYY-MM-DD. */
export function calendarDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DATE.test(value)) fail(`${field}: expected a date YYYY-MM-DD`);
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value)
    fail(`${field}: not a calendar date: ${value}`);
  return value;
}

/**
 * An ISO-8601 instant with `Z` or an offset (design.md, "Contracts": dates typed by people). Only those:
 * `Date` reads other strings ("11/30/2026", a time without a zone) in the worker's own time zone, which
 * would make the answer depend on where the worker runs. (Validators do not run on replay.)
 */
export function instant(value: unknown, field: string): Date {
  const parsed = typeof value === 'string' && ZONED_INSTANT.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(parsed.getTime()))
    fail(
      `${field}: expected YYYY-MM-DD (a New York date) or an ISO-8601 instant with Z or an offset, got ${String(value)}`,
    );
  return parsed;
}

/** An execution: signed on a real date, not in the future (a day's grace for time zones). */
export function execution(value: unknown, now: Date): Execution {
  const v = (value ?? {}) as Partial<Execution>;
  const signedOn = calendarDate(v.signedOn, 'signedOn');
  if (new Date(`${signedOn}T00:00:00Z`).getTime() > now.getTime() + 24 * 3600_000)
    fail(`signedOn: ${signedOn} is in the future`);
  const result: Execution = { signedOn };
  if (v.documentRef !== undefined && v.documentRef !== null && v.documentRef !== '')
    result.documentRef = text(v.documentRef, 'documentRef', 500);
  // The end date (issue 18): a real date after the signing date (its last day in force).
  if (v.expiresOn !== undefined && v.expiresOn !== null && v.expiresOn !== '') {
    const expiresOn = calendarDate(v.expiresOn, 'expiresOn');
    if (expiresOn <= signedOn) fail(`expiresOn: ${expiresOn} is not after the signing date ${signedOn}`);
    result.expiresOn = expiresOn;
  }
  return result;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "Sunday, November 29, 2026" for 2026-11-29 (workflow code: no Intl time zones, no luxon). */
function dateInWords(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return `${WEEKDAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

/**
 * The New York date of `instant` (ISO-8601), YYYY-MM-DD: by the agreement's recorded calendar table
 * (workflows/clock.ts) when it holds real offsets for it, else by EST, New York's furthest offset from
 * UTC, which never gives a later date than the true one.
 */
function newYorkDate(instant: string, table: CalendarTable | undefined): string {
  const at = new Date(instant);
  if (table && !table.compressedDaySeconds) {
    try {
      return new BusinessCalendar(tableSource(table)).localDate(at);
    } catch {
      // outside the table's years: EST below
    }
  }
  return new Date(at.getTime() - 5 * 3600_000).toISOString().slice(0, 10);
}

/**
 * An execution is not signed before the request came in (issue 15: requesters were told the institution
 * signed before it was asked): `signedOn` (a New York date) not before the New York date the request was
 * received on, exactly, by the agreement's calendar table. Without the table (or on a compressed
 * calendar) that date is reckoned in EST, which can be a day off, so a day's grace is allowed then.
 */
export function signedSinceReceipt(signedOn: string, receivedAt: string, table?: CalendarTable): void {
  const exact = table !== undefined && !table.compressedDaySeconds;
  const received = newYorkDate(receivedAt, table);
  const grace = exact ? 0 : DAY_MS;
  if (Date.parse(`${signedOn}T00:00:00Z`) < Date.parse(`${received}T00:00:00Z`) - grace)
    fail(`signedOn: ${signedOn} is before the request was received (${dateInWords(received)})`);
}

export function wholeDays(value: unknown, field: string, max = 365): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    fail(`${field}: expected a whole number of days from 1 to ${max} (got ${JSON.stringify(value)})`);
  return value;
}
