/**
 * What may be said to an agreement's term (workflows/term.ts): its renewal was executed (signalled by
 * the renewing agreement's workflow), and where it stands (query).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { HistoryEntry, Institution, Tier } from '../common/agreement';

/** The renewal `agreementId` was executed: the term ends as renewed (no lapse, no more warnings). */
export const renewedSignal = defineSignal<[{ agreementId: string }]>('renewed');

export interface TermWarning {
  /** Days before the end date (policy `termWarningDays`). */
  daysBefore: number;
  /** 09:00 New York on that day, or on the next business day (ISO-8601). */
  dueAt: string;
  /** `sent`; `skipped`: already past when the term started; `pending`; `not-needed`: renewed first. */
  state: 'pending' | 'sent' | 'skipped' | 'not-needed';
}

export interface TermStatus {
  agreementId: string;
  institution: Institution;
  tiers: Tier[];
  signedOn: string;
  /** The last day in force, YYYY-MM-DD (New York). */
  expiresOn: string;
  /** 00:00 New York the day after `expiresOn`: when the term lapses unless renewed (ISO-8601). */
  lapsesAt: string;
  outcome: 'in-term' | 'renewed' | 'lapsed';
  renewedBy: string | null;
  lapsedOn: string | null;
  warnings: TermWarning[];
  history: HistoryEntry[];
}

export const termStatusQuery = defineQuery<TermStatus>('termStatus');
