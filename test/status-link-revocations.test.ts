// Withdrawn status links (activities/records/status-links.ts, migration 003) on SQLite and PostgreSQL.
import { strict as assert } from 'node:assert';
import type { Kysely } from 'kysely';
import { openDatabase } from '../activities/records/db';
import { MIGRATION_NAMES, migrateTo, migrateToLatest } from '../activities/records/migrations';
import type { Database } from '../activities/records/schema';
import {
  revokeStatusLinks,
  statusLinkRevoked,
  statusLinksRevokedAt,
} from '../activities/records/status-links';
import { throwawayDatabase } from './helpers/postgres';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`status link revocations on ${dialect}`, function () {
    this.timeout(120_000);
    let db: Kysely<Database>;
    let cleanup: () => Promise<void>;

    before(async () => {
      const database = await throwawayDatabase(dialect, 'revocations');
      cleanup = database.cleanup;
      db = openDatabase(database.url);
      // As a database of the release before: the new table arrives with the next migration.
      await migrateTo(db, '002_registry');
      const applied = (await migrateToLatest(db)).applied;
      assert.deepEqual(
        applied,
        MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('003_status_link_revocations')),
      );
    });
    after(async () => {
      await db?.destroy();
      await cleanup?.();
    });

    const at = (iso: string) => new Date(iso);

    it('nothing withdrawn: null, and no link is revoked', async () => {
      assert.equal(await statusLinksRevokedAt(db, 'uw.edu-1', 'ada@uw.edu'), null);
      const link = { agreementId: 'uw.edu-1', email: 'ada@uw.edu', issuedAt: at('2026-01-01T00:00:00Z') };
      assert.equal(await statusLinkRevoked(db, link), false);
    });

    it('withdraws the links issued at or before the moment, for that requester and agreement only', async () => {
      const moment = at('2026-03-02T15:00:00.250Z');
      assert.deepEqual(await revokeStatusLinks(db, 'uw.edu-1', 'Ada@UW.edu', moment), moment);
      assert.deepEqual(await statusLinksRevokedAt(db, 'uw.edu-1', 'ada@uw.edu'), moment);
      const link = (issuedAt: string, agreementId = 'uw.edu-1', email = 'ada@uw.edu') =>
        statusLinkRevoked(db, { agreementId, email, issuedAt: at(issuedAt) });
      assert.equal(await link('2026-03-02T15:00:00Z'), true); // the same second, issued before
      assert.equal(await link('2026-01-01T00:00:00Z'), true);
      assert.equal(await link('2026-03-02T15:00:01Z'), false); // a later e-mail's link
      assert.equal(await link('2026-01-01T00:00:00Z', 'uw.edu-2'), false);
      assert.equal(await link('2026-01-01T00:00:00Z', 'uw.edu-1', 'bo@uw.edu'), false);
    });

    it('is idempotent, moves forward, never back', async () => {
      const first = at('2026-04-01T12:00:00Z');
      const later = at('2026-05-01T12:00:00Z');
      assert.deepEqual(await revokeStatusLinks(db, 'mit.edu-1', 'ann@mit.edu', first), first);
      assert.deepEqual(await revokeStatusLinks(db, 'mit.edu-1', 'ann@mit.edu', first), first);
      assert.deepEqual(await revokeStatusLinks(db, 'mit.edu-1', 'ann@mit.edu', later), later);
      assert.deepEqual(await revokeStatusLinks(db, 'mit.edu-1', 'ann@mit.edu', first), later);
      assert.deepEqual(await statusLinksRevokedAt(db, 'mit.edu-1', 'ANN@mit.edu'), later);
      const rows = await db
        .selectFrom('status_link_revocations')
        .selectAll()
        .where('agreement_id', '=', 'mit.edu-1')
        .execute();
      assert.deepEqual(rows, [
        { agreement_id: 'mit.edu-1', email: 'ann@mit.edu', revoked_at: later.toISOString() },
      ]);
    });

    it('revocations at once for one requester leave one row, the latest moment', async () => {
      const moments = Array.from({ length: 8 }, (_, i) => at(`2026-06-0${i + 1}T00:00:00Z`));
      await Promise.all(moments.map((m) => revokeStatusLinks(db, 'ox.ac.uk-1', 'eve@ox.ac.uk', m)));
      assert.deepEqual(await statusLinksRevokedAt(db, 'ox.ac.uk-1', 'eve@ox.ac.uk'), moments.at(-1));
    });
  });
}
