/**
 * The agreement in the access team's words: the types shared by the workflow, its activities, the
 * client and the CLI. Pure TypeScript (no I/O, no zod), so workflow code may import it.
 */

export const TIERS = ['registered', 'controlled'] as const;
export type Tier = (typeof TIERS)[number];

export const STAGES = [
  'awaiting-initiation',
  'awaiting-signature',
  'executed',
  'instructions-sent',
  'completed',
  'cancelled',
  'declined',
  'not-needed',
] as const;
export type Stage = (typeof STAGES)[number];

/** Stages in which the agreement is still in process (the access team can steer it). */
export const OPEN_STAGES: readonly Stage[] = ['awaiting-initiation', 'awaiting-signature'];

export interface Person {
  name: string;
  email: string;
}

export interface SigningOfficial extends Person {
  title?: string;
}

export interface Institution {
  name: string;
  /** E-mail domain, lower-cased: the institution's business key. */
  domain: string;
}

/** The policy recorded with each agreement when it starts (design.md, "Policy"). */
export interface Policy {
  initiation: 'auto' | 'manual';
  initiationBusinessDays: number;
  reminderEveryDays: number;
  requesterUpdateEveryDays: number;
  escalateAfterReminders: number;
  instructionsBusinessDays: number;
}

export const DEFAULT_POLICY: Policy = {
  initiation: 'auto',
  initiationBusinessDays: 2,
  reminderEveryDays: 14,
  requesterUpdateEveryDays: 14,
  escalateAfterReminders: 6,
  instructionsBusinessDays: 2,
};

/** One researcher's request for an agreement (validated at the CLI and client boundary). */
export interface AgreementRequest {
  institution: Institution;
  requester: Person;
  signingOfficial: SigningOfficial;
  tiers: Tier[];
  /** ISO-8601 instant the request was received. */
  receivedAt: string;
}

export interface HistoryEntry {
  at: string;
  event: string;
  detail?: string;
}

/** The status object of design.md's contract, plus a few fields the access team finds useful. */
export interface AgreementStatus {
  agreementId: string;
  institution: Institution;
  kind: 'new' | 'amendment';
  stage: Stage;
  tiers: Tier[];
  requesters: Person[];
  signingOfficial: SigningOfficial;
  policy: Policy;
  receivedAt: string;
  initiationDueBy: string | null;
  initiatedAt: string | null;
  remindersSent: number;
  nextReminderAt: string | null;
  remindersPausedUntil: string | null;
  nextStatusUpdateAt: string | null;
  overdue: boolean;
  executedAt: string | null;
  signedOn: string | null;
  documentRef: string | null;
  instructionsDueBy: string | null;
  instructionsSentAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  history: HistoryEntry[];
}

/**
 * The status without its history: what the activities are sent (mail, records). The records keep the
 * history as events, appended a few at a time, so an agreement's history bytes grow with its events,
 * not with their square.
 */
export type AgreementSnapshot = Omit<AgreementStatus, 'history'>;

export interface Execution {
  /** Date the institution signed, YYYY-MM-DD. */
  signedOn: string;
  documentRef?: string;
}

export interface JoinResult {
  agreementId: string;
  stage: Stage;
  outcome: 'started' | 'joined' | 'already-requested';
}

/** Lower-cases and trims an institution's e-mail domain. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
}

/** The agreement's workflow id, from its business key. */
export function agreementIdFor(domain: string): string {
  return `dura-${normalizeDomain(domain)}`;
}

/** Accepts an agreement id or a bare domain. */
export function agreementIdFrom(idOrDomain: string): string {
  const value = idOrDomain.trim();
  return value.startsWith('dura-') ? value.toLowerCase() : agreementIdFor(value);
}

export function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
