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
import { officialsOf, REQUEST_PREFIX, TIERS, tiersAsked, type Stage, type Tier } from '../common/agreement';
import { joinRefusalAfterField, tierNames } from '../common/coverage';
import type { CsvProblem } from '../common/csv';
import type { CsvRequest } from '../common/request-csv';
import { checkCoverage } from '../activities/records/coverage';
import type { RecordsStore } from '../activities/records/store';
import { receivedInWords } from '../common/when';
import { triageRequest, type RequestTriage } from './agreements';
import { personalDomainProblem } from './personal-mail';
import { joinNotes } from './join-notes';

/**
 * What a row will do: nothing (the list covers it already), start its agreement, or join one, in
 * process (`agreementId`) or started by an earlier line of the file (`line`).
 */
export type RowPlan =
  | { does: 'not-needed' }
  | { does: 'start' }
  | { does: 'join'; agreementId: string; stage: Stage }
  | { does: 'join'; line: number }
  | { does: 'already-requested'; agreementId?: string; line?: number };

export interface PlannedRow extends CsvRequest {
  triage: RequestTriage;
  plan: RowPlan;
  /** What the plan changed in the row that starts an agreement, said as warnings on it (planNotes). */
  notes?: string[];
  /** The tiers of the agreement in process the row joins, before the import (none: it starts one). */
  tiersBefore?: Tier[];
  /**
   * What a joining row names that its agreement keeps otherwise (join-notes.ts), for the dry run: the
   * import itself says it after the answer, from the agreement (request-notes.ts).
   */
  joinNotes?: string[];
}

/** Where each row goes, in file order, and the problems that refuse rows before anything starts. */
export async function planImport(
  rows: CsvRequest[],
  store: RecordsStore,
  /** The columns as the file's header spells them (parseRequestCsv's `columns`): problems name them so. */
  columns: Partial<Record<'domain' | 'tiers', string>> = {},
  /** Rows refused for other columns (RequestCsv.refusedRowDomains): their domains are checked too. */
  refusedRowDomains: { line: number; domain: string }[] = [],
): Promise<{ planned: PlannedRow[]; problems: CsvProblem[] }> {
  const planned: PlannedRow[] = [];
  // Nothing starts before the plan is made: one reading of the agreements in process serves every row.
  let inProcess: ReturnType<RecordsStore['agreementsInProcess']> | undefined;
  const registry = Object.assign(Object.create(store) as RecordsStore, {
    agreementsInProcess: () => (inProcess ??= store.agreementsInProcess()),
  });
  for (const row of rows) {
    const triage = await triageRequest(row.request, registry);
    const { askedBefore } = triage;
    const plan: RowPlan = askedBefore
      ? { does: 'already-requested', agreementId: askedBefore.agreementId }
      : { does: 'not-needed' };
    planned.push({ ...row, triage, plan });
  }
  const byAgreement = new Map<string, PlannedRow[]>();
  for (const row of planned) {
    const { workflowId } = row.triage;
    if (workflowId.startsWith(REQUEST_PREFIX)) continue; // covered already: no agreement
    byAgreement.set(workflowId, [...(byAgreement.get(workflowId) ?? []), row]);
  }
  const problems: CsvProblem[] = [];
  const domains = [
    ...planned.map((row) => ({ line: row.line, domain: row.request.institution.domain })),
    ...refusedRowDomains,
  ];
  for (const { line, domain } of domains) {
    const personal = await personalDomainProblem(store, domain);
    if (personal) problems.push({ line, field: columns.domain ?? 'domain', message: personal });
  }
  for (const group of byAgreement.values()) {
    const first = group[0]!;
    const inProcess = (await checkCoverage(store, first.triage.askedAs, first.request.tiers)).inProcess;
    if (inProcess) {
      // Rows of one agreement go in file order (importRequests): each finds what the ones before added.
      let tiers = inProcess.tiers;
      const recorded = await store.agreementStatus(inProcess.agreementId);
      const asked = new Set<string>();
      for (const row of group) {
        // Asked as triage asks (an outsider's address at the institution), whether she is on it by her own.
        const coverage = await checkCoverage(
          store,
          row.triage.askedAs,
          row.request.tiers,
          row.request.requester.email,
        );
        const email = row.request.requester.email.toLowerCase();
        row.plan =
          coverage.inProcess?.requester || asked.has(email)
            ? { does: 'already-requested', agreementId: inProcess.agreementId }
            : { does: 'join', agreementId: inProcess.agreementId, stage: inProcess.stage };
        asked.add(email);
        if (recorded)
          row.joinNotes = joinNotes(row.request, {
            which: inProcess.agreementId,
            target: inProcess.agreementId,
            institutionName: recorded.institution.name,
            officials: officialsOf(recorded),
            requesters: recorded.requesters,
            receivedAt: recorded.receivedAt,
          });
        const refusal = joinRefusalAfterField(coverage);
        row.tiersBefore = tiers;
        const adds = row.request.tiers.filter((t) => !tiers.includes(t));
        if (!refusal) tiers = TIERS.filter((t) => tiers.includes(t) || row.request.tiers.includes(t));
        if (!refusal && adds.length)
          row.joinNotes = [
            ...(row.joinNotes ?? []),
            `this request adds ${tierNames(adds)}: ${inProcess.agreementId} would be for ${tierNames(tiers)}`,
          ];
        if (refusal) problems.push({ line: row.line, field: columns.tiers ?? 'tiers', message: refusal });
      }
      continue;
    }
    startForAll(first, group);
    const asked = new Set<string>();
    for (const row of group) {
      const email = row.request.requester.email.toLowerCase();
      row.plan =
        row === first
          ? { does: 'start' }
          : asked.has(email)
            ? { does: 'already-requested', line: first.line }
            : { does: 'join', line: first.line };
      asked.add(email);
      if (row !== first)
        row.joinNotes = joinNotes(row.request, {
          which: `the agreement line ${first.line} starts`,
          target: row.request.institution.domain,
          institutionName: first.request.institution.name,
          officials: [first.request.signingOfficial],
        });
    }
  }
  return { planned, problems };
}

/**
 * The row that starts an agreement asks for what all its rows ask: every tier (a tier cannot join once
 * the package went out) and the earliest receipt (initiation is due two business days after the first
 * request, design.md "Stages"). Each change is a note on that row.
 */
function startForAll(first: PlannedRow, group: PlannedRow[]): void {
  const notes: string[] = [];
  const lines = (rows: PlannedRow[]) =>
    `line${rows.length > 1 ? 's' : ''} ${rows.map((r) => r.line).join(', ')}`;
  const asked: Tier[] = first.request.tiers;
  const all = tiersAsked(group.flatMap((row) => row.request.tiers));
  if (all.length > asked.length) {
    const more = group.filter((row) => row.request.tiers.some((t) => !asked.includes(t)));
    notes.push(
      `tiers: ${asked.join(' and ')} asked here; the agreement starts for ${all.join(' and ')}, as ` +
        `${lines(more)} ask${more.length > 1 ? '' : 's'} too`,
    );
  }
  const earliest = group.reduce((a, b) => (b.request.receivedAt < a.request.receivedAt ? b : a));
  if (earliest !== first)
    notes.push(
      `received_at: the agreement starts as received ${receivedInWords(earliest.request.receivedAt)}, when ` +
        `line ${earliest.line} was, the earliest of its rows: initiation is due two business days after it`,
    );
  first.request = { ...first.request, tiers: all, receivedAt: earliest.request.receivedAt };
  if (notes.length) first.notes = notes;
}
