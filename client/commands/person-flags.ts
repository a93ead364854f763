/** A person typed as flags (`--name`, `--email`, `--title`), checked before anything is sent. */
import { UserError } from '../output';

/**
 * `--name`, `--email` (and `--title`) of set-official, add-requester and `institutions add-official`,
 * every problem at once with those already found (`problems`), as `request` checks its people: the address by zod's rule (common/
 * coverage.ts; the workflow's validator cannot use zod, and its own check is a looser backstop), a name
 * not blank, each on one line. A flag left out is the mandatory-flag check's to name (required.ts).
 */
export async function typedPerson(
  flags: object,
  problems: string[],
  { title = false } = {},
): Promise<{ name: string; email: string; title?: string }> {
  const f = flags as { name?: unknown; email?: unknown; title?: unknown };
  const oneLine = (flag: string, value: unknown) => {
    if (typeof value === 'string' && /[\r\n]/.test(value)) problems.push(`${flag}: must be one line`);
  };
  if (typeof f.name === 'string' && !f.name.trim()) problems.push('--name: required');
  oneLine('--name', f.name);
  await typedEmail(f.email, problems);
  if (title) oneLine('--title', f.title);
  if (problems.length) throw new UserError(problems.join('\n'));
  return {
    name: String(f.name),
    email: String(f.email),
    ...(title && f.title ? { title: String(f.title) } : {}),
  };
}

/**
 * `--email` as `request` reads it (zod's rule, common/coverage.ts), its problem added to `problems`;
 * undefined when left out (the mandatory-flag check names that) or wrong.
 */
export async function typedEmail(value: unknown, problems: string[]): Promise<string | undefined> {
  if (typeof value !== 'string') return undefined;
  const { parseEmail } = await import('../../common/coverage');
  const parsed = parseEmail(value);
  if (!parsed)
    problems.push(
      value.trim() ? `--email: ${JSON.stringify(value.trim())}: not an e-mail address` : '--email: required',
    );
  return parsed?.email;
}

/** Taken all the same, as `request` takes it: an --email at no top-level domain (a trial's yan@uw.ed). */
export async function warnNowhere(f: object): Promise<void> {
  const { unknownTopLevel } = await import('../../common/address-notes');
  const email = String((f as { email?: unknown }).email)
    .trim()
    .toLowerCase();
  const tld = unknownTopLevel(email);
  if (tld)
    process.stderr.write(
      `dura: warning: --email: ${email}: .${tld} is no top-level domain (mistyped?); mail to it will not arrive\n`,
    );
}

/** Taken all the same: a `--name` with a letter likely lost to an encoding (pasted from a garbled file). */
export async function warnLostLetter(f: object): Promise<void> {
  const { lostLetterNote } = await import('../../common/name-notes');
  const note = lostLetterNote('--name', String((f as { name?: unknown }).name ?? '').trim());
  if (note) process.stderr.write(`dura: warning: ${note}\n`);
}
