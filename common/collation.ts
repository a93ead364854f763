/**
 * Institution names in the order people read a list in: by Intl.Collator (English), so that accents and
 * case do not send "Épsilon University" after "Zeta College", and numbers count ("Campus 2" before
 * "Campus 10"). SQL's ORDER BY compares bytes on SQLite and follows the server's locale on PostgreSQL.
 */
export const compareNames: (a: string, b: string) => number = new Intl.Collator('en', {
  sensitivity: 'base',
  numeric: true,
}).compare;

/** Text as a search compares it: without accents or case (`Université` and `universite` match). */
export function searchFold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
