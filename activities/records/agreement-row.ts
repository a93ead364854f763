/** An agreement's status snapshot as a row of the agreements table (the records store's upsert). */
import { normalizeDomain, type AgreementSnapshot } from '../../common/agreement';
import type { AgreementsTable } from './schema';

export function agreementRow(
  agreementRef: string,
  s: AgreementSnapshot,
  historyLength: number,
): AgreementsTable {
  return {
    agreement_ref: agreementRef,
    agreement_id: s.agreementId,
    domain: normalizeDomain(s.institution.domain),
    stage: s.stage,
    kind: s.kind,
    tiers: s.tiers.join(','),
    received_at: s.receivedAt,
    initiation_due_by: s.initiationDueBy,
    initiated_at: s.initiatedAt,
    reminders_sent: s.remindersSent,
    next_reminder_at: s.nextReminderAt,
    executed_at: s.executedAt,
    instructions_due_by: s.instructionsDueBy,
    instructions_sent_at: s.instructionsSentAt,
    ended_at: s.endedAt,
    overdue: s.overdue ? 1 : 0,
    history_length: historyLength,
    // The history lives in agreement_events (withHistories puts it back); older calls carried it here.
    status_json: JSON.stringify({ ...s, history: undefined }),
    updated_at: new Date().toISOString(),
  };
}
