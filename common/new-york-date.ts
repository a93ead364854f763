/**
 * New York dates and times in words, by Intl alone (no time-zone arithmetic of our own, and no luxon:
 * the CLI's request and control paths need only these). One formatter each, made once: a mail's view
 * puts a dozen instants in words, and luxon's toFormat took ~43 µs a call where a cached
 * Intl.DateTimeFormat takes ~6 (the lifecycle bench's profile). common/when.ts gives them to the rest.
 */
const NEW_YORK = 'America/New_York';

/** A New York date, YYYY-MM-DD (today's by default). */
export function newYorkDate(at: Date | string | number = new Date()): string {
  return new Date(at).toLocaleDateString('en-CA', { timeZone: NEW_YORK });
}

type Form = 'long' | 'short';
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The cached en-US formatter for a form, with the time of day or not, in `timeZone`. */
function formatter(form: Form, time: boolean, timeZone: string): Intl.DateTimeFormat {
  const key = `${form} ${time} ${timeZone}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: form,
      month: form,
      day: 'numeric',
      year: 'numeric',
      ...(time ? { hour: 'numeric', minute: '2-digit', hour12: true } : {}),
    });
    formatters.set(key, made);
  }
  return made;
}

/**
 * An instant as luxon's `DateTime.fromISO` reads it (a string without a zone, a date alone included, is
 * the machine's local time, which `new Date` reads a date alone as UTC).
 */
function instant(at: Date | string | number): Date {
  return new Date(typeof at === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T00:00` : at);
}

/** `Tuesday, December 1, 2026` (long) or `Tue, Dec 1, 2026` (short), then `, 5:00 PM ET` with the time. */
function words(at: Date, form: Form, time: boolean, timeZone = NEW_YORK): string {
  if (Number.isNaN(at.getTime())) return 'Invalid DateTime'; // as luxon wrote it before
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatter(form, time, timeZone).formatToParts(at)) p[part.type] = part.value;
  const date = `${p.weekday}, ${p.month} ${p.day}, ${p.year}`;
  return time ? `${date}, ${p.hour}:${p.minute} ${p.dayPeriod} ET` : date;
}

/** An instant (Date, epoch ms or ISO-8601) as New York time: `Tuesday, December 1, 2026, 5:00 PM ET`. */
export function inWords(at: Date | string | number): string {
  return words(instant(at), 'long', true);
}

/** The compact form for tables and lists: `Tue, Dec 1, 2026, 5:00 PM ET`. */
export function inShortWords(at: Date | string | number): string {
  return words(instant(at), 'short', true);
}

/**
 * A calendar date (YYYY-MM-DD, read as the day it names) or an instant's New York date, as
 * `Tuesday, December 1, 2026`; `short`: `Tue, Dec 1, 2026`. An invalid one: `Invalid DateTime`.
 */
export function dateInWords(date: string | Date, form: Form = 'long'): string {
  // A calendar date is its own day anywhere: formatted at its UTC midnight, in UTC.
  if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date))
    return words(new Date(`${date}T00:00:00Z`), form, false, 'UTC');
  return words(instant(date), form, false);
}
