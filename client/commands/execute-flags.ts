/**
 * `dura execute`'s flags read: the signing date (`--on`), the end date (`--expires-on`) and the signed
 * document's reference, checked before anything is sent.
 */
import { UserError } from '../output';

type Flags = Record<string, string | boolean | undefined>;

/** The longest term `--expires-on` takes: DURA_TERM_MONTHS's bound, 120 months (common/config.ts). */
const MAX_TERM_YEARS = 10;

/** The same month and day `years` later, YYYY-MM-DD (compared as text only: February 29 may be no date). */
const yearsAfter = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;

/**
 * `execute`'s flags: the signing date and the end date, every problem at once (a UserError naming each
 * flag). `--on` is a New York date, not after today's (design.md, "Contracts"); the workflow's validator
 * checks that it is not before the request. The end date is a New York date after the signing date
 * (issue 18), compared with the `--on` typed even when that one is refused too.
 */
export async function execution(
  f: Flags,
): Promise<{ signedOn: string; documentRef?: string; expiresOn?: string }> {
  const problems: string[] = [];
  // Left out (a typo'd --on): the mandatory-flag check names it (required.ts).
  const on = await (
    f.on === undefined
      ? Promise.resolve(undefined)
      : import('../when-flag').then(({ whenFlag }) =>
          whenFlag(String(f.on), '--on', { dateOnly: true, expect: 'past' }),
        )
  ).catch((err: Error) => void problems.push(err.message));
  const { newYorkDate, readWhen } = await import('../../common/when');
  const today = newYorkDate();
  // In the form typed, as every "in the future" dura says (request, import, registration steps).
  if (on && on.date > today)
    problems.push(`--on: ${on.date} is in the future (today is ${today} in New York)`);
  let expiresOn: string | undefined;
  if (f['expires-on'] !== undefined || f.expiresOn !== undefined) {
    const typed = String(f.expiresOn ?? f['expires-on']);
    const read = readWhen(typed, { dateOnly: true, expect: 'future' });
    if ('problem' in read) problems.push(`--expires-on: ${read.problem}`);
    else if (on && read.date <= on.date)
      problems.push(`--expires-on: ${read.date} is not after the signing date (--on ${on.date})`);
    else if (on && read.date > yearsAfter(on.date, MAX_TERM_YEARS))
      // A year typo (2126 for 2026) would keep the agreement in force, unwarned, for a century.
      problems.push(
        `--expires-on: ${read.date} is more than ${MAX_TERM_YEARS} years after the signing date (--on ${on.date}): ` +
          `a term runs at most ${MAX_TERM_YEARS * 12} months (as DURA_TERM_MONTHS); if the year is mistyped, type it again`,
      );
    else expiresOn = read.date;
  }
  const document = f.document as string | undefined;
  if (document !== undefined && !document.trim())
    problems.push("--document: empty (leave it out, or give the signed document's reference)");
  else if (document !== undefined && /[\r\n]/.test(document)) problems.push('--document: must be one line');
  if (problems.length || !on) throw new UserError(problems.join('\n'));
  return {
    signedOn: on.date,
    documentRef: document,
    ...(expiresOn ? { expiresOn } : {}),
  };
}
