/** The access team's controls on a running agreement: each is an update the workflow validates. */
import type { Command } from 'commander';
import type { AgreementStatus } from '../../common/agreement';
import type { AgreementUpdate } from '../agreement-handle';
import { emit, UserError, type OutputOptions } from '../output';

type Flags = OutputOptions & Record<string, string | boolean | undefined>;

interface Control {
  name: string;
  description: string;
  options?: [flags: string, description: string, required?: boolean][];
  example: string;
  /** The update's name and argument, from the command's flags. */
  update: (flags: Flags) => AgreementUpdate;
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
    description: 'record that the institution signed the agreement',
    options: [
      ['--on <date>', 'the date signed, YYYY-MM-DD', true],
      ['--document <ref>', 'a reference to the signed document'],
    ],
    example: 'dura execute uw.edu --on 2026-11-24 --document DURA-2026-014',
    update: (f) => ({ name: 'execute', args: [{ signedOn: f.on, documentRef: f.document }] }),
  },
  {
    name: 'cancel',
    description: 'cancel the agreement (the requesters are told why)',
    options: [['--reason <text>', 'why', true]],
    example: 'dura cancel uw.edu --reason "Requester left the institution"',
    update: (f) => ({ name: 'cancel', args: [{ reason: f.reason }] }),
  },
  {
    name: 'decline',
    description: 'record that the institution declined (the requesters are told why)',
    options: [['--reason <text>', 'the reason given', true]],
    example: 'dura decline uw.edu --reason "Institution policy"',
    update: (f) => ({ name: 'decline', args: [{ reason: f.reason }] }),
  },
  {
    name: 'set-official',
    description: 'replace the signing officials with one (or --add one more); the next reminder goes to them',
    options: [
      ['--name <name>', "the official's name", true],
      ['--email <email>', "the official's e-mail", true],
      ['--title <title>', "the official's title"],
      ['--add', 'add this official beside the others (each gets the package and the reminders)'],
      ['--replace', 'this official instead of all others (the default)'],
    ],
    example: 'dura set-official uw.edu --add --name "Pat Provost" --email provost@uw.edu',
    update: (f) => {
      if (f.add && f.replace) throw new UserError('set-official: --add and --replace: choose one');
      const official = { name: f.name, email: f.email, title: f.title };
      return { name: 'setSigningOfficial', args: [f.add ? { ...official, add: true } : official] };
    },
  },
  {
    name: 'add-requester',
    description: 'add a requester (they get the same updates and instructions)',
    options: [
      ['--name <name>', "the requester's name", true],
      ['--email <email>', "the requester's e-mail", true],
    ],
    example: 'dura add-requester uw.edu --name "Grace Hopper" --email grace@uw.edu',
    update: (f) => ({ name: 'addRequester', args: [{ name: f.name, email: f.email }] }),
  },
  {
    name: 'remind-now',
    description: 'send the signing official a reminder now',
    options: [['--force', 'send even if the last reminder went out less than a day ago']],
    example: 'dura remind-now uw.edu-1',
    // Without --force, no argument: a worker still on the previous code reads it the same way.
    update: (f) => ({ name: 'remindNow', args: f.force ? [{ force: true }] : [] }),
  },
  {
    name: 'pause-reminders',
    description: 'no reminders until a date (YYYY-MM-DD: 09:00 ET that business day)',
    options: [['--until <date>', 'date or ISO-8601 instant', true]],
    example: 'dura pause-reminders uw.edu --until 2027-01-04',
    update: (f) => ({ name: 'pauseReminders', args: [{ until: f.until }] }),
  },
  {
    name: 'resume-reminders',
    description: 'resume paused reminders',
    example: 'dura resume-reminders uw.edu',
    update: () => ({ name: 'resumeReminders', args: [] }),
  },
  {
    name: 'set-cadence',
    description: 'remind the signing official every N days',
    options: [['--days <n>', 'days between reminders (1-365)', true]],
    example: 'dura set-cadence uw.edu --days 7',
    update: (f) => {
      if (!/^\d+$/.test(String(f.days ?? '')))
        throw new UserError(`days: expected a whole number, got ${f.days}`);
      return { name: 'setCadence', args: [{ days: Number(f.days) }] };
    },
  },
];

export function registerControlCommands(program: Command): void {
  for (const control of controls) {
    const command = program.command(`${control.name} <agreement>`).description(control.description);
    for (const [flags, description, required] of control.options ?? []) {
      if (required) command.requiredOption(flags, description);
      else command.option(flags, description);
    }
    command
      .option('--json', 'print JSON')
      .addHelpText('after', `\nExample:\n  ${control.example}`)
      .action(async (id: string, flags: Flags) => {
        const update = control.update(flags);
        const { session } = await import('../temporal');
        const { config, client } = await session();
        const { updateAgreement } = await import('../agreement-handle');
        const { waitingLine } = await import('../update-retry');
        const answer = await updateAgreement<AgreementStatus>(
          client,
          config,
          id,
          { ...update, command: control.name },
          {
            onWait: (reason, progress) => process.stderr.write(`dura: ${waitingLine(reason, progress)}\n`),
          },
        );
        if (answer.outcome === 'rejected') throw new UserError(answer.reason);
        const status = answer.value;
        emit(flags, status, () => `${status.agreementId}: ${control.name} done; stage ${status.stage}`);
      });
  }
}
