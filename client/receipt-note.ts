/**
 * A warning on a receipt long past, for the person who typed it: a year typo (`--received-at
 * 2025-11-03` for 2026) went in without a word, and the agreement counts its initiation deadline from
 * it and tells the requester when their request was received. Accepted all the same: an old request
 * entered late is real.
 */
import { dateInWords, newYorkDate } from '../common/when';

/** Past this many days, a receipt date is worth a second look (initiation is due in 2 business days). */
export const LONG_AGO_DAYS = 60;

/** `receivedAt: <date> was N days ago …`, or null for a receipt within LONG_AGO_DAYS of `now`. */
export function receiptNote(receivedAt: string, now = new Date()): string | null {
  const days = Math.floor((now.getTime() - Date.parse(receivedAt)) / 86_400_000);
  if (!(days > LONG_AGO_DAYS)) return null;
  return (
    `receivedAt: ${newYorkDate(receivedAt)} (${dateInWords(newYorkDate(receivedAt))}) was ${days} days ago: ` +
    "if the year is mistyped, the initiation deadline and the requester's mail count from the wrong day"
  );
}
