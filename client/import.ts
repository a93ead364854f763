/**
 * `dura import`: many requests at once. Requests for different institutions go out concurrently; those
 * for the same domain go one after another in file order, so the first starts the agreement and the
 * rest join it, exactly as if they had been typed one by one. Each request rides out workers that come
 * and go (update-retry.ts) with one update id for all its tries, so a retried request is applied once.
 */
import type { Client } from '@temporalio/client';
import type { JoinResult, Policy, Tier } from '../common/agreement';
import { formatProblem, type CsvProblem } from '../common/csv';
import { namedByColumn, parseRequestCsv, type CsvRequest, type RequestCsv } from '../common/request-csv';
import { readTextFile } from '../common/text-file';
import { digitsOrderHint, type DigitsOrder } from '../common/when';
import { requestPatiently } from './agreements';
import type { PlannedRow } from './import-plan';
import { UserError } from './output';
import { TemporalGone, UpdateNotTaken, type Patience } from './update-retry';
import { counted } from '../common/counted';

/**
 * The requests of a CSV file in any encoding a spreadsheet saves (common/text-file.ts). Throws a
 * UserError listing every problem (nothing is to be requested) when there is any, or, with skipInvalid,
 * only when the file cannot be requested even in part (a bad header, rows that could not be read, a
 * value under no column name); otherwise the valid rows and the others' problems.
 */
export function readRequestFile(
  file: string,
  options: { skipInvalid?: boolean; digits?: DigitsOrder } = {},
): RequestCsv {
  let text: string;
  try {
    text = readTextFile(file).text;
  } catch (err) {
    throw new UserError((err as Error).message); // `<the path typed>: <why>`
  }
  const parsed = parseRequestCsv(text, undefined, options.digits);
  const { problems } = parsed;
  if (problems.length && (parsed.fatal || !options.skipInvalid))
    throw nothingRequested(file, problems, options.digits);
  return parsed;
}

/** The refusal of a whole file: every problem, in line order, one a line (exit 1). */
export function nothingRequested(file: string, problems: CsvProblem[], digits?: DigitsOrder): UserError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  return new UserError(
    `${file}: nothing requested; ${counted(sorted.length, 'problem')}:\n${sorted.map(formatProblem).join('\n')}` +
      digitsOrderHint(
        sorted.map((p) => p.message),
        digits,
      ),
  );
}

export interface ImportedRow {
  line: number;
  domain: string;
  agreementId?: string;
  /**
   * started, joined, already-requested; rejected (the agreement refused it, see `detail`); unanswered
   * (no worker took it within the bound, or Temporal stopped answering: it may still be applied when one
   * runs); or not-sent (Temporal had stopped answering before its turn).
   */
  outcome: string;
  stage?: string;
  detail?: string;
  /** What `dura request` warns of for the same request (triage): an address outside its domains, … */
  warnings?: string[];
  /** Temporal stopped answering during the import, on or before this row: `Temporal at host:port: …`. */
  gone?: string;
}

export interface ImportOptions {
  taskQueue: string;
  policy?: Partial<Policy>;
  /** Institutions in flight at once. */
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
  /** Each request waits for a worker within this bound; `onWait` is called at most once per request. */
  patience?: Patience;
  /** What the agreement's answer calls for saying, as `dura request` says it (client/request-notes.ts). */
  notesAfter?: (
    request: CsvRequest['request'],
    answer: JoinResult,
    tiersBefore?: Tier[],
  ) => Promise<string[]>;
}

export async function importRequests(
  client: Client,
  rows: PlannedRow[],
  options: ImportOptions,
): Promise<ImportedRow[]> {
  const byDomain = new Map<string, PlannedRow[]>();
  for (const row of rows) {
    const domain = row.request.institution.domain;
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), row]);
  }
  const queue = [...byDomain.values()];
  const results: ImportedRow[] = [];
  let done = 0;
  // Temporal gone: no lane sends another row; those left are said not sent (import again once it is back).
  let gone: TemporalGone | undefined;
  const lane = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const row of group) {
        const line = { line: row.line, domain: row.request.institution.domain };
        if (gone) {
          results.push({
            ...line,
            outcome: 'not-sent',
            detail: `${gone.message} before it was sent`,
            gone: gone.message,
          });
          continue;
        }
        const result = await requestOne(client, row, options).catch((err: unknown) => {
          if (!(err instanceof TemporalGone)) throw err;
          gone ??= err;
          const then = err.accepted ? 'a worker had taken it' : 'it may still be applied once it is back';
          return { outcome: 'unanswered', detail: `${err.message} (${then})`, gone: err.message };
        });
        results.push({ ...line, ...result });
        options.onProgress?.(++done, rows.length);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  return results.sort((a, b) => a.line - b.line);
}

/** A covered row answered before (a file imported again): said, as nothing is sent again. */
async function answeredNote(answeredAt: string): Promise<string> {
  const { inWords } = await import('../common/when');
  return `answered already (${inWords(answeredAt)}, the same request that day): nothing sent again`;
}

async function requestOne(
  client: Client,
  { request, triage, ...row }: PlannedRow,
  options: ImportOptions,
): Promise<Omit<ImportedRow, 'line' | 'domain'>> {
  try {
    const answer = await requestPatiently(
      client,
      request,
      { taskQueue: options.taskQueue, policy: options.policy, triage },
      options.patience,
    );
    const { agreementId, outcome, stage } = answer;
    // As `dura request` warns, each naming its field as the spreadsheet's column does.
    const warnings = [
      ...(row.notes ?? []),
      ...triage.notes.map(namedByColumn),
      ...((await options.notesAfter?.(request, answer, row.tiersBefore)) ?? []),
      ...(answer.answeredAt ? [await answeredNote(answer.answeredAt)] : []),
    ];
    return { agreementId, outcome, stage, ...(warnings.length ? { warnings } : {}) };
  } catch (err) {
    if (err instanceof UpdateNotTaken)
      return { outcome: 'unanswered', detail: `${err.message} (${err.reason})` };
    // The agreement's own validator refused this request (e.g. it has ended): report it, go on.
    const e = err as Error & { cause?: Error };
    if (e.name !== 'WorkflowUpdateFailedError') throw err;
    return { outcome: 'rejected', detail: e.cause?.message ?? e.message };
  }
}
