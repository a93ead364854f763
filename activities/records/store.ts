/**
 * The records store: one query layer over SQLite or PostgreSQL for the agreements' snapshots and audit
 * trail, the e-mails ledger and the Registered Institutions list. Every write is idempotent, because
 * activities are retried: the same call twice leaves the same rows.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import {
  agreementIdFrom,
  type AgreementSnapshot,
  type AgreementStatus,
  type HistoryEntry,
  normalizeDomain,
} from '../../common/agreement';
import { BAD_DATA, type InstitutionRecord, type RecordEventsInput, type RegistryUpdate } from '../interfaces';
import type { EmailEntry, EmailLedger } from '../mail/ledger';
import { openDatabase } from './db';
import { withHistories } from './open-agreements';
import {
  beginEmail,
  finishEmail,
  queryEmails,
  type EarlierAttempt,
  type EmailFilter,
  type EmailRecord,
} from './emails';
import { migrateToLatest } from './migrations';
import { queryInstitutions, upsertInstitutions, type RegistryEntry } from './institutions';
import type { AgreementsTable, Database } from './schema';

export type { RegistryEntry } from './institutions';
export type { EmailFilter, EmailRecord } from './emails';

// SQLite allows 32766 bound parameters per statement; 5 per event keeps far below.
const EVENT_BATCH = 500;

export class RecordsStore implements EmailLedger {
  constructor(readonly db: Kysely<Database>) {}

  /** Opens the database of DATABASE_URL and brings its schema up to date (worker start, CLI). */
  static async open(databaseUrl: string): Promise<RecordsStore> {
    const db = openDatabase(databaseUrl);
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

  /**
   * Appends the events (by seq: a retry inserts nothing twice) and upserts the status snapshot, whole or
   * the recorded one with the changed fields applied. Changes for an agreement with no snapshot are bad
   * data (non-retryable): the workflow then sends the whole snapshot with its next write.
   */
  async recordEvents(input: RecordEventsInput): Promise<void> {
    const length = input.firstSeq + input.events.length;
    await this.db.transaction().execute(async (trx) => {
      let status = input.status;
      if (!status) {
        const recorded = await trx
          .selectFrom('agreements')
          .select('status_json')
          .where('agreement_ref', '=', input.agreementRef)
          .executeTakeFirst();
        if (!recorded)
          throw ApplicationFailure.nonRetryable(
            `agreementRef: ${input.agreementRef} has no recorded snapshot to apply changes to`,
            BAD_DATA,
          );
        status = { ...(JSON.parse(recorded.status_json) as AgreementSnapshot), ...input.changes };
      }
      const row = agreementRow(input.agreementRef, status, length);
      const { agreement_ref: _key, ...update } = row;
      // The agreement first: events reference it. A late retry of an older call keeps the newer snapshot.
      await trx
        .insertInto('agreements')
        .values(row)
        .onConflict((oc) =>
          oc.column('agreement_ref').doUpdateSet(update).where('agreements.history_length', '<=', length),
        )
        .execute();
      for (let i = 0; i < input.events.length; i += EVENT_BATCH) {
        const batch = input.events.slice(i, i + EVENT_BATCH).map((e, j) => ({
          agreement_ref: input.agreementRef,
          seq: input.firstSeq + i + j,
          at: e.at,
          event: e.event,
          detail: e.detail ?? null,
        }));
        await trx
          .insertInto('agreement_events')
          .values(batch)
          .onConflict((oc) => oc.columns(['agreement_ref', 'seq']).doNothing())
          .execute();
      }
    });
  }

  /** The latest snapshot of the agreement (id or domain), with its history: its most recent run, or null. */
  async agreementStatus(agreementId: string): Promise<AgreementStatus | null> {
    const row = await this.db
      .selectFrom('agreements')
      .select(['agreement_ref', 'status_json'])
      .where('agreement_id', '=', agreementIdFrom(agreementId))
      .orderBy('received_at', 'desc')
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    if (!row) return null;
    const [status] = await withHistories(this.db, [row]);
    return status!;
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
   * its first date and agreement, and a listed institution keeps its (curated) name.
   */
  async updateRegistry(update: RegistryUpdate): Promise<void> {
    const record = { ...update.institution, tiers: update.tiers };
    const options = { listedOn: update.signedOn, agreementId: update.agreementId, rename: false };
    await this.db.transaction().execute((trx) => upsertInstitutions(trx, [record], options));
  }

  /** Imports (upserts) institutions, e.g. from the published list; tiers listed on `listedOn`. */
  async importInstitutions(
    rows: InstitutionRecord[],
    listedOn = new Date().toISOString().slice(0, 10),
  ): Promise<number> {
    return this.db
      .transaction()
      .execute((trx) => upsertInstitutions(trx, rows, { listedOn, agreementId: null, rename: true }));
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

  emails(filter: EmailFilter = {}): Promise<EmailRecord[]> {
    return queryEmails(this.db, filter);
  }
}

function agreementRow(agreementRef: string, s: AgreementSnapshot, historyLength: number): AgreementsTable {
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
