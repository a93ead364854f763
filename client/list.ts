/** `dura list`: the same search as `temporal workflow list --query …` on dura's search attributes. */
import type { Client } from '@temporalio/client';
import type { Stage, Tier } from '../common/agreement';
import * as sa from '../workflows/search-attributes';

export interface ListedAgreement {
  agreementId: string;
  /** Its workflow id (the institution's, `dura-<domain>`, held by one agreement at a time). */
  workflowId: string;
  stage: Stage;
  tiers: Tier[];
  initiationDueBy: string | null;
  nextReminderAt: string | null;
  overdue: boolean;
}

/** The visibility query for the filters; with none, every agreement. */
export function listQuery(filters: { stage?: string; tier?: string; overdue?: boolean }): string {
  const clauses: string[] = [];
  if (filters.stage) clauses.push(`DuraStage='${filters.stage}'`);
  if (filters.tier) clauses.push(`DuraTiers='${filters.tier}'`);
  if (filters.overdue) clauses.push('DuraOverdue=true');
  return clauses.length ? clauses.join(' AND ') : "WorkflowType='agreementWorkflow'";
}

export async function listAgreements(
  client: Client,
  filters: { stage?: string; tier?: string; overdue?: boolean },
): Promise<ListedAgreement[]> {
  const rows: ListedAgreement[] = [];
  for await (const wf of client.workflow.list({ query: listQuery(filters) })) {
    const a = wf.typedSearchAttributes;
    rows.push({
      // Since patch `agreement-ids` the agreement's own id is in its memo; before, it was its workflow id.
      agreementId: typeof wf.memo?.agreementId === 'string' ? wf.memo.agreementId : wf.workflowId,
      workflowId: wf.workflowId,
      stage: (a.get(sa.DuraStage) ?? 'unknown') as Stage,
      tiers: (a.get(sa.DuraTiers) ?? []) as Tier[],
      initiationDueBy: a.get(sa.DuraInitiationDueBy)?.toISOString() ?? null,
      nextReminderAt: a.get(sa.DuraNextReminderAt)?.toISOString() ?? null,
      overdue: a.get(sa.DuraOverdue) ?? false,
    });
  }
  return rows.sort((x, y) => x.agreementId.localeCompare(y.agreementId));
}
