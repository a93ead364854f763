/** `dura report`: time to initiation and to execution, deadlines missed, reminders sent. */
import type { Command } from 'commander';
import { emit, UserError, writeCsv, writeOutputFile, type OutputOptions } from '../output';
import { withStore } from '../records';
import { counted } from '../../common/counted';

interface ReportFlags extends OutputOptions {
  since?: string;
  csv?: boolean;
  output?: string;
}

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('how the process is doing: time to initiation and execution, deadlines missed, reminders')
    .option(
      '--since <when>',
      'only agreements requested on or after this New York date (YYYY-MM-DD) or instant',
    )
    .option('--csv', 'one CSV row per agreement')
    .option('--json', 'print JSON')
    .option('--output <file>', 'write it to the file (CSV for a .csv name, JSON for .json), not to stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  dura report\n  dura report --since 2026-01-01 --output dura-2026.csv',
    )
    .action(async (flags: ReportFlags) => {
      const problems = flags.csv && flags.json ? ['--csv and --json: choose one'] : [];
      // A workbook's name gets a workbook, or nothing: a trial's report.xlsx held plain text Excel refused.
      const workbook = /\.(xlsx|xlsm|xls|ods|numbers)$/i.exec(flags.output ?? '');
      if (workbook)
        problems.push(
          `--output: ${flags.output}: dura writes no .${workbook[1]!.toLowerCase()} file; it writes CSV, which ` +
            `Excel opens: --output ${flags.output!.slice(0, workbook.index)}.csv`,
        );
      const since =
        flags.since === undefined
          ? undefined
          : await sinceInstant(flags.since).catch((err: unknown) => {
              if (!(err instanceof UserError)) throw err;
              problems.push(err.message);
              return undefined;
            });
      if (problems.length) throw new UserError(problems.join('\n'));
      // The records keep received_at as ISO UTC text, so an ISO UTC bound compares in time order.
      const rows = await withStore((store) => store.agreementSnapshots({ receivedSince: since }));
      const { agreementReport } = await import('../report');
      const report = agreementReport(rows);
      const csv = flags.csv || (!flags.json && /\.csv$/i.test(flags.output ?? ''));
      // A .json name gets JSON, as a .csv one gets CSV.
      flags.json ||= !flags.csv && /\.json$/i.test(flags.output ?? '');
      let text: string;
      if (csv) {
        const { csvLine } = await import('../../common/csv');
        const { FIGURE_COLUMNS: columns } = await import('../report');
        const lines = [csvLine(columns), ...report.agreements.map((a) => csvLine(columns.map((c) => a[c])))];
        text = `${lines.join('\n')}\n`;
      } else if (flags.json) text = `${JSON.stringify(report, null, 2)}\n`;
      else {
        const { table } = await import('../format');
        const { dateInWords } = await import('../../common/when');
        const day = (iso: string) => dateInWords(iso, 'short');
        text = `${summaryView(report.summary)}\n\n${agreementsView(report, table, day)}\n`;
      }
      if (flags.output === undefined) return csv ? writeCsv(text) : emit(flags, report, () => text.trimEnd());
      await writeOutputFile(flags.output, text, csv);
      const what = csv ? 'CSV' : flags.json ? 'JSON' : 'text';
      process.stdout.write(
        `wrote the report of ${counted(report.agreements.length, 'agreement')} to ${flags.output} (${what})\n`,
      );
    });
}

/**
 * `--since`: a New York date means from the start of that day in New York (not UTC midnight); an
 * instant is itself; a time without a zone is New York time, echoed on stderr. ISO UTC, or a UserError.
 */
async function sinceInstant(value: string): Promise<string> {
  const { readAs, readWhen } = await import('../../common/when');
  const read = readWhen(value, { expect: 'past' });
  if ('problem' in read) throw new UserError(`--since: ${read.problem}`);
  if (read.form === 'new-york-time') process.stderr.write(`dura: ${readAs('--since', read)}\n`);
  return read.at.toISOString();
}

function summaryView(s: import('../report').ReportSummary): string {
  const n = (v: number | null, unit: string) => (v === null ? '-' : counted(v, unit));
  return [
    `agreements                      ${s.agreements} (${s.open} open)`,
    `initiated                       ${s.initiated}; median ${n(s.medianBusinessDaysToInitiation, 'business day')} after the request`,
    `initiation deadlines missed     ${s.initiationDeadlinesMissed}`,
    `executed                        ${s.executed}; median ${n(s.medianDaysToExecution, 'day')} after the request`,
    `instructions sent               ${s.instructionsSent}`,
    `instructions deadlines missed   ${s.instructionsDeadlinesMissed}`,
    `reminders sent                  ${s.remindersSent}`,
    `requests that needed none       ${s.notNeeded} (the list covered them; no agreement)`,
  ].join('\n');
}

function agreementsView(
  report: import('../report').Report,
  table: (header: string[], rows: string[][]) => string,
  day: (iso: string) => string,
): string {
  const cell = (v: number | null) => (v === null ? '-' : String(v));
  return table(
    ['AGREEMENT', 'STAGE', 'RECEIVED', 'TO INITIATION', 'TO EXECUTION', 'REMINDERS', 'MISSED'],
    report.agreements.map((a) => [
      a.agreementId,
      a.stage,
      day(a.receivedAt),
      a.businessDaysToInitiation === null ? '-' : `${a.businessDaysToInitiation} bd`,
      a.daysToExecution === null ? '-' : `${cell(a.daysToExecution)} d`,
      String(a.remindersSent),
      [a.initiationDeadlineMissed ? 'initiation' : '', a.instructionsDeadlineMissed ? 'instructions' : '']
        .filter(Boolean)
        .join(', '),
    ]),
  );
}
