/** `dura import <requests.csv>`: requests in bulk from the access team's spreadsheet. */
import { Option, type Command } from 'commander';
import { emit, UnreachableError, UserError, type OutputOptions } from '../output';
import type { ImportedRow } from '../import';

interface ImportFlags extends OutputOptions {
  skipInvalid?: boolean;
  initiation?: 'auto' | 'manual';
  concurrency: number;
}

export function registerIntakeCommands(program: Command): void {
  program
    .command('import <requests.csv>')
    .description('request many agreements from a CSV file; rows for the same domain join one agreement')
    .option('--skip-invalid', 'request the valid rows and list the invalid ones')
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
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dura import requests.csv\n\nrequests.csv (official_title and received_at may be left out or empty):\n' +
        '  institution_name,domain,requester_name,requester_email,official_name,official_email,official_title,tiers,received_at\n' +
        '  University of Washington,uw.edu,Ada Lovelace,ada@uw.edu,Sam Signer,osp@uw.edu,Director,registered;controlled,2026-11-02T15:04:00Z\n\n' +
        'Save it from a spreadsheet as CSV (UTF-8 or not), or as Unicode text (tab-separated). Tiers: registered\n' +
        'and/or controlled (which includes registered), in any case, between ; or spaces. Every problem is\n' +
        'listed by line and column, and nothing is requested unless every row is valid (or --skip-invalid).\n' +
        'Rows for one institution ask their tiers together: the row that starts its agreement asks for all.',
    )
    .action(async (file: string, flags: ImportFlags) => {
      const { readRequestFile } = await import('../import');
      const { formatProblem } = await import('../../common/csv');
      // Throws, listing every problem, unless --skip-invalid and the file can be requested in part.
      const { rows, problems } = readRequestFile(file, { skipInvalid: flags.skipInvalid });
      const { session } = await import('../temporal');
      const { config, client } = await session();
      const { importRequests } = await import('../import');
      const { startingPolicy } = await import('../agreements');
      const { waitingLine } = await import('../update-retry');
      const progress = process.stderr.isTTY && !flags.json ? showProgress : undefined;
      let waiting = false; // one line for the whole file, however many requests wait
      const { withStore } = await import('../records');
      const { requestNotes } = await import('../request-notes');
      const { planImport } = await import('../import-plan');
      const results = await withStore(async (registry) => {
        // Where each row goes, and rows refused before anything starts (a tier an agreement cannot take).
        const plan = await planImport(rows, registry);
        const refused = new Set(plan.problems.map((p) => p.line));
        if (plan.problems.length && !flags.skipInvalid)
          throw new UserError(
            `${file}: nothing requested; ${plan.problems.length} problem(s):\n${plan.problems.map(formatProblem).join('\n')}`,
          );
        problems.push(...plan.problems);
        return importRequests(
          client,
          plan.planned.filter((row) => !refused.has(row.line)),
          {
            notesAfter: (request, answer) => requestNotes(client, config, request, answer),
            taskQueue: config.DURA_TASK_QUEUE,
            policy: startingPolicy(config, flags.initiation ? { initiation: flags.initiation } : {}),
            concurrency: flags.concurrency,
            onProgress: progress,
            patience: {
              onWait: (reason, state) => {
                if (waiting) return;
                waiting = true;
                process.stderr.write(
                  `${progress ? '\n' : ''}dura: ${waitingLine(reason, state, 'the requests')}\n`,
                );
              },
            },
          },
        );
      });
      if (progress) process.stderr.write('\n');
      const counts: Record<string, number> = {};
      for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      const agreements = new Set(results.flatMap((r) => (r.agreementId ? [r.agreementId] : []))).size;
      emit(
        flags,
        { requested: results.length, agreements, outcomes: counts, rows: results, skipped: problems },
        () =>
          [
            `${results.length} request(s), ${agreements} agreement(s): ` +
              (Object.entries(counts)
                .map(([outcome, n]) => `${n} ${outcome}`)
                .join(', ') || 'nothing to do'),
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
      if (counts.unanswered)
        throw new UnreachableError(
          `a worker: ${counts.unanswered} request(s) unanswered (listed above); they may still be applied ` +
            'when a worker runs; importing the file again is safe (requests already in come back already-requested)',
        );
      // A row its agreement refused (it ended meanwhile, …) is a request not taken: said above, and exit 1.
      if (counts.rejected) process.exitCode = 1;
    });
}

/** One line per agreement, in the file's order: its id and what each of its rows did (`line 2 started`). */
function byAgreement(results: ImportedRow[]): string[] {
  const rows = new Map<string, ImportedRow[]>();
  for (const r of results)
    if (r.agreementId) rows.set(r.agreementId, [...(rows.get(r.agreementId) ?? []), r]);
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
      throw new UserError(`${flag}: expected a whole number 1-${max}`);
    return n;
  };
}
