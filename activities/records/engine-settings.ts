/**
 * The payload encryption the engine's workers run with, in the records its clients share (migration
 * 008): which key id they write with and which they can read, never a key. A client that would write
 * what the workers cannot read, or in the clear where they encrypt, refuses before sending anything (a
 * trial's `dura request` without the key put names and addresses in history unencrypted, then said it
 * had failed). The last worker to start writes it; an engine that never wrote it is not checked.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema';

const PAYLOAD_ENCRYPTION = 'payload-encryption';

export interface PayloadEncryption {
  /** The key id new payloads are encrypted with; null: written in the clear. */
  writes: string | null;
  /** Every key id the workers can decrypt (the current one and DURA_ENCRYPTION_OLD_KEYS'). */
  reads: string[];
}

export async function recordPayloadEncryption(
  db: Kysely<Database>,
  setting: PayloadEncryption,
): Promise<void> {
  await writeSetting(db, PAYLOAD_ENCRYPTION, setting);
}

/** What the workers last recorded, or null when none has. */
export async function payloadEncryptionOf(db: Kysely<Database>): Promise<PayloadEncryption | null> {
  return readSetting<PayloadEncryption>(db, PAYLOAD_ENCRYPTION);
}

/**
 * Why a client with `client`'s setting must not write to the engine (a sentence naming the variables),
 * or null when the workers can read what it writes and it encrypts where they do.
 */
export function encryptionMismatch(engine: PayloadEncryption, client: PayloadEncryption): string | null {
  const set = 'set DURA_ENCRYPTION_KEY and DURA_ENCRYPTION_KEY_ID as the engine has them';
  if (engine.writes && !client.writes)
    return `the engine encrypts what it writes to Temporal (key id ${engine.writes}) and this dura has no key: ${set}`;
  if (client.writes && !engine.reads.includes(client.writes))
    return engine.reads.length
      ? `the engine cannot read key id ${client.writes} (it reads ${engine.reads.join(', ')}): ${set}`
      : `the engine has no encryption key, so it cannot read what this dura would write (key id ${client.writes}): unset DURA_ENCRYPTION_KEY here, or give the engine the key`;
  return null;
}

const MAIL_TRANSPORT = 'mail-transport';

/**
 * Where the engine's workers send mail, for `dura doctor` to check the engine's server and not only the
 * SMTP_URL of the shell it runs in (a trial's doctor, given the banner's settings, said "no SMTP_URL"
 * of an engine sending over SMTP). Never a user name or password.
 */
export interface MailTransport {
  /** `smtp` or `smtps`, host and port; null: the outbox. */
  smtp: { protocol: 'smtp' | 'smtps'; host: string; port: number } | null;
  /** The outbox directory when there is no SMTP server. */
  outbox: string | null;
}

export async function recordMailTransport(db: Kysely<Database>, setting: MailTransport): Promise<void> {
  await writeSetting(db, MAIL_TRANSPORT, setting);
}

/** What the workers last recorded, or null when none has (a worker from before it). */
export async function mailTransportOf(db: Kysely<Database>): Promise<MailTransport | null> {
  return readSetting<MailTransport>(db, MAIL_TRANSPORT);
}

async function writeSetting(db: Kysely<Database>, name: string, setting: unknown): Promise<void> {
  const row = { name, value: JSON.stringify(setting), updated_at: new Date().toISOString() };
  await db
    .insertInto('engine_settings')
    .values(row)
    .onConflict((c) => c.column('name').doUpdateSet({ value: row.value, updated_at: row.updated_at }))
    .execute();
}

async function readSetting<T>(db: Kysely<Database>, name: string): Promise<T | null> {
  const row = await db
    .selectFrom('engine_settings')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : null;
}
