/**
 * The access team's controls on a running agreement: each is an update the workflow validates. Dates
 * are read by common/when.ts (loaded when a command runs), and checked here first where the CLI can
 * say more than the workflow's validator (how a date was read). A signing date before the request is
 * the validator's to refuse: asking the agreement first would put a query right before every update.
 */
import type { Command } from 'commander';
import { officialsOf, sameEmail, type AgreementAnswer } from '../../common/agreement';
import { UserError } from '../output';
import { registerControls, type Control } from './control-runner';
import { nextReminderWords } from './next-reminder-words';
import { typedEmail, typedPerson, warnLostLetter, warnNowhere } from './person-flags';

/**
 * `--reason` as the requesters read it, in their mail and in the history's one line: one line (a trial's
 * two-line reason broke `dura history`'s table and the mail's sentence), as `registration close` asks.
 */
function oneLineReason(reason: unknown): unknown {
  if (typeof reason === 'string' && /[\r\n]/.test(reason.trim()))
    throw new UserError('--reason: must be one line (the requesters read it in a sentence)');
  return reason;
}

/**
 * Cancelled or declined while the initiation package waits on the mail server: it still goes when the
 * server answers (a message handed to the sending activity is not taken back), and the official's
 * notice that the agreement is closed follows it (patch closed-after-package; a trial's official heard
 * nothing after the package). Said on stderr; the done line is unchanged.
 */
async function packageStillWaiting(
  status: AgreementAnswer,
  _f: unknown,
  before?: AgreementAnswer,
): Promise<string> {
  const waiting = before?.sending?.filter((m) => m.kind === 'initiation-package') ?? [];
  if (waiting.length)
    process.stderr.write(
      `dura: the initiation package to ${waiting.flatMap((m) => m.to).join(', ')} is still waiting for the ` +
        `mail server: it goes when the server answers, and a notice that the agreement is ${status.stage} follows it\n`,
    );
  return '';
}

/** A name as typed, its spaces one each (a trial's "Robert  Beta " was taken for another name). */
const oneSpaced = (name: string) => name.trim().replace(/\s+/g, ' ');

const controls: Control[] = [
  {
    name: 'initiate',
    description: 'send the initiation package (manual initiation)',
    example: 'dura initiate uw.edu',
    update: () => ({ name: 'initiate', args: [] }),
  },
  {
    name: 'execute',
    description:
      'record that the institution signed the agreement (final: no command changes --on or --document afterwards; check them first)',
    options: [
      [
        '--on <date>',
        'the date signed, YYYY-MM-DD (New York; not before the request, not after today)',
        true,
      ],
      ['--document <ref>', 'a reference to the signed document'],
      [
        '--expires-on <date>',
        "the agreement's last day in force, YYYY-MM-DD (New York; after the signing date): warnings before, lapse after",
      ],
    ],
    example:
      'dura execute uw.edu --on "$(TZ=America/New_York date +%F)" --document DURA-2026-014 --expires-on 2029-06-30',
    update: async (f) => ({ name: 'execute', args: [await (await import('./execute-flags')).execution(f)] }),
    // An end date is checked against the agreement (execution is final): see termProblem.
    refuses: {
      when: (update) =>
        Boolean((update.args[0] as { expiresOn?: string }).expiresOn || process.env.DURA_TERM_MONTHS?.trim()),
      problem: async (update, status, statusOf) => {
        const { termProblem } = await import('./execute-flags');
        const execution = update.args[0] as { signedOn: string; expiresOn?: string };
        const renewed = status.renews ? await statusOf(status.renews).catch(() => undefined) : undefined;
        // Checked already with the other settings (lean-config.ts): a whole number 1–120, or unset.
        const months = Number(process.env.DURA_TERM_MONTHS?.trim()) || undefined;
        return termProblem(execution, status, renewed, months);
      },
    },
  },
  {
    name: 'cancel',
    description: 'cancel the agreement (the requesters are told why)',
    options: [['--reason <text>', 'why, for the requesters (never sent to the signing officials)', true]],
    example: 'dura cancel uw.edu --reason "Requester left the institution"',
    update: (f) => ({ name: 'cancel', args: [{ reason: oneLineReason(f.reason) }] }),
    readsBefore: true,
    done: packageStillWaiting,
  },
  {
    name: 'decline',
    description: 'record that the institution declined (the requesters are told why)',
    options: [['--reason <text>', 'the reason given, for the requesters (not sent to the officials)', true]],
    example: 'dura decline uw.edu --reason "Institution policy"',
    update: (f) => ({ name: 'decline', args: [{ reason: oneLineReason(f.reason) }] }),
    readsBefore: true,
    done: packageStillWaiting,
  },
  {
    name: 'set-official',
    description:
      'replace the signing officials with one (or --add one more): a new one gets the package at once',
    options: [
      ['--name <name>', "the official's name", true],
      ['--email <email>', "the official's e-mail", true],
      ['--title <title>', "the official's title"],
      [
        '--add',
        'add this official beside the others (each gets the package and the reminders); with the address of one it has, correct their name or title and keep the others',
      ],
      ['--replace', 'this official instead of all others (the default)'],
    ],
    example: 'dura set-official uw.edu --add --name "Pat Provost" --email provost@uw.edu',
    update: async (f) => {
      const problems = f.add && f.replace ? ['set-official: --add and --replace: choose one'] : [];
      const official = await typedPerson(f, problems, { title: true });
      return { name: 'setSigningOfficial', args: [f.add ? { ...official, add: true } : official] };
    },
    // A name corrected without --title keeps the official's title (a trial lost "Director, OSP" so);
    // `--title ""` clears it.
    amend: (update, status, f) => {
      const official = update.args[0] as { email: string; title?: string };
      const had = status.signingOfficials?.find((o) => sameEmail(o.email, official.email));
      // So does one of several corrected with --add (the others stay).
      if (f.title !== undefined || !had?.title) return update;
      process.stderr.write(`dura: ${had.email} keeps the title ${had.title} (--title "" clears it)\n`);
      return { ...update, args: [{ ...official, title: had.title }] };
    },
    done: async (status, f, before) => {
      await warnNowhere(f);
      await warnLostLetter(f);
      // Not initiated yet (manual initiation, or a package that bounced): nothing goes out by itself.
      if (status.stage === 'awaiting-initiation')
        process.stderr.write(
          `dura: no package has gone to an official yet: send it with \`dura initiate ${status.agreementId}\`\n`,
        );
      // After initiation a new official gets the package at once: said (a trial's answer was silent).
      const added = officialsOf(status).filter(
        (o) => before && !officialsOf(before).some((b) => sameEmail(b.email, o.email)),
      );
      return status.initiatedAt && added.length
        ? `the package goes to ${added.map((o) => o.email).join(', ')} now; `
        : '';
    },
  },
  {
    name: 'add-requester',
    description:
      'add a requester (they get the same updates and instructions), or correct the name of one it has',
    options: [
      ['--name <name>', "the requester's name", true],
      ['--email <email>', "the requester's e-mail", true],
    ],
    example: 'dura add-requester uw.edu --name "Grace Hopper" --email grace@uw.edu',
    update: async (f) => ({ name: 'addRequester', args: [await typedPerson(f, [])] }),
    unchanged: (status, f) => {
      const had = status.requesters.find((r) => sameEmail(r.email, String(f.email)));
      return had && had.name === oneSpaced(String(f.name))
        ? `${had.email} is already a requester; nothing changed (stage ${status.stage})`
        : null;
    },
    // An address the agreement has, under another name (a garbled import's "ZoÃ© Roy"): its name corrected.
    amend: (update, status) => {
      const person = update.args[0] as { name: string; email: string };
      const had = status.requesters.find((r) => sameEmail(r.email, person.email));
      if (!had) return update;
      const name = oneSpaced(person.name);
      process.stderr.write(`dura: ${had.email} is a requester named ${had.name}: renaming to ${name}\n`);
      return { name: 'renameRequester', args: [{ ...person, name }] };
    },
    // Triage's flag for an address outside the institution's domains, said here as `request` says it.
    readsHistory: true,
    done: async (status, f) => {
      const email = String(f.email).trim().toLowerCase();
      const outside = [...(status.history ?? [])]
        .reverse()
        .find((h) => h.event === 'requester-outside-domain' && h.detail?.startsWith(`${email} `));
      if (outside) process.stderr.write(`dura: warning: ${outside.detail}\n`);
      await warnNowhere(f);
      await warnLostLetter(f);
      return '';
    },
  },
  {
    name: 'remove-requester',
    description:
      'take a requester off the agreement in process (a mistyped address: add the right one first)',
    options: [['--email <email>', "the requester's e-mail, as the agreement has it", true]],
    example: 'dura remove-requester umontreal.ca-1 --email marie.tremblay@umontral.ca',
    update: async (f) => {
      const problems: string[] = [];
      const email = await typedEmail(f.email, problems);
      if (problems.length) throw new UserError(problems.join('\n'));
      return { name: 'removeRequester', args: [{ email: email ?? '' }] };
    },
  },
  {
    name: 'rename-institution',
    description: "correct the institution's name on the agreement in process (its messages and status page)",
    options: [['--name <name>', 'the institution name as it should read', true]],
    example: 'dura rename-institution ulaval.ca-1 --name "Université Laval"',
    update: (f) => {
      const name = oneSpaced(String(f.name ?? ''));
      if (!name) throw new UserError('--name: required');
      if (name.length > 200) throw new UserError('--name: longer than 200 characters');
      return { name: 'renameInstitution', args: [{ name }] };
    },
    unchanged: (status, f) =>
      status.institution.name === oneSpaced(String(f.name))
        ? `the institution is named ${status.institution.name} already; nothing changed (stage ${status.stage})`
        : null,
    // The answer says what it read before (a trial could not tell what the name had been).
    done: async (status, f, before) => {
      await warnLostLetter(f);
      const was = before?.institution.name;
      return was && was !== status.institution.name ? `"${was}" is now "${status.institution.name}"; ` : '';
    },
  },
  {
    name: 'remind-now',
    description: 'send the signing official a reminder now',
    options: [['--force', 'send even if the package or the last reminder went out less than a day ago']],
    example: 'dura remind-now uw.edu-1',
    // Without --force, no argument: a worker still on the previous code reads it the same way.
    update: (f) => ({ name: 'remindNow', args: f.force ? [{ force: true }] : [] }),
    // When the next one goes (a trial could not tell without `dura status`).
    done: nextReminderWords,
  },
  {
    name: 'pause-reminders',
    description: 'no reminders until a date (YYYY-MM-DD: 09:00 ET that business day)',
    options: [
      [
        '--until <when>',
        'YYYY-MM-DD (New York), an ISO-8601 instant, or a New York time such as 2027-01-04T13:00',
        true,
      ],
    ],
    example: 'dura pause-reminders uw.edu --until 2027-01-04',
    replaces: async (s) => {
      if (!s.remindersPausedUntil) return null;
      const { inWords } = await import('../../common/when');
      return `the pause until ${inWords(s.remindersPausedUntil)} is replaced`;
    },
    update: async (f) => {
      // Left out (a typo'd --until): the mandatory-flag check names it, alone (required.ts).
      if (f.until === undefined) return { name: 'pauseReminders', args: [{}] };
      const { pauseUntil } = await import('../pause-until');
      const said: string[] = [];
      const until = await pauseUntil(String(f.until), (line) => said.push(line));
      return { name: 'pauseReminders', args: [{ until }], said };
    },
    done: nextReminderWords,
  },
  {
    name: 'resume-reminders',
    description: 'resume paused reminders',
    example: 'dura resume-reminders uw.edu',
    update: () => ({ name: 'resumeReminders', args: [] }),
    done: nextReminderWords,
  },
  {
    name: 'set-cadence',
    description: 'remind the signing official every N days',
    options: [['--days <n>', 'days between reminders (1-365)', true]],
    example: 'dura set-cadence uw.edu --days 7',
    unchanged: (status, f) =>
      status.policy.reminderEveryDays === Number(f.days)
        ? `reminders already go every ${status.policy.reminderEveryDays} days; nothing changed (stage ${status.stage})`
        : null,
    done: nextReminderWords,
    update: (f) => {
      if (!/^\d+$/.test(String(f.days ?? '')))
        throw new UserError(`days: expected a whole number from 1 to 365 (got ${JSON.stringify(f.days)})`);
      return { name: 'setCadence', args: [{ days: Number(f.days) }] };
    },
  },
];

export function registerControlCommands(program: Command): void {
  registerControls(program, controls);
}
