/**
 * A New York date, YYYY-MM-DD, by Intl (no time-zone arithmetic of our own, and no luxon: the CLI's
 * request and control paths need only this). common/when.ts gives it to the rest.
 */
export function newYorkDate(at: Date | string | number = new Date()): string {
  return new Date(at).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
}
