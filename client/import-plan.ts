/**
 * `dura import`, before anything starts: where each row goes (triage, as `dura request` does it) and
 * the tiers each agreement starts with.
 *
 * Rows that go to one agreement ask for their tiers together. An agreement whose package went to the
 * signing official takes no new tier (the workflow's validateJoin), and on auto initiation it goes at
 * once: so the row that starts an agreement asks for every tier its rows ask for (said as a warning on
 * that row), and a later row is never refused for a tier the first did not name. A row that would join
 * an agreement already with its signing official for fewer tiers is a problem of the file, refused
 * before anything starts, as `dura request` refuses it (joinRefusal).
 */
import { atDomain, REQUEST_PREFIX, tiersAsked, type Tier } from '../common/agreement';
import { joinRefusal } from '../common/coverage';
import type { CsvProblem } from '../common/csv';
import type { CsvRequest } from '../common/request-csv';
import { checkCoverage } from '../activities/records/coverage';
import type { RecordsStore } from '../activities/records/store';
import { triageRequest, type RequestTriage } from './agreements';

export interface PlannedRow extends CsvRequest {
  triage: RequestTriage;
  /** Set on the row that starts an agreement for more tiers than it asked: the tiers it asked. */
  widenedFrom?: Tier[];
  /** With widenedFrom: the later rows that asked for the other tiers. */
  widenedFor?: number[];
}

/** Where each row goes, in file order, and the problems that refuse rows before anything starts. */
export async function planImport(
  rows: CsvRequest[],
  store: RecordsStore,
): Promise<{ planned: PlannedRow[]; problems: CsvProblem[] }> {
  const planned: PlannedRow[] = [];
  for (const row of rows) planned.push({ ...row, triage: await triageRequest(row.request, store) });
  const byAgreement = new Map<string, PlannedRow[]>();
  for (const row of planned) {
    const { workflowId } = row.triage;
    if (workflowId.startsWith(REQUEST_PREFIX)) continue; // covered already: no agreement
    byAgreement.set(workflowId, [...(byAgreement.get(workflowId) ?? []), row]);
  }
  const problems: CsvProblem[] = [];
  for (const group of byAgreement.values()) {
    const first = group[0]!;
    const inProcess = (await checkCoverage(store, addressAtDomain(first), first.request.tiers)).inProcess;
    if (inProcess) {
      for (const row of group) {
        const refusal = joinRefusal(
          await checkCoverage(store, row.request.requester.email, row.request.tiers),
        );
        if (refusal) problems.push({ line: row.line, field: 'tiers', message: refusal });
      }
      continue;
    }
    const all = tiersAsked(group.flatMap((row) => row.request.tiers));
    if (all.length === first.request.tiers.length) continue;
    first.widenedFrom = first.request.tiers;
    first.widenedFor = group
      .filter((row) => row.request.tiers.some((t) => !first.widenedFrom!.includes(t)))
      .map((row) => row.line);
    first.request = { ...first.request, tiers: all };
  }
  return { planned, problems };
}

/** The warning on a row whose agreement starts for more tiers than it asked. */
export function widenedNote(row: PlannedRow): string | undefined {
  if (!row.widenedFrom) return undefined;
  const lines = row.widenedFor!;
  return (
    `tiers: ${row.widenedFrom.join(' and ')} asked here; the agreement starts for ${row.request.tiers.join(' and ')}, ` +
    `as line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} ask${lines.length > 1 ? '' : 's'} too`
  );
}

/** The requester's address, or one at the request's domain for a requester outside it (triage's rule). */
function addressAtDomain({ request }: CsvRequest): string {
  const email = request.requester.email;
  const domain = request.institution.domain;
  return atDomain(email, [domain]) ? email : `${email.split('@')[0]}@${domain}`;
}
