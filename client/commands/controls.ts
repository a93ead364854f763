/**
 * The access team's controls on a running agreement: each is an update the workflow validates. Dates
 * are read by common/when.ts (loaded when a command runs), and checked here first where the CLI can
 * say more than the workflow's validator (how a date was read). A signing date before the request is
 * the validator's to refuse: asking the agreement first would put a query right before every update.
 */
import type { Command } from 'commander';
import { sameEmail, type AgreementAnswer, type AgreementStatus } from '../../common/agreement';
import type { AgreementUpdate } from '../agreement-handle';
import { emit, UserError, type OutputOptions } from '../output';
import { nextReminderWords } from './next-reminder-words';
import { typedEmail, typedPerson, warnLostLetter, warnNowhere } from './person-flags';
import { checkFlags, requiredFlag } from './required';

type Flags = OutputOptions & Record<string, string | boolean | undefined>;

/** A name as typed, its spaces one each (a trial's "Robert  Beta " was taken for another name). */
const oneSpaced = (name: string) => name.trim().replace(/\s+/g, ' ');

type Sent = AgreementUpdate & { said?: string[] };

interface Control {
  name: string;
  description: string;
  options?: [flags: string, description: string, required?: boolean][];
  example: string;
  /**
   * The update's name and argument, from the command's flags; a UserError for a bad flag. `said`: lines
   * for stderr once the agreement took the update (how a value was read), not before.
   */
  update: (flags: Flags) => Sent | Promise<Sent>;
  /**
   * Asked of the agreement's live status before the update is sent: a sentence when the update would
   * change nothing (then nothing is sent and the command says so, exit 0), else null.
   */
  unchanged?: (status: AgreementStatus, flags: Flags) => string | null;
  /** Asked of that status too: what the update replaces, said on stderr before it is sent (or null). */
  replaces?: (status: AgreementStatus) => Promise<string | null>;
  /** Asked of that status too: the update to send instead, with what it keeps said on stderr. */
  amend?: (update: AgreementUpdate, status: AgreementStatus, flags: Flags) => AgreementUpdate;
  /** What the done line says beyond the stage (and any warning, on stderr). */
  done?: (status: AgreementAnswer, flags: Flags) => Promise<string>;
  /** Whether `done` reads the history, which an update's answer leaves out (control-answer.ts). */
  readsHistory?: true;
}

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
  },
  {
    name: 'cancel',
    description: 'cancel the agreement (the requesters are told why)',
    options: [['--reason <text>', 'why, for the requesters (never sent to the signing officials)', true]],
    example: 'dura cancel uw.edu --reason "Requester left the institution"',
    update: (f) => ({ name: 'cancel', args: [{ reason: f.reason }] }),
  },
  {
    name: 'decline',
    description: 'record that the institution declined (the requesters are told why)',
    options: [['--reason <text>', 'the reason given, for the requesters (not sent to the officials)', true]],
    example: 'dura decline uw.edu --reason "Institution policy"',
    update: (f) => ({ name: 'decline', args: [{ reason: f.reason }] }),
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
    done: async (status, f) => {
      await warnNowhere(f);
      await warnLostLetter(f);
      // Not initiated yet (manual initiation, or a package that bounced): nothing goes out by itself.
      if (status.stage === 'awaiting-initiation')
        process.stderr.write(
          `dura: no package has gone to an official yet: send it with \`dura initiate ${status.agreementId}\`\n`,
        );
      return '';
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
    done: async (_status, f) => {
      await warnLostLetter(f);
      return '';
    },
  },
  {
    name: 'remind-now',
    description: 'send the signing official a reminder now',
    options: [['--force', 'send even if the package or the last reminder went out less than a day ago']],
    example: 'dura remind-now uw.edu-1',
    // Without --force, no argument: a worker still on the previous code reads it the same way.
    update: (f) => ({ name: 'remindNow', args: f.force ? [{ force: true }] : [] }),
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
        throw new UserError(`days: expected a whole number (got ${JSON.stringify(f.days)})`);
      return { name: 'setCadence', args: [{ days: Number(f.days) }] };
    },
  },
];

export function registerControlCommands(program: Command): void {
  for (const control of controls) {
    const command = program.command(`${control.name} <agreement>`).description(control.description);
    for (const [flags, description, required] of control.options ?? []) {
      if (required) requiredFlag(command, flags, description);
      else command.option(flags, description);
    }
    // A mistyped flag is reported with what the command's own checks find in the rest (required.ts).
    checkFlags(command, (flags: Flags) => Promise.resolve(control.update(flags)));
    command
      .option('--json', 'print JSON')
      .addHelpText('after', `\nExample:\n  ${control.example}`)
      .action(async (id: string, flags: Flags) => {
        const { said = [], ...typed }: Sent = await control.update(flags);
        let update: AgreementUpdate = typed;
        const { session } = await import('../temporal');
        const { config, client } = await session();
        // A control sent without the engine's key was carried out, then read as failed (a trial's
        // remind-now sent the reminder and exited 2): refused before sending, as `request` is.
        const { engineEncryptionProblem } = await import('../engine-encryption');
        const { withStore } = await import('../records');
        const mismatch = await withStore((store) => engineEncryptionProblem(store.db, config)).catch(
          () => null, // records out of reach: the control goes as before (its status read falls back)
        );
        if (mismatch) throw new UserError(`${mismatch}; nothing was sent`);
        // An address put as its agreement's id once: the status read and the update then agree on it.
        id = await (await import('../typed-agreement')).asAsked(config, id);
        const { fetchStatus, updateAgreement } = await import('../agreement-handle');
        const { waitingLine } = await import('../update-retry');
        if (control.unchanged || control.replaces || control.amend) {
          const { status, source } = await fetchStatus(client, config, id);
          const said = source === 'workflow' ? control.unchanged?.(status, flags) : null;
          if (said) return emit(flags, status, () => `${status.agreementId}: ${said}`);
          const replaced = source === 'workflow' ? await control.replaces?.(status) : null;
          if (replaced) process.stderr.write(`dura: ${replaced}\n`);
          if (source === 'workflow' && control.amend) update = control.amend(update, status, flags);
        }
        const answer = await updateAgreement<AgreementAnswer>(
          client,
          config,
          id,
          { ...update, command: control.name },
          {
            onWait: (reason, progress) => process.stderr.write(`dura: ${waitingLine(reason, progress)}\n`),
          },
        );
        if (answer.outcome === 'rejected') throw new UserError(answer.reason);
        for (const line of said) process.stderr.write(line);
        const status: AgreementAnswer =
          flags.json || control.readsHistory
            ? await (await import('../control-answer')).withHistory(client, config, answer.value)
            : answer.value;
        const more = control.done ? await control.done(status, flags) : '';
        emit(
          flags,
          status,
          () => `${status.agreementId}: ${control.name} done; ${more}stage ${status.stage}`,
        );
      });
  }
}
