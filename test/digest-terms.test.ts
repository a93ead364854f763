// The weekly digest's terms ending soon (activities/digest.ts, records/terms-ending.ts): read from real
// records on SQLite and PostgreSQL, handed to the mailer (a sinon stub: the unit here is the activity).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sinon from 'sinon';
import type { Kysely } from 'kysely';
import type { AgreementStatus, Stage } from '../common/agreement';
import { digestActivities } from '../activities/digest';
import type { DigestRequest } from '../activities/interfaces';
import { openDatabase } from '../activities/records/db';
import { migrateToLatest } from '../activities/records/migrations';
import type { Database } from '../activities/records/schema';
import { RecordsStore } from '../activities/records/store';
import { startPostgres } from './helpers/postgres';
import { sampleAgreement } from './helpers/samples';

const NOW = new Date('2026-12-02T15:00:00.000Z');

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`digest: terms ending soon, records on ${dialect}`, function () {
    let cleanup: () => Promise<void> = () => Promise.resolve();
    let db: Kysely<Database>;
    let store: RecordsStore;

    before(async function () {
      this.timeout(120_000);
      let url: string;
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'dura-digest-terms-'));
        url = `sqlite:${dir}/dura.sqlite`;
        cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
      } else {
        const postgres = await startPostgres();
        url = postgres.url;
        cleanup = () => postgres.stop();
      }
      db = openDatabase(url);
      await migrateToLatest(db);
      store = new RecordsStore(db);
    });
    after(async () => {
      await store?.close();
      await cleanup();
    });

    /** An agreement's snapshot in the records and, executed, its listing (held by its term when it has one). */
    async function anAgreement(domain: string, n: number, stage: Stage, more: Partial<AgreementStatus> = {}) {
      const status = sampleAgreement({
        agreementId: `${domain}-${n}`,
        institution: { name: `University of ${domain}`, domain },
        stage,
        tiers: ['registered'],
        ...more,
      });
      await store.recordEvents({ agreementRef: `${domain}-${n}/ref`, firstSeq: 0, events: [], status });
      if (status.signedOn)
        await store.updateRegistry({
          institution: status.institution,
          tiers: ['registered'],
          signedOn: status.signedOn,
          agreementId: status.agreementId,
          ...(status.expiresOn ? { expiresOn: status.expiresOn } : {}),
        });
    }

    it('lists each term ending within 60 days, soonest first, with its renewal in process', async () => {
      const signed = { signedOn: '2024-01-10', executedAt: '2024-01-10T15:00:00.000Z' };
      await anAgreement('soon.edu', 1, 'completed', { ...signed, expiresOn: '2027-01-20' });
      await anAgreement('sooner.edu', 1, 'completed', { ...signed, expiresOn: '2026-12-31' });
      await anAgreement('later.edu', 1, 'completed', { ...signed, expiresOn: '2027-06-30' }); // 7 months
      await anAgreement('never.edu', 1, 'completed', { ...signed, expiresOn: null }); // no end date
      // soon.edu's renewal is in process: said beside its term.
      await anAgreement('soon.edu', 2, 'awaiting-signature', { renews: 'soon.edu-1', signedOn: null });

      const sendDigest = sinon.stub().resolves({ state: 'sent', messageId: '<m@dura>' });
      const digest = digestActivities({
        db,
        mailer: { sendDigest, sendRegistrationReport: sinon.stub() },
        now: () => NOW,
      });
      await digest.sendDigest({ idempotencyKey: `digest/${dialect}` });
      const request = sendDigest.firstCall.args[0] as DigestRequest;
      assert.deepEqual(
        request.termsEnding?.map((t) => [t.agreementId, t.expiresOn, t.renewal]),
        [
          ['sooner.edu-1', '2026-12-31', null],
          ['soon.edu-1', '2027-01-20', 'soon.edu-2'],
        ],
      );
      assert.deepEqual(
        request.entries.map((e) => e.agreement.agreementId),
        ['soon.edu-2'],
      );
    });
  });
}
