/**
 * `dura doctor`: every part the engine needs, checked at once (client/doctor.ts). Exit 0 when nothing
 * is a problem (warnings allowed), 2 when Temporal or the records cannot be reached (as every command),
 * 1 for any other problem: a script or a monitor can run it.
 */
import type { Command } from 'commander';
import { emit, type OutputOptions } from '../output';

const MARK = { ok: 'ok', warning: 'warning', problem: 'PROBLEM' } as const;

export function registerDoctorCommands(program: Command): void {
  program
    .command('doctor')
    .description('is the engine working: Temporal, its workers, the records, mail, the weekly digest')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit 0: nothing is a problem (warnings aside); 1: a problem; 2: Temporal or the records cannot be reached.' +
        '\n\nExamples:\n  dura doctor\n  dura doctor --json',
    )
    .action(async (flags: OutputOptions) => {
      const { loadConfig } = await import('../../common/config');
      const config = loadConfig();
      const doctor = await import('../doctor');
      const { connect } = await import('../temporal');
      const { openRecords } = await import('../records');
      const [temporal, records] = await Promise.all([
        doctor.temporalChecks(config, () => connect(config)),
        doctor.recordsChecks(config, () => openRecords(config.DATABASE_URL)),
      ]);
      const { mailCheck } = await import('../doctor-mail');
      const mail = await mailCheck(config, records.mailTransport);
      const checks = [...temporal, ...records.checks, mail];
      const problems = checks.filter((c) => c.finding === 'problem');
      emit(flags, { ok: problems.length === 0, checks }, () => {
        const width = Math.max(...checks.map((c) => c.check.length));
        return checks
          .map((c) => `${c.check.padEnd(width)}  ${MARK[c.finding].padEnd(7)}  ${c.detail}`)
          .join('\n');
      });
      // Exit 2 when Temporal or the records cannot be reached; a records' write lock held is a problem (1).
      const unreachable = temporal[0]!.finding === 'problem' || records.unreachable === true;
      process.exitCode = unreachable ? 2 : problems.length ? 1 : 0;
      // A mail server that took the connection and never answers keeps the check's socket half-open
      // (nodemailer ends it and waits for the server's side): the report is out, so exit (a trial's
      // cron job would otherwise wait for ever).
      process.stdout.write('', () => process.exit());
    });
}
