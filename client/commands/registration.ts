/**
 * `dura registration record|import|close|resend|list` (issue 18): a requester's registration steps after the
 * registration instructions, recorded one at a time, from a CSV file, and listed. Thin over
 * client/registration-inputs.ts, which returns outcomes as values; views in client/registration-views.ts.
 */
import { Option, type Command } from 'commander';
import { REGISTRATION_STEPS } from '../../common/registration';
import type { DigitsOrder } from '../../common/when';
import { emit, writeCsv, type OutputOptions } from '../output';
import { requiredFlag } from './required';
import { counted } from '../../common/counted';

interface RecordFlags extends OutputOptions {
  step: string;
  on?: string;
}

interface ListFlags extends OutputOptions {
  institution?: string;
  stalled?: boolean;
  csv?: boolean;
}

export function registerRegistrationCommands(program: Command): void {
  const registration = program
    .command('registration')
    .description(
      "requesters' registration steps after the instructions: record, import, close, resend, list",
    );

  requiredFlag(
    registration
      .command('record <email>')
      .description('record that a requester completed a registration step'),
    '--step <step>',
    `${REGISTRATION_STEPS.join(', ')} (or its words, e.g. "2-Step Verification", "RCR Training")`,
  )
    .option('--on <date>', 'the date it was completed, YYYY-MM-DD (New York; not after today; default today)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        'The step goes to the registration of the newest agreement whose instructions went to <email>.',
        'Recording a step already recorded on that date changes nothing; on another date, it corrects it.',
        '',
        'Examples:',
        '  dura registration record ada@uw.edu --step identity',
        '  dura registration record ada@uw.edu --step "RCR Training" --on 2026-11-20',
      ].join('\n'),
    )
    .action(async (email: string, flags: RecordFlags) => {
      const { recordStepTyped } = await import('../registration-inputs');
      const answer = await recordStepTyped({ email, step: flags.step, on: flags.on });
      const { registrationView } = await import('../registration-views');
      const { registration: r } = answer;
      const { earlyStepWarning } = await import('../registration-inputs');
      const { beforeInstructions } = answer;
      if (beforeInstructions) {
        const step = { ...answer, email: r.requester.email, beforeInstructions };
        const fix = 'record it again with the right --on';
        process.stderr.write(`dura: warning: ${earlyStepWarning(step, fix)}\n`);
      }
      const outcome = answer.was ? `${answer.outcome} (corrected: was ${answer.was})` : answer.outcome;
      emit(flags, answer, () => `${r.agreementId}: ${outcome}\n${registrationView(r)}`);
    });

  registration
    .command('import <file.csv>')
    .description('record registration steps from a CSV file: one row per requester and step')
    .addOption(
      new Option(
        '--dates <order>',
        'dates in digits (3/4/2026): which comes first, as the export writes them; also reads 3 Nov 2026',
      ).choices(['month-first', 'day-first']),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        'Columns (any order and case; other columns are ignored, so an admin export can be imported as it is):',
        '  email         (or "E-mail", "Email Address", "Researcher Email")',
        '  step          (or "Module", "Access Module", "Requirement"): account, two-step, identity,',
        '                code-of-conduct, rcr-training, or their words ("2-Step Verification", "Identity',
        '                Verification", "Code of Conduct", "RCR Training")',
        '  completed_on  (or "Completed", "Completion Date", "Date"): YYYY-MM-DD (New York) or an ISO-8601 instant;',
        '                in digits (3/4/2026, as Excel exports dates) with --dates month-first or day-first',
        '',
        'UTF-8, UTF-16 or Windows-1252; comma, tab or semicolon. Every problem is listed by line and column,',
        'and nothing is recorded unless every row is good and every address has a registration tracked.',
        '',
        'Example:',
        '  dura registration import workbench-export.csv',
        '',
        'workbench-export.csv:',
        '  email,step,completed_on',
        '  ada@uw.edu,2-Step Verification,2026-11-18',
        '  ada@uw.edu,RCR Training,2026-11-20',
      ].join('\n'),
    )
    .action(async (file: string, flags: OutputOptions & { dates?: DigitsOrder }) => {
      const { importRegistrationFile } = await import('../registration-inputs');
      const result = await importRegistrationFile(file, flags.dates);
      const { earlyStepWarning } = await import('../registration-inputs');
      for (const row of result.rows)
        if (row.beforeInstructions) {
          const fix = 'correct the date in the file and import it again';
          const step = { ...row, beforeInstructions: row.beforeInstructions };
          process.stderr.write(`dura: warning: line ${row.line}: ${earlyStepWarning(step, fix)}\n`);
        }
      emit(flags, result, () =>
        [
          `${counted(result.rows.length, 'row')}: ${result.recorded} recorded, ${result.unchanged} unchanged (already recorded)`,
          // A date the file changed (imported again after a fix) is named: it replaced what was on record.
          ...result.rows
            .filter((row) => row.was)
            .map(
              (row) =>
                `line ${row.line}: ${row.email}'s ${row.step} corrected to ${row.completedOn} (was ${row.was})`,
            ),
        ].join('\n'),
      );
    });

  requiredFlag(
    registration
      .command('close <email>')
      .description("close a requester's open registrations: no more nudges, off the stalled list"),
    '--reason <text>',
    'why, in one line (e.g. "left the institution"); kept in the history',
  )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nA closed registration is neither open nor stalled; a step reported later is still recorded.\n' +
        '\nExample:\n  dura registration close ada@uw.edu --reason "left the institution"',
    )
    .action(async (email: string, flags: OutputOptions & { reason: string }) => {
      const { closeRegistrationTyped } = await import('../registration-close');
      const answer = await closeRegistrationTyped({ email, reason: flags.reason });
      const { registrationView } = await import('../registration-views');
      emit(flags, answer, () =>
        answer.registrations
          .map((r) =>
            answer.outcome === 'closed'
              ? `${r.agreementId}: closed\n${registrationView(r)}`
              : `${r.agreementId}: nothing to close\n${registrationView(r)}`,
          )
          .join('\n'),
      );
    });

  registration
    .command('resend <agreement> <requester>')
    .description('send registration instructions the mail server refused again, to a corrected address')
    .option('--to <email>', 'where to send them instead (e.g. the address without its typo)')
    .option('--name <name>', "the requester's name at that address (default: as the agreement has it)")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      [
        '',
        'For a requester whose instructions were refused for good (`dura status` shows them as not delivered).',
        'They go as a new message; delivered, the registration is tracked from then on (nudges, steps).',
        '',
        'Examples:',
        '  dura registration resend uw.edu-1 ada@uw.edu',
        '  dura registration resend uw.edu-1 ada@uw.ed --to ada@uw.edu',
      ].join('\n'),
    )
    .action(
      async (agreement: string, requester: string, flags: OutputOptions & { to?: string; name?: string }) => {
        const { resendInstructionsTyped } = await import('../registration-resend');
        const answer = await resendInstructionsTyped({
          agreement,
          email: requester,
          to: flags.to,
          name: flags.name,
        });
        const { resendLine } = await import('../registration-views');
        if (answer.outcome === 'refused') {
          const { UserError } = await import('../output');
          throw new UserError(resendLine(answer));
        }
        emit(flags, answer, () => resendLine(answer));
      },
    );

  registration
    .command('list')
    .description("requesters' registrations: their steps, nudges and whether they stalled")
    .option('--institution <text>', "only one institution's requesters: its domain, or part of its name")
    .option('--stalled', 'only registrations the access team was told about (steps left after every nudge)')
    .addOption(new Option('--json', 'print JSON').conflicts('csv'))
    .addOption(new Option('--csv', 'print CSV, one row per requester'))
    .addHelpText(
      'after',
      '\nExamples:\n  dura registration list\n  dura registration list --institution uw.edu --stalled\n' +
        '  dura registration list --csv > registrations.csv',
    )
    .action(async (flags: ListFlags) => {
      const { listRegistrationsTyped } = await import('../registration-inputs');
      const rows = await listRegistrationsTyped(flags);
      const { registrationCsv, registrationTable } = await import('../registration-views');
      if (flags.csv) writeCsv(`${registrationCsv(rows)}\n`);
      else {
        // Nothing found says what was asked, as `dura list` does.
        const asked = [
          flags.institution && `--institution ${flags.institution}`,
          flags.stalled && '--stalled',
        ];
        const filters = asked.filter(Boolean).join(', ');
        emit(flags, rows, () =>
          rows.length === 0 && filters ? `no registrations (${filters})` : registrationTable(rows),
        );
      }
    });
}
