/** `dura list`: the same search as `temporal workflow list --query …` on dura's search attributes. */
import type { Client } from '@temporalio/client';
import type { Stage, Tier } from '../common/agreement';
import { agreementIdOf } from '../common/agreement-target';
import * as sa from '../workflows/search-attributes';
import { DateTime } from 'luxon';

export interface ListedAgreement {
  agreementId: string;
  /** Its workflow id (the institution's, `dura-<domain>`, held by one agreement at a time). */
  workflowId: string;
  stage: Stage;
  tiers: Tier[];
  initiationDueBy: string | null;
  nextReminderAt: string | null;
  overdue: boolean;
  /** The end date of its term (issue 18), YYYY-MM-DD, when it has one and the term is listed. */
  expiresOn?: string;
}

export interface ListFilters {
  stage?: string;
  tier?: string;
  overdue?: boolean;
  /** YYYY-MM-DD: terms in force (running) whose end date is on or before it (issue 18). */
  expiringBefore?: string;
}

/** The calendar day after `date` (YYYY-MM-DD). */
const nextDay = (date: string) => DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;

/**
 * The visibility query for the filters. With none, every agreement (not the requests the list covered,
 * answered `not-needed` under ids of their own: `--stage not-needed` lists those), and the terms that
 * ended one (renewed, lapsed) so that its row shows how it ended; `--stage` alone is DuraStage as Temporal's own
 * query reads it (design.md), so `--stage completed` still lists an agreement whose term ended.
 */
export function listQuery(filters: ListFilters): string {
  const tier = filters.tier ? ` AND DuraTiers='${filters.tier}'` : '';
  // "On or before" a date: before the next day's midnight, the moment an end date is stored as.
  if (filters.expiringBefore)
    return (
      `WorkflowType='termWorkflow' AND ExecutionStatus='Running' AND ` +
      `DuraExpiresOn<'${nextDay(filters.expiringBefore)}T00:00:00Z'${tier}`
    );
  const clauses: string[] = [];
  if (filters.stage) clauses.push(`DuraStage='${filters.stage}'`);
  if (filters.tier) clauses.push(`DuraTiers='${filters.tier}'`);
  if (filters.overdue) clauses.push('DuraOverdue=true');
  return clauses.length
    ? clauses.join(' AND ')
    : "(WorkflowType='agreementWorkflow' AND DuraStage!='not-needed') OR " +
        "(WorkflowType='termWorkflow' AND DuraStage IN ('renewed','lapsed'))";
}

export async function listAgreements(client: Client, filters: ListFilters): Promise<ListedAgreement[]> {
  const rows: ListedAgreement[] = [];
  for await (const wf of client.workflow.list({ query: listQuery(filters) })) {
    const a = wf.typedSearchAttributes;
    rows.push({
      agreementId: agreementIdOf(wf),
      workflowId: wf.workflowId,
      // A term in force has no stage of its own (workflows/term.ts): its agreement's is `completed`.
      stage: (a.get(sa.DuraStage) ?? (wf.type === 'termWorkflow' ? 'completed' : 'unknown')) as Stage,
      tiers: (a.get(sa.DuraTiers) ?? []) as Tier[],
      initiationDueBy: a.get(sa.DuraInitiationDueBy)?.toISOString() ?? null,
      nextReminderAt: a.get(sa.DuraNextReminderAt)?.toISOString() ?? null,
      overdue: a.get(sa.DuraOverdue) ?? false,
      ...(a.get(sa.DuraExpiresOn) ? { expiresOn: a.get(sa.DuraExpiresOn)!.toISOString().slice(0, 10) } : {}),
    });
  }
  // An agreement with a term is listed twice (its workflow and its term's): one row, the term's stage
  // when it ended the agreement (renewed, lapsed), with the end date.
  const byId = new Map<string, ListedAgreement>();
  for (const row of rows) {
    const seen = byId.get(row.agreementId);
    if (!seen) byId.set(row.agreementId, row);
    else {
      const term = row.expiresOn ? row : seen;
      const own = term === row ? seen : row;
      const ended = term.stage === 'renewed' || term.stage === 'lapsed';
      byId.set(row.agreementId, { ...own, stage: ended ? term.stage : own.stage, expiresOn: term.expiresOn });
    }
  }
  return [...byId.values()].sort((x, y) => x.agreementId.localeCompare(y.agreementId));
}
