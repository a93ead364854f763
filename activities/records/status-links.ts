/**
 * Withdrawn status links (common/status-link.ts), per agreement and requester: the table
 * status_link_revocations (migration 003). Links are not stored; a revocation voids every link of that
 * requester for that agreement issued at or before its moment (a link's `iat`, whole seconds, ≤
 * revoked_at), while links in mail sent later work. Same SQL on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema';

const key = (agreementId: string, email: string) => ({
  agreement_id: agreementId.trim(),
  email: email.trim().toLowerCase(),
});

/**
 * Withdraws the links of `email` (any case) for `agreementId` issued at or before `at`. Idempotent, and
 * never moves a revocation back: returns the moment in force afterwards (the later of `at` and the one
 * recorded before).
 */
export async function revokeStatusLinks(
  db: Kysely<Database>,
  agreementId: string,
  email: string,
  at: Date,
): Promise<Date> {
  const row = { ...key(agreementId, email), revoked_at: at.toISOString() };
  await db
    .insertInto('status_link_revocations')
    .values(row)
    // ISO-8601 UTC strings of one length compare as the instants they name.
    .onConflict((oc) =>
      oc
        .columns(['agreement_id', 'email'])
        .doUpdateSet({ revoked_at: row.revoked_at })
        .where('status_link_revocations.revoked_at', '<', row.revoked_at),
    )
    .execute();
  return (await statusLinksRevokedAt(db, agreementId, email))!;
}

/** The moment up to which the links of `email` (any case) for `agreementId` are void, or null. */
export async function statusLinksRevokedAt(
  db: Kysely<Database>,
  agreementId: string,
  email: string,
): Promise<Date | null> {
  const { agreement_id, email: address } = key(agreementId, email);
  const row = await db
    .selectFrom('status_link_revocations')
    .select('revoked_at')
    .where('agreement_id', '=', agreement_id)
    .where('email', '=', address)
    .executeTakeFirst();
  return row ? new Date(row.revoked_at) : null;
}

/** Whether a link issued at `issuedAt` (verifyStatusLink's answer) has been withdrawn. */
export async function statusLinkRevoked(
  db: Kysely<Database>,
  link: { agreementId: string; email: string; issuedAt: Date },
): Promise<boolean> {
  const revokedAt = await statusLinksRevokedAt(db, link.agreementId, link.email);
  return revokedAt !== null && link.issuedAt.getTime() <= revokedAt.getTime();
}
