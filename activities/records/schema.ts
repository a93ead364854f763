/**
 * The records database as kysely sees it. One code path for SQLite and PostgreSQL: times are ISO-8601
 * UTC strings (TEXT), dates YYYY-MM-DD, lists comma-separated, booleans 0/1, integers plain INTEGER.
 * Nullable columns are optional on insert (kysely's rule for `T | null`).
 */
import type { Generated } from 'kysely';

/**
 * The Registered Institutions list: one row per institution, keyed by its primary e-mail domain (its
 * id; all its domains are in institution_domains).
 */
export interface InstitutionsTable {
  domain: string;
  name: string;
  updated_at: string;
  /** The contracting contact's e-mail address (002_registry). */
  contracting_contact: string | null;
  /** 006: who gets the monthly registration report (activities/registration-reports.ts), or null. */
  report_contact: string | null;
}

/** Every e-mail domain of an institution (its id included), each belonging to one institution only. */
export interface InstitutionDomainsTable {
  domain: string;
  /** institutions.domain */
  institution: string;
}

/** A tier the institution is listed for, since when, and by which agreement (null: imported). */
export interface InstitutionTiersTable {
  domain: string;
  tier: string;
  listed_on: string;
  agreement_id: string | null;
  /** Who the tier covers: 'domains' (any address at its domains, the default) or 'individual'. */
  rule: Generated<string>;
  /** 005: the day the tier lapsed (its agreement's end date passed unrenewed), YYYY-MM-DD, or null. */
  lapsed_on: string | null;
  /** 005: the agreement whose term lapsed. */
  lapsed_by: string | null;
  /** 005: the executed agreement with an end date whose term keeps the tier listed now. */
  term_agreement_id: string | null;
}

/** The addresses a tier with the rule 'individual' covers, since when, and by which agreement. */
export interface InstitutionAddressesTable {
  institution: string;
  tier: string;
  email: string;
  listed_on: string;
  agreement_id: string | null;
  /** 005: as institution_tiers (an individual agreement's term). */
  lapsed_on: string | null;
  lapsed_by: string | null;
  term_agreement_id: string | null;
}

/** The institution's signing officials (all of them receive the package and the reminders). */
export interface InstitutionOfficialsTable {
  institution: string;
  email: string;
  name: string;
  title: string | null;
}

/** The latest snapshot of each agreement, so that status is answered when no worker is up. */
export interface AgreementsTable {
  agreement_ref: string;
  agreement_id: string;
  domain: string;
  stage: string;
  kind: string;
  tiers: string;
  received_at: string;
  initiation_due_by: string | null;
  initiated_at: string | null;
  reminders_sent: number;
  next_reminder_at: string | null;
  executed_at: string | null;
  instructions_due_by: string | null;
  instructions_sent_at: string | null;
  ended_at: string | null;
  overdue: number;
  /** Events recorded so far (firstSeq + events): an older snapshot never overwrites a newer one. */
  history_length: number;
  status_json: string;
  updated_at: string;
}

/** The audit trail: what happened to an agreement, when, with a detail naming who or why. */
export interface AgreementEventsTable {
  agreement_ref: string;
  seq: number;
  at: string;
  event: string;
  detail: string | null;
}

/** Every message the engine sends, under its idempotency key (activities/mail/ledger.ts). */
export interface EmailsTable {
  idempotency_key: string;
  message_id: string;
  kind: string;
  agreement_id: string;
  recipients: string;
  state: 'sending' | 'sent' | 'rejected';
  attempts: number;
  detail: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

/** Withdrawn status links (003): every link for agreement_id and email issued at or before revoked_at. */
export interface StatusLinkRevocationsTable {
  agreement_id: string;
  /** Lower case, as in the link's `sub`. */
  email: string;
  /** ISO-8601 UTC. */
  revoked_at: string;
}

/** A requester's registration (004, issue 18): the steps' New York dates (null: not done), nudges, escalation. */
export interface RegistrationsTable {
  /** Its workflow id. */
  registration_id: string;
  agreement_id: string;
  agreement_ref: string;
  institution_domain: string;
  institution_name: string;
  requester_name: string;
  /** Lower case. */
  requester_email: string;
  instructions_sent_at: string;
  account_on: string | null;
  two_step_on: string | null;
  identity_on: string | null;
  code_of_conduct_on: string | null;
  rcr_training_on: string | null;
  nudges_sent: number;
  next_nudge_at: string | null;
  escalated_at: string | null;
  completed_at: string | null;
  updated_at: string;
  /** 007: closed by the access team with steps left (`dura registration close`), and why; or null. */
  closed_at: string | null;
  closed_reason: string | null;
}

export interface Database {
  institutions: InstitutionsTable;
  institution_domains: InstitutionDomainsTable;
  institution_tiers: InstitutionTiersTable;
  institution_addresses: InstitutionAddressesTable;
  institution_officials: InstitutionOfficialsTable;
  agreements: AgreementsTable;
  agreement_events: AgreementEventsTable;
  emails: EmailsTable;
  status_link_revocations: StatusLinkRevocationsTable;
  registrations: RegistrationsTable;
  engine_settings: EngineSettingsTable;
}

/** 008: a setting the engine's workers run with, as the last one to start wrote it (JSON). */
export interface EngineSettingsTable {
  name: string;
  value: string;
  updated_at: string;
}
