/**
 * The agreement in the access team's words: the types shared by the workflow, its activities, the
 * client and the CLI. Pure TypeScript (no I/O, no zod), so workflow code may import it.
 */

export const TIERS = ['registered', 'controlled'] as const;

/** The tier a misspelt word stands for (its first three letters a tier's: `Registred`, `control`), if any. */
export function tierNear(typed: unknown): (typeof TIERS)[number] | undefined {
  const word = typeof typed === 'string' ? typed.trim().toLowerCase() : '';
  return word.length >= 3 ? TIERS.find((t) => t.startsWith(word.slice(0, 3))) : undefined;
}

/** `expected registered or controlled`, and for a misspelt tier `; did you mean registered?`. */
export function tierExpected(typed: unknown): string {
  const near = tierNear(typed);
  return `expected ${TIERS.join(' or ')}${near ? `; did you mean ${near}?` : ''}`;
}

export type Tier = (typeof TIERS)[number];

/**
 * The tiers a request for `asked` is about, in TIERS order. The Controlled Tier contains the Registered
 * Tier's data and more (seeds/001, "In addition to the data in the Registered Tier…"), so asking for
 * controlled asks for registered too. Nothing asked: the Registered Tier.
 */
export function tiersAsked(asked: readonly Tier[] = []): Tier[] {
  const wanted = new Set<Tier>(asked.length ? asked : ['registered']);
  if (wanted.has('controlled')) wanted.add('registered');
  return TIERS.filter((t) => wanted.has(t));
}

export const STAGES = [
  'awaiting-initiation',
  'awaiting-signature',
  'executed',
  'instructions-sent',
  'completed',
  'cancelled',
  'declined',
  'not-needed',
  /** An executed agreement whose term ended because its renewal was executed (issue 18). */
  'renewed',
  /** An executed agreement whose end date passed unrenewed: its tiers are lapsed in the registry. */
  'lapsed',
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
  /**
   * After the registration instructions: a requester with steps left is nudged every N days, at most
   * `registrationNudges` times, then the access team is told once (issue 18). Absent before it: 7 and 4.
   */
  registrationNudgeEveryDays?: number;
  /**
   * Whether each requester's registration is tracked at all (absent: yes). Off for an access team whose
   * Workbench already follows its researchers up.
   */
  registrationTracking?: boolean;
  registrationNudges?: number;
  /**
   * An executed agreement's default term in months from its signing date, or null for none (the
   * default: an agreement lives for ever unless `execute --expires-on` gives it an end date).
   */
  termMonths?: number | null;
  /** Days before the end date on which the officials and the access team are warned (business mornings). */
  termWarningDays?: number[];
}

export const DEFAULT_POLICY: Policy = {
  initiation: 'auto',
  initiationBusinessDays: 2,
  reminderEveryDays: 14,
  requesterUpdateEveryDays: 14,
  escalateAfterReminders: 6,
  instructionsBusinessDays: 2,
  registrationTracking: true,
  registrationNudgeEveryDays: 7,
  registrationNudges: 4,
  termMonths: null,
  termWarningDays: [60, 30, 15],
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

/**
 * A message the agreement is sending: its sendEmail activity has not finished (it is retried while the
 * mail server is down or deferring). Only in a worker's answer to `status` (`sending`); never in
 * history or the records' snapshot. `dura status` adds what the records' e-mail ledger says of it.
 */
export interface MessageInFlight {
  /** The e-mail kind: `reminder`, `request-received`, … (activities/interfaces.ts EMAIL_KINDS). */
  kind: string;
  /** The e-mail ledger's key for it (the records' `emails` table). */
  idempotencyKey: string;
  /** Each recipient's address, or its role: `access-team`, `aou-signing-official`. */
  to: string[];
  /** Who gets a copy, likewise (the initiation package's `aou-signing-official`); absent: nobody. */
  cc?: string[];
  /** When the agreement asked for it to be sent (ISO-8601 instant). */
  since: string;
  /** From the ledger (client/status-mail.ts): attempts made so far (0: none yet). */
  attempts?: number;
  /** From the ledger: when the last attempt began or failed (ISO-8601 instant). */
  lastAttemptAt?: string;
  /** From the ledger: why the last attempt failed, one line, e.g. `the mail server … cannot be reached (…)`. */
  lastError?: string | null;
  /**
   * In a worker's answer after a failed attempt: about when the next comes, by the activities' retry
   * policy (common/io-retry.ts: 5 s, doubling, at most 30 minutes), ISO-8601.
   */
  nextAttemptAt?: string;
}

/** The status object of design.md's contract, plus a few fields the access team finds useful. */
export interface AgreementStatus {
  agreementId: string;
  institution: Institution;
  kind: 'new' | 'amendment';
  stage: Stage;
  tiers: Tier[];
  requesters: Person[];
  /** The first of `signingOfficials` (design.md's contract). */
  signingOfficial: SigningOfficial;
  /** Every signing official: each gets the package and the reminders (absent before patch `agreement-ids`). */
  signingOfficials?: SigningOfficial[];
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
  /**
   * An individual agreement (the tier's membership rule is `individual`): the one address it lists when
   * executed. Absent for an agreement for the institution's domains.
   */
  individual?: string;
  /** The institution's agreements before this one, oldest first (since patch `agreement-ids`). */
  earlierAgreements?: EarlierAgreement[];
  /**
   * The last day the executed agreement is in force, YYYY-MM-DD (New York), or null: no end date
   * (issue 18; absent from agreements before it). Its term is a workflow of its own (workflows/term.ts).
   */
  expiresOn?: string | null;
  /** A renewal: the id of the agreement it renews (`dura renew`), whose term ends when this is executed. */
  renews?: string | null;
  /** The agreement that renewed this one (stage `renewed`), set by its term when that was executed. */
  renewedBy?: string | null;
  /** The day the term lapsed (stage `lapsed`): the day after `expiresOn`, YYYY-MM-DD. */
  lapsedOn?: string | null;
  /** The workflow id of its term (workflows/term.ts), once started; `dura renew` signals through it. */
  termWorkflowId?: string | null;
  /**
   * Messages being sent right now, oldest first: present, and not empty, only in a worker's answer while
   * a message's activity is unfinished. A message waiting more than a minute means mail is failing.
   */
  sending?: MessageInFlight[];
  history: HistoryEntry[];
}

/** An agreement the institution had before, with its outcome (a closed agreement's stage). */
export interface EarlierAgreement {
  agreementId: string;
  stage: Stage;
  tiers: Tier[];
  receivedAt: string;
  endedAt: string | null;
}

/**
 * The status without its history: what the activities are sent (mail, records). The records keep the
 * history as events, appended a few at a time, so an agreement's history bytes grow with its events,
 * not with their square.
 */
export type AgreementSnapshot = Omit<AgreementStatus, 'history'>;

/**
 * An update's answer, and the agreement workflow's result: the status without its history since patch
 * `brief-answers` (workflows/patches.ts); an agreement from before it answers with its history.
 */
export type AgreementAnswer = AgreementSnapshot & Partial<Pick<AgreementStatus, 'history'>>;

export interface Execution {
  /** Date the institution signed, YYYY-MM-DD. */
  signedOn: string;
  documentRef?: string;
  /**
   * The agreement's end date, YYYY-MM-DD (New York), after `signedOn`: its last day in force (issue 18,
   * `execute --expires-on`). Absent: the policy's `termMonths` from `signedOn`, or no end date.
   */
  expiresOn?: string;
}

export interface JoinResult {
  agreementId: string;
  stage: Stage;
  /** `not-needed`: the institution is already listed for the tiers; no agreement was started. */
  outcome: 'started' | 'joined' | 'already-requested' | 'not-needed';
  /**
   * `not-needed` only: when the same request (address, domain, tiers, New York day received) was
   * answered before (ISO-8601); nothing was sent again.
   */
  answeredAt?: string;
  /** Why triage held the package for the access team (`dura initiate` sends it), while it waits. */
  held?: string;
}

/** Lower-cases and trims an institution's e-mail domain. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
}

/**
 * The workflow id that holds an institution's agreement in process: `dura-<domain>`. One workflow id
 * per institution, reused by each of its agreements in turn, so Temporal's workflow-id uniqueness keeps
 * at most one agreement per institution in process (design.md, "Institutions, coverage and agreements").
 * Agreements started before patch `agreement-ids` also use it as their agreement id.
 */
export function agreementIdFor(domain: string): string {
  return `${SLOT_PREFIX}${normalizeDomain(domain)}`;
}

export const SLOT_PREFIX = 'dura-';
/** The workflow ids of requests that need no agreement (they never occupy an institution's id). */
export const REQUEST_PREFIX = 'dura-request-';

/**
 * An agreement's own id, unique for ever: its key (the institution's id, or the requester's address for
 * an individual agreement) and its sequence number: `uw.edu-2`, `ada@uw.edu-1`.
 */
export function numberedAgreementId(key: string, n: number): string {
  return `${key.trim().toLowerCase()}-${n}`;
}

/** n when `agreementId` is `<key>-<n>` (numberedAgreementId's), else null: `uw.edu-2` is uw.edu's 2nd. */
export function sequenceOf(agreementId: string, key: string): number | null {
  const prefix = `${key}-`;
  const rest = agreementId.startsWith(prefix) ? agreementId.slice(prefix.length) : '';
  return /^\d+$/.test(rest) ? Number(rest) : null;
}

/** Whether an agreement in this stage is in process (awaiting initiation or signature). */
export function isOpenStage(stage: string): boolean {
  return (OPEN_STAGES as readonly string[]).includes(stage);
}

/** The agreement's signing officials: all of them, or the one agreements before `agreement-ids` had. */
export function officialsOf(
  s: Pick<AgreementStatus, 'signingOfficial' | 'signingOfficials'>,
): SigningOfficial[] {
  return s.signingOfficials?.length ? s.signingOfficials : [s.signingOfficial];
}

/** Whether an e-mail address is at one of the domains, exactly (design.md: subdomains are their own). */
export function atDomain(email: string, domains: readonly string[]): boolean {
  const domain = email.trim().toLowerCase().split('@').pop() ?? '';
  return domains.some((d) => normalizeDomain(d) === domain);
}

export function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
