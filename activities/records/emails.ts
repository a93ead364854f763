/**
 * The e-mails table behind the mailer's ledger (activities/mail/ledger.ts): one row per idempotency
 * key, written before a message is sent and updated with its outcome.
 */
import type { Kysely } from 'kysely';
import type { EmailEntry, EmailState } from '../mail/ledger';
import type { Database } from './schema';

export interface EmailRecord extends EmailEntry {
  state: EmailState;
  attempts: number;
  detail: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface EmailFilter {
  agreementId?: string;
  kind?: string;
  state?: EmailState;
  /** Only those whose first attempt began before this instant. */
  createdBefore?: Date;
}

export type EarlierAttempt = { state: EmailState; messageId: string; detail: string | null };

/** Null for a first attempt; else what the earlier attempt recorded (a `sending` row counts one more). */
export async function beginEmail(
  db: Kysely<Database>,
  entry: EmailEntry,
  at: Date,
): Promise<EarlierAttempt | null> {
  const now = at.toISOString();
  // INSERT … ON CONFLICT DO NOTHING is atomic on both dialects: exactly one attempt sees "inserted".
  const inserted = await db
    .insertInto('emails')
    .values({
      idempotency_key: entry.idempotencyKey,
      message_id: entry.messageId,
      kind: entry.kind,
      agreement_id: entry.agreementId,
      recipients: entry.recipients.join(','),
      state: 'sending',
      attempts: 1,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return null;

  await db
    .updateTable('emails')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('idempotency_key', '=', entry.idempotencyKey)
    .where('state', '=', 'sending')
    .execute();
  const row = await db
    .selectFrom('emails')
    .select(['state', 'message_id', 'detail'])
    .where('idempotency_key', '=', entry.idempotencyKey)
    .executeTakeFirstOrThrow();
  return { state: row.state, messageId: row.message_id, detail: row.detail };
}

/** Records the outcome; a key that was never begun is a bug in the caller, so it throws. */
export async function finishEmail(
  db: Kysely<Database>,
  key: string,
  outcome: { state: Exclude<EmailState, 'sending'>; at: Date; detail: string | null },
): Promise<void> {
  const now = outcome.at.toISOString();
  const result = await db
    .updateTable('emails')
    .set({
      state: outcome.state,
      detail: outcome.detail,
      updated_at: now,
      sent_at: outcome.state === 'sent' ? now : null,
    })
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new Error(`no e-mail recorded under key ${key}`);
}

/** Why the attempt under `key` failed (it is retried): kept on its row while it is `sending`. */
export async function failedEmail(
  db: Kysely<Database>,
  key: string,
  at: Date,
  detail: string,
): Promise<void> {
  await db
    .updateTable('emails')
    .set({ detail, updated_at: at.toISOString() })
    .where('idempotency_key', '=', key)
    .where('state', '=', 'sending')
    .execute();
}

/** The e-mails recorded, oldest first, optionally of one agreement, kind or state. */
export async function queryEmails(db: Kysely<Database>, filter: EmailFilter): Promise<EmailRecord[]> {
  const rows = await db
    .selectFrom('emails')
    .selectAll()
    .$if(filter.agreementId !== undefined, (q) => q.where('agreement_id', '=', filter.agreementId!))
    .$if(filter.kind !== undefined, (q) => q.where('kind', '=', filter.kind!))
    .$if(filter.state !== undefined, (q) => q.where('state', '=', filter.state!))
    .$if(filter.createdBefore !== undefined, (q) =>
      q.where('created_at', '<', filter.createdBefore!.toISOString()),
    )
    .orderBy('created_at')
    .orderBy('idempotency_key')
    .execute();
  return rows.map((r) => ({
    idempotencyKey: r.idempotency_key,
    messageId: r.message_id,
    kind: r.kind,
    agreementId: r.agreement_id,
    recipients: r.recipients === '' ? [] : r.recipients.split(','),
    state: r.state,
    attempts: r.attempts,
    detail: r.detail,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
  }));
}
