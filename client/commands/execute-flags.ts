/**
 * `dura execute`'s flags read: the signing date (`--on`), the end date (`--expires-on`) and the signed
 * document's reference, checked before anything is sent.
 */
import type { AgreementStatus } from '../../common/agreement';
import { DateTime } from 'luxon';
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

const DAY_MS = 24 * 60 * 60 * 1000;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/**
 * What `execute --expires-on` would get wrong for this agreement, checked against its live status
 * before anything is sent (execution is final): an end date that leaves no warning before the lapse
 * (fewer days after the signing date than the policy's last warning, `termWarningDays`: 15), or a
 * renewal that ends before the term it renews (a year typed 2026 for 2029 would cut the institution's
 * access short, and the old term would end as renewed). `renewed`: the status of the agreement this one
 * renews (`status.renews`). A problem naming `--expires-on`, or null.
 */
export function termProblem(
  execution: { signedOn: string; expiresOn?: string },
  status: Pick<AgreementStatus, 'agreementId' | 'kind' | 'policy' | 'renews'>,
  renewed?: Pick<AgreementStatus, 'agreementId' | 'expiresOn'>,
  termMonths?: number,
): string | null {
  const { signedOn, expiresOn } = execution;
  if (!expiresOn) return untermed(signedOn, status, termMonths);
  const lastWarning = Math.min(...(status.policy.termWarningDays ?? [15]));
  const days = daysBetween(signedOn, expiresOn);
  if (days < lastWarning)
    return (
      `--expires-on: ${expiresOn} is ${days} day${days === 1 ? '' : 's'} after the signing date (--on ${signedOn}): ` +
      `the agreement would lapse with no warning (the last goes ${lastWarning} days before its end); ` +
      'if the date is mistyped, type it again'
    );
  if (renewed?.expiresOn && expiresOn < renewed.expiresOn)
    return (
      `--expires-on: ${expiresOn} is before the end of the term this renews (${renewed.agreementId}, in force ` +
      `until ${renewed.expiresOn}): the institution's access would end sooner; if the year is mistyped, type it again`
    );
  return null;
}

/**
 * DURA_TERM_MONTHS set where `execute` runs, and an agreement that started without a term (the setting
 * is read where agreements start, docs/configuration.md): recorded so, it would have no end date and
 * never be warned of or lapse, which a team that set a term does not mean (a trial's executed agreement
 * had none, unsaid). Refused with the date the term would give (luxon's month arithmetic: January 31
 * and one month is February 28, as the workflow's own). Amendments keep their agreement's term.
 */
function untermed(
  signedOn: string,
  status: Pick<AgreementStatus, 'agreementId' | 'kind' | 'policy'>,
  termMonths: number | undefined,
): string | null {
  if (!termMonths || status.policy.termMonths || status.kind === 'amendment') return null;
  const end = DateTime.fromISO(signedOn, { zone: 'utc' }).plus({ months: termMonths }).toISODate();
  return (
    `--expires-on: DURA_TERM_MONTHS=${termMonths} is set here, but ${status.agreementId} started without a term ` +
    '(the setting is read where agreements start), so it would have no end date: give its last day in force ' +
    `(--expires-on ${end} is ${termMonths} months from --on ${signedOn}), or run with DURA_TERM_MONTHS unset for none`
  );
}
