/**
 * `dura report`: how the process is doing, from the records. Initiation and registration instructions
 * are measured in business days (their deadlines are business days); execution in calendar days to
 * the signing date (it takes months). A deadline is missed when the step came after it, or has not come and it passed.
 */
import type { AgreementsTable } from '../activities/records/schema';
import { DateTime } from 'luxon';
import { BUSINESS_TIME_ZONE, businessDaysBetween, localDate } from '../common/calendar';

export interface AgreementFigures {
  agreementId: string;
  domain: string;
  kind: string;
  stage: string;
  tiers: string;
  receivedAt: string;
  initiatedAt: string | null;
  businessDaysToInitiation: number | null;
  initiationDeadlineMissed: boolean;
  executedAt: string | null;
  daysToExecution: number | null;
  instructionsSentAt: string | null;
  businessDaysToInstructions: number | null;
  instructionsDeadlineMissed: boolean;
  remindersSent: number;
  /** The New York date the institution signed (`execute --on`), YYYY-MM-DD; `executedAt` is when it was recorded. */
  signedOn: string | null;
  /** The agreement a renewal renews (`dura renew`; its kind is `new`), or null. */
  renews: string | null;
  /** The institution's name as the agreement has it (last in the CSV, so columns before keep their place). */
  institution: string;
}

/** The CSV columns, in order (also the header of an empty report). */
export const FIGURE_COLUMNS = [
  'agreementId',
  'domain',
  'kind',
  'stage',
  'tiers',
  'receivedAt',
  'initiatedAt',
  'businessDaysToInitiation',
  'initiationDeadlineMissed',
  'executedAt',
  'daysToExecution',
  'instructionsSentAt',
  'businessDaysToInstructions',
  'instructionsDeadlineMissed',
  'remindersSent',
  'signedOn',
  'renews',
  'institution',
] as const satisfies ReadonlyArray<keyof AgreementFigures>;

export interface ReportSummary {
  agreements: number;
  open: number;
  initiated: number;
  medianBusinessDaysToInitiation: number | null;
  initiationDeadlinesMissed: number;
  executed: number;
  medianDaysToExecution: number | null;
  instructionsSent: number;
  instructionsDeadlinesMissed: number;
  remindersSent: number;
  /** Requests the list already covered (`not-needed`): answered, no agreement; not in `agreements`. */
  notNeeded: number;
}

export interface Report {
  asOf: string;
  summary: ReportSummary;
  agreements: AgreementFigures[];
}

const OPEN = new Set(['awaiting-initiation', 'awaiting-signature', 'executed']);

export function agreementReport(rows: AgreementsTable[], now = new Date()): Report {
  // A covered request is answered under an id of its own and recorded as a run; it is no agreement
  // (a trial's report counted three answers among its agreements).
  const agreements = rows.filter((row) => row.stage !== 'not-needed').map((row) => figures(row, now));
  const measured = (pick: (a: AgreementFigures) => number | null) =>
    agreements.map(pick).filter((v): v is number => v !== null);
  const count = (test: (a: AgreementFigures) => boolean) => agreements.filter(test).length;
  return {
    asOf: now.toISOString(),
    summary: {
      agreements: agreements.length,
      open: count((a) => OPEN.has(a.stage)),
      initiated: count((a) => a.initiatedAt !== null),
      medianBusinessDaysToInitiation: median(measured((a) => a.businessDaysToInitiation)),
      initiationDeadlinesMissed: count((a) => a.initiationDeadlineMissed),
      executed: count((a) => a.executedAt !== null),
      medianDaysToExecution: median(measured((a) => a.daysToExecution)),
      instructionsSent: count((a) => a.instructionsSentAt !== null),
      instructionsDeadlinesMissed: count((a) => a.instructionsDeadlineMissed),
      remindersSent: agreements.reduce((sum, a) => sum + a.remindersSent, 0),
      notNeeded: rows.length - agreements.length,
    },
    agreements,
  };
}

function figures(row: AgreementsTable, now: Date): AgreementFigures {
  // A step not taken was missed if its deadline passed while the agreement was still running.
  const until = row.ended_at ?? now.toISOString();
  // The snapshot's fields the table has no column for.
  const recorded = JSON.parse(row.status_json) as {
    signedOn?: string | null;
    renews?: string | null;
    institution?: { name?: string };
  };
  const signedOn = signedOnOf(row, recorded.signedOn);
  return {
    agreementId: row.agreement_id,
    domain: row.domain,
    kind: row.kind,
    stage: row.stage,
    tiers: row.tiers,
    receivedAt: row.received_at,
    initiatedAt: row.initiated_at,
    businessDaysToInitiation: businessDays(row.received_at, row.initiated_at),
    initiationDeadlineMissed: missed(row.initiation_due_by, row.initiated_at ?? until),
    executedAt: row.executed_at,
    daysToExecution: signedOn === null ? null : daysToSignature(row, signedOn),
    instructionsSentAt: row.instructions_sent_at,
    businessDaysToInstructions: businessDays(row.executed_at, row.instructions_sent_at),
    instructionsDeadlineMissed: missed(row.instructions_due_by, row.instructions_sent_at ?? until),
    remindersSent: row.reminders_sent,
    signedOn,
    renews: recorded.renews ?? null,
    institution: recorded.institution?.name ?? '',
  };
}

function businessDays(from: string | null, to: string | null): number | null {
  return from && to ? businessDaysBetween(localDate(new Date(from)), localDate(new Date(to))) : null;
}

/**
 * Calendar days from the New York day the request came in to the day the agreement was signed: its
 * `signedOn` (what `execute --on` gave), else the day it was recorded executed. The signing date, not
 * when the access team recorded it, so that an execution entered late does not make it look slower.
 */
function daysToSignature(row: AgreementsTable, signed: string): number {
  const day = (date: string) => DateTime.fromISO(date, { zone: BUSINESS_TIME_ZONE });
  return Math.max(0, day(signed).diff(day(localDate(new Date(row.received_at))), 'days').days);
}

/** Its `signedOn` (what `execute --on` gave), else the New York day it was recorded executed; null before. */
function signedOnOf(row: AgreementsTable, signedOn: string | null | undefined): string | null {
  if (!row.executed_at) return null;
  return signedOn ?? localDate(new Date(row.executed_at));
}

/** Done (or, not done, the agreement ended or is still waiting) after the deadline. */
function missed(dueBy: string | null, doneOrWaitingUntil: string): boolean {
  return dueBy !== null && Date.parse(doneOrWaitingUntil) > Date.parse(dueBy);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
