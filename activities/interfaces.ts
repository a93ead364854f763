/**
 * What the agreement workflow asks of the outside world. The workflow depends on these interfaces only;
 * the implementations (records database, mailer, calendar) are wired into the worker.
 */
import type { TermEnding } from './records/terms-ending';
import type {
  AgreementSnapshot,
  AgreementStatus,
  EarlierAgreement,
  HistoryEntry,
  Institution,
  Person,
  SigningOfficial,
  Tier,
} from '../common/agreement';
import type { CalendarTable } from '../common/business-calendar';
import type { RegistrationStatus, RegistrationStep } from '../common/registration';

export const EMAIL_KINDS = [
  'request-received',
  'initiation-package',
  'reminder',
  'status-update',
  'escalation',
  'executed',
  'registration-instructions',
  'cancelled',
  'declined',
  'not-needed',
  'closed-notice',
  'term-warning',
  'term-lapsed',
  'registration-nudge',
  'registration-stalled',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];
/** Every kind the mailer renders: the agreement's messages, and the weekly digest (about no one agreement). */
export type MessageKind = EmailKind | 'digest' | 'registration-report';

/** A person, or a role whose address comes from configuration (ACCESS_TEAM_EMAIL, …). */
export type Recipient = Person | 'access-team' | 'aou-signing-official';

export interface EmailRequest {
  /** Unique per message: a retried activity with the same key never sends twice. */
  idempotencyKey: string;
  kind: EmailKind;
  agreementId: string;
  to: Recipient[];
  cc?: Recipient[];
  /**
   * The records' reference of the agreement (its first run id): the mailer renders the snapshot the
   * records hold, which the workflow brings up to date just before (since patch `mail-from-records`).
   */
  agreementRef?: string;
  /** The agreement as the template sees it, carried whole by requests from before `mail-from-records`. */
  agreement?: AgreementSnapshot;
  /** Kind-specific values (reason, reminder number…). */
  extra?: Record<string, string | number | boolean | null>;
  /**
   * The records' write the message is rendered after (patch `records-with-mail`): the activity makes
   * it (recordEvents) before anything else.
   */
  records?: RecordEventsInput;
}

export interface EmailReceipt {
  messageId: string;
  /** `sent` (now or by an earlier attempt), or `rejected` when the server refused every recipient. */
  state: 'sent' | 'rejected';
  detail?: string;
}

export interface InstitutionRecord extends Institution {
  /** Tiers the institution is listed for on the Registered Institutions list. */
  tiers: Tier[];
}

export interface RecordEventsInput {
  /** Identifies this agreement across runs (a domain may have several agreements over the years). */
  agreementRef: string;
  /** Index of `events[0]` in the agreement's whole history; makes the call idempotent. */
  firstSeq: number;
  events: HistoryEntry[];
  /**
   * The snapshot the records keep, so that status can be answered when no worker is up: whole (`status`,
   * the first write of a run; calls from before patch `deterministic-clock` also carry the history,
   * which is ignored: the records' history is the events), or the fields that changed since the
   * previous write of the same agreement (`changes`), which always completed first.
   */
  status?: AgreementSnapshot & { history?: HistoryEntry[] };
  changes?: Partial<AgreementSnapshot>;
}

export interface TriageInput {
  domain: string;
  /** The requester's address when the agreement is an individual one (the tier's rule is `individual`). */
  individual?: string;
  /** The first requester's address: a tier that lists it individually covers the request too. */
  requester?: string;
  /** This agreement's reference (its first run id): its own snapshot is not an earlier agreement. */
  agreementRef: string;
}

export interface TriageResult {
  /** The institution as the Registered Institutions list has it, or null when not listed. */
  listed: InstitutionRecord | null;
  /** The id this agreement takes if one is needed: `<domain>-<n>` (records/agreement-ids.ts). */
  agreementId: string;
  earlier: EarlierAgreement[];
  /** The institution's e-mail domains (just the request's domain when it is not listed). */
  domains: string[];
  /** A listed institution the unlisted domain probably belongs to (med.uw.edu: uw.edu), or null. */
  likelyParent: Institution | null;
  /** The institution's signing officials on the list: each gets the package and reminders too. */
  officials: SigningOfficial[];
}

export interface RegistryUpdate {
  institution: Institution;
  /** An individual agreement lists this address for the tiers, not the institution's domains. */
  individual?: string;
  tiers: Tier[];
  signedOn: string;
  agreementId: string;
  documentRef?: string;
  /** The agreement's end date (issue 18): its term keeps these tiers listed; null or absent: no end. */
  expiresOn?: string | null;
}

/**
 * What an agreement's term (workflows/term.ts) writes to the records: one event appended to the
 * agreement's history (idempotent: the same event at the same instant is written once), the fields of
 * its snapshot that change (stage `renewed` or `lapsed`, `renewedBy`, `lapsedOn`), and for a lapse the
 * registry's tiers (or individually listed address) this agreement's term kept listed, marked lapsed.
 */
export interface TermRecord {
  agreementRef: string;
  event: HistoryEntry;
  changes?: Partial<AgreementSnapshot>;
  lapse?: {
    agreementId: string;
    institution: Institution;
    individual?: string;
    tiers: Tier[];
    /** YYYY-MM-DD: the day after the end date. */
    lapsedOn: string;
  };
}

/** I/O activities: run on the task queue with timeouts and retries. */
export interface AgreementActivities extends CalendarTableActivities {
  lookupInstitution(domain: string): Promise<InstitutionRecord | null>;
  /** Triage's look-up since patch `agreement-ids`: the listing, earlier agreements and this one's id. */
  triageRequest(input: TriageInput): Promise<TriageResult>;
  sendEmail(request: EmailRequest): Promise<EmailReceipt>;
  recordEvents(input: RecordEventsInput): Promise<void>;
  updateRegistry(update: RegistryUpdate): Promise<void>;
  /** An agreement's term: a warning, its renewal or its lapse in the records (issue 18). */
  recordTerm(input: TermRecord): Promise<void>;
  /** A requester's registration as it stands, and its new events (issue 18; records/registrations.ts). */
  recordRegistration(input: RecordRegistrationInput): Promise<void>;
  /** The steps the address already completed in its other registrations (issue 18; records/registrations.ts). */
  stepsAlreadyDone(input: StepsAlreadyDoneInput): Promise<StepsAlreadyDone>;
  /** The address's newest open registration sent after this one's, or null (issue 18; records/registrations.ts). */
  newerRegistration(input: NewerRegistrationInput): Promise<NewerRegistration | null>;
}

/** Which registration asks whether a newer one of the same address is open: its id, address and instant. */
export interface NewerRegistrationInput {
  registrationId: string;
  email: string;
  /** ISO-8601: when its own instructions were sent. */
  instructionsSentAt: string;
}

/** A newer open registration of the same address: its nudges come from there now. */
export interface NewerRegistration {
  registrationId: string;
  agreementId: string;
}

/** Whose steps a new registration looks up: the requester's address, and its own id (left out). */
export interface StepsAlreadyDoneInput {
  email: string;
  /** Left out: the registration asking (absent: none, as for the instructions sent before it starts). */
  exceptRegistrationId?: string;
}

/**
 * The steps a person already completed in earlier registrations (e.g. the agreement a renewal renews):
 * per step its YYYY-MM-DD New York date or null, and which registrations (newest first) they came from.
 */
export interface StepsAlreadyDone {
  steps: Record<RegistrationStep, string | null>;
  from: { registrationId: string; agreementId: string; steps: RegistrationStep[] }[];
}

/**
 * A registration workflow's write to the records (idempotent): its row, upserted whole, and its new
 * events, appended to its agreement's audit trail (`agreementRef`) so the agreement's history shows them.
 */
export interface RecordRegistrationInput {
  /** The agreement's records reference (its first run id). */
  agreementRef: string;
  /** The status; a history given here is ignored (the events are the history). */
  registration: Omit<RegistrationStatus, 'history'> & { history?: HistoryEntry[] };
  events: HistoryEntry[];
}

/** Why an open agreement is listed where it is in the digest (activities/digest.ts defines each). */
export type Attention = 'overdue' | 'stalled' | 'open';

export interface DigestEntry {
  attention: Attention;
  /** Why it is overdue or stalled, in words; null for the rest. */
  why: string | null;
  agreement: AgreementStatus;
  /** Its signing officials' addresses that look wrong (common/address-notes.ts officialChecks). */
  officialChecks?: string[];
  /**
   * Its institution's domains on the Registered Institutions list now (absent: its domain is not listed):
   * a triage check the list has since settled is left out (a domain added, a requester now at one).
   */
  listedDomains?: string[];
}

/** The weekly digest to the access team: every open agreement, overdue first, then stalled. */
export interface DigestRequest {
  /** Unique per digest run: a retried activity never sends the same digest twice. */
  idempotencyKey: string;
  /** The moment the open agreements were read (ISO-8601). */
  asOf: string;
  entries: DigestEntry[];
  /**
   * Registrations not completed whose access team was told (issue 18; records/registrations.ts), newest
   * instructions first. Absent: none (digests from before).
   */
  stalledRegistrations?: Omit<RegistrationStatus, 'history'>[];
  /**
   * Executed agreements whose term ends within TERMS_AHEAD_DAYS (records/terms-ending.ts), the soonest
   * first, each with the id of its renewal in process (or null). Absent: none (digests from before).
   */
  termsEnding?: Array<TermEnding & { renewal: string | null }>;
}

export interface DigestReceipt extends EmailReceipt {
  open: number;
  overdue: number;
  stalled: number;
}

/**
 * An institution's monthly registration report to its report contact (issue 18, item 2): its
 * researchers and their registration steps.
 */
export interface RegistrationReportRequest {
  /** `registration-report/<YYYY-MM>/<institution id>`: one report per institution and month. */
  idempotencyKey: string;
  /** The month reported, YYYY-MM (New York). */
  month: string;
  /** The moment the registrations were read (ISO-8601). */
  asOf: string;
  institution: { name: string; domain: string };
  /** The registry's report contact for the institution. */
  contact: string;
  /** The newest registration of each of its requesters, newest instructions first; at least one. */
  registrations: Omit<RegistrationStatus, 'history'>[];
}

export interface RegistrationReportsReceipt {
  /** The month reported, YYYY-MM (New York). */
  month: string;
  /** One per institution with a report contact and a registration; a report sent earlier in the month
   * comes back as it went then (the mailer's ledger), not again. */
  reports: Array<{ institution: string; registrations: number } & EmailReceipt>;
}

/**
 * The digest workflow's activities: read the open agreements and mail them to the access team; and,
 * since patch `registration-reports`, each institution's monthly registration report.
 */
export interface DigestActivities {
  sendDigest(input: { idempotencyKey: string }): Promise<DigestReceipt>;
  sendRegistrationReports(input: Record<string, never>): Promise<RegistrationReportsReceipt>;
}

/**
 * The calendar an agreement records in its history (since patch `deterministic-clock`, see
 * workflows/clock.ts): holidays and New York's offsets for the years asked (inclusive).
 */
export interface CalendarTableActivities {
  calendarTable(input: { fromYear: number; toYear: number }): Promise<CalendarTable>;
}

/**
 * The business-day calendar as local activities, as agreements started before patch
 * `deterministic-clock` computed it: kept so that their histories replay and they finish.
 */
export interface CalendarActivities {
  /** 17:00 America/New_York on the N-th business day after `from`'s New York date. */
  businessDeadline(input: { from: string; businessDays: number }): Promise<string>;
  /** `everyDays` after `previous`, moved to 09:00 on the next business day if needed. */
  reminderDueAt(input: { previous: string; everyDays: number }): Promise<string>;
  /** 09:00 America/New_York on `date` (YYYY-MM-DD), or on the next business day. */
  businessMorning(input: { date: string }): Promise<string>;
}

/** Error types an activity throws (non-retryably) for data that will never succeed. */
export const BAD_DATA = 'DuraBadData';

/**
 * The records' write that a message carried (EmailRequest.records) was refused as bad data (no snapshot
 * to apply changes to): nothing was sent; the workflow writes the records whole, then sends again.
 */
export const RECORDS_REFUSED = 'DuraRecordsRefused';
