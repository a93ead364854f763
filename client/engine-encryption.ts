/**
 * Before a client starts agreements: whether the engine's workers (as they last recorded it) can read
 * what this process would write, and whether it encrypts where they do (records/engine-settings.ts).
 * Null when all is well, when no worker recorded it, or when the records predate it.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../common/config';
import { payloadEncryptionFor } from '../common/codec';
import type { Database } from '../activities/records/schema';
import { encryptionMismatch, payloadEncryptionOf } from '../activities/records/engine-settings';

export async function engineEncryptionProblem(db: Kysely<Database>, config: Config): Promise<string | null> {
  const engine = await payloadEncryptionOf(db).catch(() => null); // records from before migration 008
  return engine ? encryptionMismatch(engine, payloadEncryptionFor(config)) : null;
}
