/**
 * `dura import --dry-run`: what each row of the file would do, from the plan that the import itself
 * follows (import-plan.ts), with the warnings known before anything starts; nothing is requested.
 */
import { counted } from '../common/counted';
import { formatProblem, type CsvProblem } from '../common/csv';
import { namedByColumn } from '../common/request-csv';
import type { PlannedRow, RowPlan } from './import-plan';

export interface DryRunRow {
  line: number;
  domain: string;
  does: RowPlan['does'];
  /** The agreement in process it would join. */
  agreementId?: string;
  /** The line whose agreement it would join (started by the same file). */
  joinsLine?: number;
  warnings?: string[];
}

export function dryRunRows(rows: PlannedRow[]): DryRunRow[] {
  return rows.map(({ line, request, triage, plan, notes, joinNotes }) => {
    const warnings = [...(notes ?? []), ...triage.notes.map(namedByColumn), ...(joinNotes ?? [])];
    return {
      line,
      domain: request.institution.domain,
      does: plan.does,
      ...('agreementId' in plan ? { agreementId: plan.agreementId } : {}),
      ...('line' in plan ? { joinsLine: plan.line } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  });
}

/** The summary, each row's part, the warnings by row and the rows skipped, as the import prints them. */
/** `; 2 rows skipped` (the rows the problems are on), or nothing: the end of an import's summary line. */
export function skippedRows(problems: CsvProblem[]): string {
  const rows = new Set(problems.map((p) => p.line)).size;
  return rows ? `; ${counted(rows, 'row')} skipped` : '';
}

export function dryRunView(rows: PlannedRow[], problems: CsvProblem[]): string {
  const n = (does: RowPlan['does']) => rows.filter((r) => r.plan.does === does).length;
  const what = (r: PlannedRow) => {
    const p = r.plan;
    if (p.does === 'not-needed') return 'listed already, no agreement needed';
    if (p.does === 'start') return 'starts an agreement';
    if (p.does === 'already-requested')
      return `already requested (${p.agreementId ?? `the agreement line ${p.line} starts`})`;
    return 'agreementId' in p
      ? `joins ${p.agreementId} (${p.stage})`
      : `joins the agreement line ${p.line} starts`;
  };
  return [
    `dry run, nothing requested: ${counted(rows.length, 'request')}: ${n('start')} would start an agreement, ` +
      `${n('join')} would join one, ${n('already-requested')} already requested, ${n('not-needed')} listed already` +
      skippedRows(problems),
    ...rows.map((r) => `  line ${r.line}, ${r.request.institution.domain}: ${what(r)}`),
    ...dryRunRows(rows).flatMap((r) =>
      (r.warnings ?? []).map((w) => `line ${r.line}, ${r.domain}: warning: ${w}`),
    ),
    ...problems.map((p) => `skipped ${formatProblem(p)}`),
  ].join('\n');
}
