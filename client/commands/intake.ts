/** `dura import <requests.csv>`: requests in bulk from the access team's spreadsheet. */
import { Option, type Command } from 'commander';
import { emit, UnreachableError, UserError, type OutputOptions } from '../output';
import type { ImportedRow } from '../import';
import { counted } from '../../common/counted';
import type { DigitsOrder } from '../../common/when';

interface ImportFlags extends OutputOptions {
  skipInvalid?: boolean;
  dryRun?: boolean;
  initiation?: 'auto' | 'manual';
  concurrency: number;
  dates?: DigitsOrder;
}

export function registerIntakeCommands(program: Command): void {
  program
    .command('import <requests.csv>')
    .description('request many agreements from a CSV file; rows for the same domain join one agreement')
    .option('--skip-invalid', 'request the valid rows and list the invalid ones')
    .option('--dry-run', 'say what each row would do (start, join, listed already) and request nothing')
    .addOption(
      new Option('--initiation <mode>', 'initiate at once or wait for `dura initiate`').choices([
        'auto',
        'manual',
      ]),
    )
    .addOption(
      new Option('--concurrency <n>', 'institutions requested at once (1-64)')
        .default(8)
        .argParser(positiveInt('--concurrency', 64)),
    )
    .addOption(
      new Option(
        '--dates <order>',
        'received_at in digits (12/1/2026, as Excel exports dates): which comes first; also reads 3 Nov 2026',
      ).choices(['month-first', 'day-first']),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura import requests.csv\n\nrequests.csv (official_title and received_at may be left out or empty):\n' +
        '  institution_name,domain,requester_name,requester_email,official_name,official_email,official_title,tiers,received_at\n' +
        '  University of Washington,uw.edu,Ada Lovelace,ada@uw.edu,Sam Signer,osp@uw.edu,Director,registered;controlled,2026-11-02T15:04:00Z\n\n' +
        'Save it from a spreadsheet as CSV (UTF-8 or not), or as Unicode text (tab-separated). Tiers: registered\n' +
        'and/or controlled (which includes registered), in any case, between ; , or spaces. Every problem is\n' +
        'listed by line and column, and nothing is requested unless every row is valid (or --skip-invalid).\n' +
        'Rows for one institution ask their tiers together: the row that starts its agreement asks for all.',
    )
    .action(async (file: string, flags: ImportFlags) => {
      const { readRequestFile, nothingRequested } = await import('../import');
      const { formatProblem } = await import('../../common/csv');
      // Every row that can be read, and the problems of the others; throws only for a file that cannot
      // be requested even in part (a bad header, …).
      const { rows, problems, ignored, columns, refusedRowDomains } = readRequestFile(file, {
        skipInvalid: true,
        digits: flags.dates,
      });
      // A column of the spreadsheet's own (notes, a status) is left alone, and said: it may be a typo.
      if (ignored.length && !flags.json) {
        const { REQUEST_COLUMNS } = await import('../../common/request-csv');
        const names = ignored.map((n) => JSON.stringify(n)).join(', ');
        process.stderr.write(
          `dura: warning: ${file}: ${ignored.length > 1 ? 'columns' : 'column'} ${names} not read ` +
            `(the columns read: ${REQUEST_COLUMNS.join(', ')})\n`,
        );
      }
      // Where each row goes, and rows refused before anything starts (a tier an agreement cannot take):
      // listed with the file's other problems, all at once.
      const { withStore } = await import('../records');
      const { planImport } = await import('../import-plan');
      const plan = await withStore((registry) =>
        planImport(rows, registry, columns, refusedRowDomains),
      ).catch((err: unknown) => {
        // Without the records, what the file itself gets wrong is still the first thing to say.
        if (err instanceof UnreachableError && problems.length && !flags.skipInvalid)
          throw nothingRequested(file, problems, flags.dates);
        throw err;
      });
      problems.push(...plan.problems);
      problems.sort((a, b) => a.line - b.line);
      if (problems.length && !flags.skipInvalid) throw nothingRequested(file, problems, flags.dates);
      const refused = new Set(plan.problems.map((p) => p.line));
      if (flags.dryRun) {
        const { dryRunRows, dryRunView } = await import('../import-dry-run');
        const rows = plan.planned.filter((row) => !refused.has(row.line));
        emit(flags, { dryRun: true, rows: dryRunRows(rows), skipped: problems }, () =>
          dryRunView(rows, problems),
        );
        return;
      }
      const { session } = await import('../temporal');
      const { config, client } = await session();
      const { engineEncryptionProblem } = await import('../engine-encryption');
      const mismatch = await withStore((store) => engineEncryptionProblem(store.db, config));
      if (mismatch) throw new UserError(`${mismatch}; nothing was requested`);
      const { importRequests } = await import('../import');
      const { startingPolicy } = await import('../agreements');
      const { waitingLine } = await import('../update-retry');
      const { requestNotes } = await import('../request-notes');
      const progress = process.stderr.isTTY && !flags.json ? showProgress : undefined;
      const waiting = new Set<string>(); // each line once for the whole file, however many requests wait
      const results = await importRequests(
        client,
        plan.planned.filter((row) => !refused.has(row.line)),
        {
          notesAfter: (request, answer, tiersBefore) =>
            requestNotes(client, config, request, answer, tiersBefore),
          taskQueue: config.DURA_TASK_QUEUE,
          policy: startingPolicy(config, flags.initiation ? { initiation: flags.initiation } : {}),
          concurrency: flags.concurrency,
          onProgress: progress,
          patience: {
            onWait: (reason, state) => {
              const line = waitingLine(reason, state, 'the requests');
              if (waiting.has(line)) return;
              waiting.add(line);
              process.stderr.write(`${progress ? '\n' : ''}dura: ${line}\n`);
            },
          },
        },
      );
      if (progress) process.stderr.write('\n');
      const counts: Record<string, number> = {};
      for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      // A request the list already covers has an id of its own, but no agreement.
      const agreements = new Set(
        results.flatMap((r) => (r.agreementId && r.outcome !== 'not-needed' ? [r.agreementId] : [])),
      ).size;
      const { skippedRows } = await import('../import-dry-run');
      const skipped = skippedRows(problems);
      emit(
        flags,
        {
          requested: results.length,
          agreements,
          outcomes: counts,
          rows: results,
          skipped: problems,
          ...(ignored.length ? { ignoredColumns: ignored } : {}),
        },
        () =>
          [
            `${counted(results.length, 'request')}, ${counted(agreements, 'agreement')}: ` +
              (Object.entries(counts)
                .map(([outcome, n]) => `${n} ${outcome}`)
                .join(', ') || 'nothing to do') +
              skipped,
            ...byAgreement(results),
            ...results
              .filter((r) => r.detail)
              .map((r) => `line ${r.line}, ${r.domain}: ${r.outcome}: ${r.detail}`),
            ...results.flatMap((r) =>
              (r.warnings ?? []).map((w) => `line ${r.line}, ${r.domain}: warning: ${w}`),
            ),
            ...problems.map((p) => `skipped ${formatProblem(p)}`),
          ].join('\n'),
      );
      const gone = results.find((r) => r.gone)?.gone;
      if (gone)
        throw new UnreachableError(
          `${gone} during the import: ` +
            [
              counts.unanswered ? `${counted(counts.unanswered, 'request')} unanswered` : '',
              counts['not-sent'] ? `${counted(counts['not-sent'], 'request')} not sent` : '',
            ]
              .filter(Boolean)
              .join(', ') +
            ' (listed above); import the file again once it answers (requests already in come back already-requested)',
        );
      if (counts.unanswered)
        throw new UnreachableError(
          `a worker: ${counted(counts.unanswered, 'request')} unanswered (listed above); they may still be applied ` +
            'when a worker runs; importing the file again is safe (requests already in come back already-requested)',
        );
      // A row its agreement refused (it ended meanwhile, …) is a request not taken: said above, and exit 1.
      if (counts.rejected) process.exitCode = 1;
    });
}

/** One line per agreement, in the file's order: its id and what each of its rows did (`line 2 started`). */
function byAgreement(results: ImportedRow[]): string[] {
  const rows = new Map<string, ImportedRow[]>();
  for (const r of results) {
    // Covered already: no agreement to name (its own id is `dura-request-…`), the domain instead.
    const key =
      r.outcome === 'not-needed' ? `${r.domain} (listed already, no agreement needed)` : r.agreementId;
    if (key) rows.set(key, [...(rows.get(key) ?? []), r]);
  }
  return [...rows].map(([id, its]) => `  ${id}: ${its.map((r) => `line ${r.line} ${r.outcome}`).join(', ')}`);
}

/** Rewrites one line on the terminal, at most ten times a second. */
let lastDrawn = 0;
function showProgress(done: number, total: number): void {
  const now = Date.now();
  if (done < total && now - lastDrawn < 100) return;
  lastDrawn = now;
  process.stderr.write(`\rdura: ${done}/${total} requested`);
}

export function positiveInt(flag: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max)
      throw new UserError(`${flag}: expected a whole number from 1 to ${max} (got ${JSON.stringify(value)})`);
    return n;
  };
}
