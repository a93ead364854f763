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
  const row = {
    name: PAYLOAD_ENCRYPTION,
    value: JSON.stringify(setting),
    updated_at: new Date().toISOString(),
  };
  await db
    .insertInto('engine_settings')
    .values(row)
    .onConflict((c) => c.column('name').doUpdateSet({ value: row.value, updated_at: row.updated_at }))
    .execute();
}

/** What the workers last recorded, or null when none has. */
export async function payloadEncryptionOf(db: Kysely<Database>): Promise<PayloadEncryption | null> {
  const row = await db
    .selectFrom('engine_settings')
    .select('value')
    .where('name', '=', PAYLOAD_ENCRYPTION)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as PayloadEncryption) : null;
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
