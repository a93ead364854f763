/**
 * The records store: one query layer over SQLite or PostgreSQL for the agreements' snapshots and audit
 * trail, the e-mails ledger and the Registered Institutions list. Every write is idempotent, because
 * activities are retried: the same call twice leaves the same rows.
 */
import type { Kysely } from 'kysely';
import {
  type AgreementSnapshot,
  type AgreementStatus,
  type HistoryEntry,
  type Tier,
  normalizeDomain,
} from '../../common/agreement';
import {
  type InstitutionRecord,
  type RecordEventsInput,
  type RegistryUpdate,
  type TermRecord,
} from '../interfaces';
import { holdTerm, recordTerm } from './terms';
import type { EmailEntry, EmailLedger } from '../mail/ledger';
import { openDatabase } from './db';
import {
  agreementsInProcess,
  agreementsOfRequester,
  awaitingSignatureFrom,
  requesterAgreements,
} from './open-agreements';
import { agreementStatus, recordEvents } from './agreement-records';
import {
  beginEmail,
  failedEmail,
  finishEmail,
  queryEmails,
  type EarlierAttempt,
  type EmailFilter,
  type EmailRecord,
} from './emails';
import { listIndividual } from './individual-listing';
import { migrateToLatest } from './migrations';
import { queryInstitutions, upsertInstitutions, type RegistryEntry } from './institutions';
import { likelyParent, readInstitution, type InstitutionProfile, type RegistryChange } from './registry';
import * as change from './registry-changes';
import { checkCoverage, type Coverage } from './coverage';
import type { AgreementsTable, Database } from './schema';
import { newYorkDate } from '../../common/when';

export type { RegistryEntry } from './institutions';
export type { InstitutionOfficial, InstitutionProfile, RegistryChange } from './registry';
export { RegistryError } from './registry';
export type { EmailFilter, EmailRecord } from './emails';

export class RecordsStore implements EmailLedger {
  constructor(readonly db: Kysely<Database>) {}

  /**
   * Opens the database of DATABASE_URL and brings its schema up to date (worker start, CLI).
   * `mustExist` (the CLI): a SQLite file that is not there is an error (`no such file: <path>`), not made.
   */
  static async open(databaseUrl: string, options: { mustExist?: boolean } = {}): Promise<RecordsStore> {
    const db = openDatabase(databaseUrl, options);
    try {
      await migrateToLatest(db);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return new RecordsStore(db);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  // ---- agreements -------------------------------------------------------------------------------

  /** Appends the events and upserts the snapshot (agreement-records.ts, recordEvents). */
  recordEvents(input: RecordEventsInput): Promise<void> {
    return recordEvents(this.db, input);
  }

  /** The last snapshot with its history, or null (agreement-records.ts, agreementStatus). */
  agreementStatus(typed: string): Promise<AgreementStatus | null> {
    return agreementStatus(this.db, typed);
  }

  /** The records' reference (first run id), stage and end of the agreement with this exact id, or null. */
  agreementById(
    agreementId: string,
  ): Promise<{ agreement_ref: string; stage: string; ended_at: string | null } | undefined> {
    return this.db
      .selectFrom('agreements')
      .select(['agreement_ref', 'stage', 'ended_at'])
      .where('agreement_id', '=', agreementId)
      .orderBy('received_at', 'desc')
      .executeTakeFirst();
  }

  /** The ids of the agreements `email` asked for, in process first (open-agreements.ts). */
  agreementsOfRequester(email: string): Promise<string[]> {
    return agreementsOfRequester(this.db, email);
  }

  /** Each agreement in process: its institution's name and domain, its officials' addresses. */
  agreementsInProcess(): ReturnType<typeof agreementsInProcess> {
    return agreementsInProcess(this.db);
  }

  /** agreementsOfRequester, each with whether it is in process, its stage, domain and tiers. */
  requesterAgreements(email: string): ReturnType<typeof requesterAgreements> {
    return requesterAgreements(this.db, email);
  }

  /** The agreements awaiting signature that `email` signs for (open-agreements.ts). */
  awaitingSignatureFrom(email: string): Promise<string[]> {
    return awaitingSignatureFrom(this.db, email);
  }

  /** One agreement run's snapshot as last recorded, without its history (the mailer's view), or null. */
  async agreementSnapshot(agreementRef: string): Promise<AgreementSnapshot | null> {
    const row = await this.db
      .selectFrom('agreements')
      .select('status_json')
      .where('agreement_ref', '=', agreementRef)
      .executeTakeFirst();
    if (!row) return null;
    const { history: _history, ...snapshot } = JSON.parse(row.status_json) as AgreementStatus;
    return snapshot;
  }

  /** Every agreement's latest snapshot (one row per run), oldest request first; optionally since a date. */
  agreementSnapshots(filter: { receivedSince?: string; domain?: string } = {}): Promise<AgreementsTable[]> {
    return this.db
      .selectFrom('agreements')
      .selectAll()
      .$if(filter.receivedSince !== undefined, (q) => q.where('received_at', '>=', filter.receivedSince!))
      .$if(filter.domain !== undefined, (q) => q.where('domain', '=', normalizeDomain(filter.domain!)))
      .orderBy('received_at')
      .orderBy('agreement_ref')
      .execute();
  }

  /** The audit trail of one agreement run, in order. */
  async agreementEvents(agreementRef: string): Promise<Array<HistoryEntry & { seq: number }>> {
    const rows = await this.db
      .selectFrom('agreement_events')
      .selectAll()
      .where('agreement_ref', '=', agreementRef)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      event: r.event,
      ...(r.detail === null ? {} : { detail: r.detail }),
    }));
  }

  // ---- Registered Institutions list --------------------------------------------------------------

  /** The institution listed under the domain, with its tiers; null when not listed. */
  async lookupInstitution(domain: string): Promise<InstitutionRecord | null> {
    const [found] = await queryInstitutions(this.db, { domain: normalizeDomain(domain) });
    return found ? { name: found.name, domain: found.domain, tiers: found.tiers } : null;
  }

  /** Institutions whose name or domain contains the fragment, case-insensitively. */
  findInstitutions(fragment: string): Promise<RegistryEntry[]> {
    return queryInstitutions(this.db, { fragment: fragment.trim() });
  }

  listInstitutions(): Promise<RegistryEntry[]> {
    return queryInstitutions(this.db, {});
  }

  /**
   * Lists the institution for the tiers its executed agreement signed for. A tier already listed keeps
   * its first date and agreement, and a listed institution keeps its (curated) name. An individual
   * agreement lists its address instead (individual-listing.ts).
   */
  async updateRegistry(update: RegistryUpdate): Promise<void> {
    if (update.individual) await listIndividual(this.db, update);
    else {
      const record = { ...update.institution, tiers: update.tiers };
      const options = { listedOn: update.signedOn, agreementId: update.agreementId, rename: false };
      await this.db.transaction().execute((trx) => upsertInstitutions(trx, [record], options));
    }
    // In force again (a lapse cleared), under this agreement's term when it has an end date (issue 18).
    await holdTerm(this.db, update);
  }

  /** An agreement's term: a warning, its renewal or its lapse (activities/records/terms.ts). */
  recordTerm(input: TermRecord): Promise<void> {
    return recordTerm(this.db, input);
  }

  /** Imports (upserts) institutions, e.g. from the published list; tiers listed on `listedOn`. */
  async importInstitutions(
    rows: InstitutionRecord[],
    listedOn = newYorkDate(), // a New York date, as every date people read,
  ): Promise<number> {
    return this.db
      .transaction()
      .execute((trx) => upsertInstitutions(trx, rows, { listedOn, agreementId: null, rename: true }));
  }

  // ---- the registry: domains, membership rules, officials (registry*.ts; errors: RegistryError) -

  /** The institution the e-mail domain belongs to (exact, any case; any of its domains), whole, or null. */
  institutionByDomain(domain: string): Promise<InstitutionProfile | null> {
    return readInstitution(this.db, domain);
  }

  /** For a domain not listed, a listed institution sharing its registrable domain (med.uw.edu → uw.edu). */
  likelyParentInstitution(domain: string): Promise<{ id: string; name: string; domain: string } | null> {
    return likelyParent(this.db, domain);
  }

  /** Coverage of an address for the tiers (see coverage.ts and common/coverage.ts). */
  checkCoverage(email: string, tiers?: readonly Tier[]): Promise<Coverage> {
    return checkCoverage(this, email, tiers);
  }

  addInstitutionDomain(institution: string, domain: string): Promise<RegistryChange> {
    return change.addDomain(this.db, institution, domain);
  }

  removeInstitutionDomain(institution: string, domain: string): Promise<RegistryChange> {
    return change.removeDomain(this.db, institution, domain);
  }

  /** `domains` or `individual`; making an unlisted tier individual lists it (on `listedOn`). */
  setTierRule(institution: string, tier: string, rule: string, listedOn?: string): Promise<RegistryChange> {
    return change.setTierRule(this.db, institution, tier, rule, listedOn);
  }

  /** Lists an address for a tier (an individual agreement: pass its id). */
  addInstitutionAddress(
    institution: string,
    tier: string,
    email: string,
    listing: { listedOn?: string; agreementId?: string | null } = {},
  ): Promise<RegistryChange> {
    return change.addAddress(this.db, institution, tier, email, listing);
  }

  removeInstitutionAddress(institution: string, tier: string, email: string): Promise<RegistryChange> {
    return change.removeAddress(this.db, institution, tier, email);
  }

  /** Adds a signing official, or updates the name and title of the one with that address. */
  addInstitutionOfficial(
    institution: string,
    official: { name: string; email: string; title?: string | null },
  ): Promise<RegistryChange> {
    return change.addOfficial(this.db, institution, official);
  }

  removeInstitutionOfficial(institution: string, email: string): Promise<RegistryChange> {
    return change.removeOfficial(this.db, institution, email);
  }

  /** Sets (an address) or clears (null) the contracting contact. */
  setContractingContact(institution: string, email: string | null): Promise<RegistryChange> {
    return change.setContact(this.db, institution, 'contracting', email);
  }

  /** Sets (an address) or clears (null) the report contact: who gets the monthly registration report. */
  setReportContact(institution: string, email: string | null): Promise<RegistryChange> {
    return change.setContact(this.db, institution, 'report', email);
  }

  // ---- e-mails (EmailLedger) ----------------------------------------------------------------------

  begin(entry: EmailEntry, at: Date): Promise<EarlierAttempt | null> {
    return beginEmail(this.db, entry, at);
  }

  markSent(idempotencyKey: string, at: Date, detail?: string): Promise<void> {
    return finishEmail(this.db, idempotencyKey, { state: 'sent', at, detail: detail ?? null });
  }

  markRejected(idempotencyKey: string, at: Date, detail: string): Promise<void> {
    return finishEmail(this.db, idempotencyKey, { state: 'rejected', at, detail });
  }

  markFailed(idempotencyKey: string, at: Date, detail: string): Promise<void> {
    return failedEmail(this.db, idempotencyKey, at, detail);
  }

  emails(filter: EmailFilter = {}): Promise<EmailRecord[]> {
    return queryEmails(this.db, filter);
  }
}
