/**
 * `dura execute`'s flags read: the signing date (`--on`), the end date (`--expires-on`) and the signed
 * document's reference, checked before anything is sent.
 */
import { UserError } from '../output';

type Flags = Record<string, string | boolean | undefined>;

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
