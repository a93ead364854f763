import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { AgreementStatus, Stage } from '../common/agreement';
import { describeDatabase, openDatabase, PREPARED_KEPT } from '../activities/records/db';
import { migrateToLatest, MIGRATION_NAMES } from '../activities/records/migrations';
import { importRegistryCsv, parseRegistryCsv } from '../activities/records/registry-csv';
import type { Database } from '../activities/records/schema';
import { RecordsStore } from '../activities/records/store';
import { startPostgres } from './helpers/postgres';
import { csvProblems } from './helpers/registry';
import { sampleAgreement } from './helpers/samples';

function aStatus(domain: string, stage: Stage, overrides: Partial<AgreementStatus> = {}): AgreementStatus {
  return sampleAgreement({
    agreementId: `dura-${domain}`,
    institution: { name: 'Test University', domain },
    stage,
    tiers: ['registered'],
    requesters: [{ name: 'Ada Researcher', email: `ada@${domain}` }],
    signingOfficial: { name: 'Sam Official', email: `so@${domain}` },
    receivedAt: '2025-03-03T14:00:00.000Z',
    initiationDueBy: '2025-03-05T22:00:00.000Z',
    ...{ initiatedAt: null, remindersSent: 0, nextReminderAt: null, executedAt: null, signedOn: null },
    instructionsDueBy: null,
    ...overrides,
  });
}

const events = [
  { at: '2025-03-03T14:00:00.000Z', event: 'requested', detail: 'ada@a.example.edu' },
  { at: '2025-03-03T14:00:01.000Z', event: 'initiated' },
];

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`records store on ${dialect}`, function () {
    let url: string;
    let cleanup: () => Promise<void> = () => Promise.resolve();
    let db: Kysely<Database>;
    let store: RecordsStore;
    let firstRun: { applied: string[] };

    before(async function () {
      this.timeout(120_000);
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'dura-records-'));
        url = `sqlite:${dir}/data/dura.sqlite`; // the data/ directory does not exist yet
        cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
      } else {
        const started = Date.now();
        const postgres = await startPostgres();
        if (process.env.DURA_TEST_LOG) console.log(`    PostgreSQL started in ${Date.now() - started} ms`);
        url = postgres.url;
        cleanup = () => postgres.stop();
      }
      db = openDatabase(url);
      firstRun = await migrateToLatest(db);
      store = new RecordsStore(db);
    });

    const record = (agreementRef: string, status: AgreementStatus, firstSeq = 0, list = events) =>
      store.recordEvents({ agreementRef, firstSeq, events: list, status });

    after(async () => {
      await store?.close();
      await cleanup();
    });

    it('applies the migrations once; a second run and a second connection are no-ops', async () => {
      assert.deepEqual(firstRun.applied, MIGRATION_NAMES);
      assert.deepEqual(await migrateToLatest(db), { applied: [] });
      const again = openDatabase(url);
      try {
        assert.deepEqual(await migrateToLatest(again), { applied: [] });
      } finally {
        await again.destroy();
      }
    });

    it(`answers right past the ${PREPARED_KEPT} statements a SQLite connection keeps prepared`, async () => {
      for (const round of [1, 2])
        for (let i = 0; i < PREPARED_KEPT + 20; i++) {
          // A literal makes each its own SQL text, so each its own prepared statement.
          const { rows } = await sql<{ n: number }>`select ${sql.lit(i)} + ${round} as n`.execute(db);
          assert.equal(Number(rows[0]!.n), i + round);
        }
    });

    it('records events idempotently and upserts the agreement snapshot', async () => {
      const ref = 'dura-a.example.edu/run-1';
      const first = aStatus('a.example.edu', 'awaiting-signature');
      await record(ref, first);
      await record(ref, first); // a retried activity
      assert.deepEqual(await store.agreementEvents(ref), [
        { seq: 0, ...events[0] },
        { seq: 1, ...events[1] },
      ]);

      const executed = aStatus('a.example.edu', 'executed', { executedAt: '2025-04-01T15:00:00.000Z' });
      const more = [{ at: '2025-04-01T15:00:00.000Z', event: 'executed', detail: 'signed 2025-03-31' }];
      await record(ref, executed, 2, more);
      await record(ref, first); // a late retry of the first call keeps the newer snapshot
      assert.equal((await store.agreementEvents(ref)).length, 3);
      const status = await store.agreementStatus('dura-a.example.edu');
      assert.equal(status?.stage, 'executed');
      assert.equal(status?.executedAt, '2025-04-01T15:00:00.000Z');
      const row = await db
        .selectFrom('agreements')
        .selectAll()
        .where('agreement_ref', '=', ref)
        .executeTakeFirst();
      assert.equal(row?.stage, 'executed');
      assert.equal(row?.initiation_due_by, '2025-03-05T22:00:00.000Z');
      assert.equal(row?.overdue, 0);
    });

    it('applies a write of changed fields to the recorded snapshot; refuses one with none recorded', async () => {
      const ref = 'dura-c.example.edu/run-1';
      await record(ref, aStatus('c.example.edu', 'awaiting-signature'));
      const more = [{ at: '2025-04-02T15:00:00.000Z', event: 'reminder-sent', detail: '#1' }];
      const changes = { remindersSent: 1, nextReminderAt: '2025-04-16T15:00:00.000Z' };
      await store.recordEvents({ agreementRef: ref, firstSeq: 2, events: more, changes });
      const status = await store.agreementStatus('dura-c.example.edu');
      assert.equal(status?.remindersSent, 1);
      assert.equal(status?.nextReminderAt, '2025-04-16T15:00:00.000Z');
      assert.equal(status?.stage, 'awaiting-signature', 'the fields not sent are kept');
      assert.deepEqual(
        status?.history.map((h) => h.event),
        [...events.map((e) => e.event), 'reminder-sent'],
      );
      await assert.rejects(
        store.recordEvents({ agreementRef: 'dura-c.example.edu/never', firstSeq: 0, events: more, changes }),
        (err: Error & { type?: string; nonRetryable?: boolean }) =>
          err.nonRetryable === true && /no recorded snapshot/.test(err.message),
      );
    });

    it('applies a write with changed fields and no event; gives the mailer the snapshot by its ref', async () => {
      const ref = 'dura-s.example.edu/run-1';
      await record(ref, aStatus('s.example.edu', 'awaiting-signature'));
      const changes = { signingOfficial: { name: 'New Official', email: 'new@s.example.edu' } };
      await store.recordEvents({ agreementRef: ref, firstSeq: 2, events: [], changes });
      const snapshot = await store.agreementSnapshot(ref);
      assert.equal(snapshot?.signingOfficial.email, 'new@s.example.edu');
      assert.equal(snapshot?.stage, 'awaiting-signature');
      assert.ok(snapshot && !('history' in snapshot), 'the mailer gets no history');
      assert.equal((await store.agreementStatus('dura-s.example.edu'))?.history.length, 2, 'no event added');
      assert.equal(await store.agreementSnapshot('dura-s.example.edu/never'), null);
    });

    it('answers the status of the latest agreement of an institution, by id or domain', async () => {
      const old = aStatus('b.example.edu', 'completed', { receivedAt: '2023-01-09T15:00:00.000Z' });
      const current = aStatus('b.example.edu', 'awaiting-initiation', {
        tiers: ['controlled'],
        kind: 'amendment',
      });
      await record('dura-b.example.edu/new', current);
      await record('dura-b.example.edu/old', old);
      assert.equal((await store.agreementStatus('dura-b.example.edu'))?.kind, 'amendment');
      assert.deepEqual((await store.agreementStatus('B.example.edu'))?.tiers, ['controlled']);
      assert.equal(await store.agreementStatus('dura-nowhere.example.edu'), null);
      // A requester at another domain finds the agreement they asked for; no one else at it does.
      const gus = { name: 'Gus', email: 'gus@gmail.example' };
      await record(
        'dura-c.example.edu/run',
        aStatus('c.example.edu', 'awaiting-signature', { requesters: [gus] }),
      );
      assert.equal((await store.agreementStatus('Gus@Gmail.example'))?.institution.domain, 'c.example.edu');
      assert.equal(await store.agreementStatus('nobody@gmail.example'), null);
    });

    it('lists an executed institution with its tiers and dates, and finds it', async () => {
      const institution = { name: 'University of Washington', domain: 'UW.edu' };
      const update = {
        institution,
        tiers: ['registered' as const],
        signedOn: '2025-03-31',
        agreementId: 'dura-uw.edu',
      };
      await store.updateRegistry(update);
      await store.updateRegistry(update);
      await store.updateRegistry({ ...update, tiers: ['registered', 'controlled'], signedOn: '2025-06-02' });
      assert.deepEqual(await store.lookupInstitution(' uw.EDU '), {
        name: 'University of Washington',
        domain: 'uw.edu',
        tiers: ['registered', 'controlled'],
      });
      const [entry, ...others] = await store.findInstitutions('WASHINGTON');
      assert.equal(others.length, 0);
      assert.deepEqual(entry?.listed, [
        { tier: 'registered', listedOn: '2025-03-31', agreementId: 'dura-uw.edu' },
        { tier: 'controlled', listedOn: '2025-06-02', agreementId: 'dura-uw.edu' },
      ]);
      assert.deepEqual(
        (await store.findInstitutions('uw.e')).map((i) => i.domain),
        ['uw.edu'],
      );
      assert.deepEqual(await store.findInstitutions('%'), []); // LIKE wildcards are literal
      assert.equal(await store.lookupInstitution('nowhere.edu'), null);
    });

    it('keeps the e-mail ledger: first attempt, retries, sent, rejected', async () => {
      const entry = {
        idempotencyKey: 'dura-c.example.edu/run/reminder/1',
        messageId: '<reminder-1@dura>',
        kind: 'reminder',
        agreementId: 'dura-c.example.edu',
        recipients: ['so@c.example.edu', 'cc@c.example.edu'],
      };
      const t0 = new Date('2025-03-17T13:00:00Z');
      assert.equal(await store.begin(entry, t0), null);
      assert.deepEqual(await store.begin({ ...entry, messageId: '<other@dura>' }, t0), {
        state: 'sending',
        messageId: '<reminder-1@dura>',
        detail: null,
      });
      await store.markSent(entry.idempotencyKey, new Date('2025-03-17T13:00:05Z'), '250 OK');
      assert.deepEqual(await store.begin(entry, t0), {
        state: 'sent',
        messageId: '<reminder-1@dura>',
        detail: '250 OK',
      });
      const [sent, ...more] = await store.emails({ agreementId: 'dura-c.example.edu' });
      assert.equal(more.length, 0); // one row per idempotency key
      assert.equal(sent?.attempts, 2);
      assert.equal(sent?.sentAt, '2025-03-17T13:00:05.000Z');
      assert.deepEqual(sent?.recipients, entry.recipients);

      const bounced = {
        ...entry,
        idempotencyKey: 'dura-c.example.edu/run/reminder/2',
        messageId: '<r2@dura>',
      };
      assert.equal(await store.begin(bounced, t0), null);
      await store.markRejected(bounced.idempotencyKey, t0, '550 no such user');
      assert.deepEqual(await store.begin(bounced, t0), {
        state: 'rejected',
        messageId: '<r2@dura>',
        detail: '550 no such user',
      });
      assert.deepEqual(
        (await store.emails({ state: 'rejected' })).map((e) => e.attempts),
        [1],
      );
      await assert.rejects(store.markSent('no/such/key', t0), /no e-mail recorded/);
    });

    it('imports a valid registry CSV, quoted names with commas included', async () => {
      const csv =
        '\uFEFFdomain,name,tiers\r\n' +
        'mit.edu,Massachusetts Institute of Technology,Registered;Controlled\r\n' +
        '\r\n' +
        '@Wisc.EDU,"University of Wisconsin, Madison",registered\r\n' +
        'jhu.edu,"Johns Hopkins ""JHU"" University",controlled | registered\r\n';
      assert.deepEqual(await importRegistryCsv(store, csv), { imported: 3, problems: [] });
      assert.deepEqual(await store.lookupInstitution('wisc.edu'), {
        name: 'University of Wisconsin, Madison',
        domain: 'wisc.edu',
        tiers: ['registered'],
      });
      assert.equal((await store.lookupInstitution('jhu.edu'))?.name, 'Johns Hopkins "JHU" University');
      assert.deepEqual((await store.lookupInstitution('jhu.edu'))?.tiers, ['registered', 'controlled']);
      assert.deepEqual(
        (await store.findInstitutions('wisconsin, mad')).map((i) => i.domain),
        ['wisc.edu'],
      );
    });

    it('reports every bad row with its line and field and imports nothing; skipInvalid imports the rest', async () => {
      const csv = [
        'domain,name,tiers',
        'good1.edu,Good One,registered',
        'not a domain,Bad Domain,registered',
        'good2.edu,,gold',
        'good1.edu,Good One Again,controlled',
        '"multi.edu","Multi',
        'Line",registered',
        'extra.edu,Extra,registered,surplus',
        'good3.edu,Good Three,controlled',
      ].join('\n');
      const problems = csvProblems([
        'line 3, domain: "not a domain": expected an e-mail domain such as uw.edu',
        'line 4, name: is empty',
        'line 4, tiers: unknown tier "gold": expected registered and/or controlled',
        'line 5, domain: good1.edu repeats line 2',
        'line 6, name: must be on one line',
        'line 8, row: expected 3 fields, found 4 (quote a value that contains a comma)',
      ]);
      assert.deepEqual(await importRegistryCsv(store, csv), { imported: 0, problems });
      assert.equal(await store.lookupInstitution('good1.edu'), null);

      assert.deepEqual(await importRegistryCsv(store, csv, { skipInvalid: true }), { imported: 2, problems });
      assert.deepEqual((await store.lookupInstitution('good1.edu'))?.tiers, ['registered']);
      assert.equal((await store.lookupInstitution('good3.edu'))?.name, 'Good Three');
    });

    it('a semicolon file (Excel where the decimal mark is a comma) is told to quote a semicolon', async () => {
      const csv = ['Domain;Name;Tiers;;', 'nyu.edu;New York University;registered;gold;;'].join('\r\n');
      assert.deepEqual(await importRegistryCsv(store, csv), {
        imported: 0,
        problems: csvProblems([
          'line 2, row: expected 3 fields, found 4 (quote a value that contains a semicolon)',
        ]),
      });
    });
  });
}

describe('records helpers', () => {
  it('reports a missing or wrong header as one problem on line 1', () => {
    assert.deepEqual(parseRegistryCsv('uw.edu,UW,registered\n').problems, [
      {
        line: 1,
        field: 'header',
        message: 'expected the header "domain,name,tiers", found "uw.edu,UW,registered"',
      },
    ]);
    assert.equal(parseRegistryCsv('').problems[0]?.field, 'header');
    assert.deepEqual(
      parseRegistryCsv('domain,name,tiers\nmit.edu,MIT,controled\n').problems.map((p) => p.message),
      ['unknown tier "controled": expected registered and/or controlled; did you mean controlled?'],
    );
    // A provider's domain or a public suffix, listed, would cover everyone at it (a trial imported both).
    assert.deepEqual(
      parseRegistryCsv(
        'domain,name,tiers\ngmail.com,Google Mail Research,registered\nac.uk,UK,registered\n',
      ).problems.map((p) => `${p.line} ${p.field}: ${p.message}`),
      [
        "2 domain: gmail.com is a personal e-mail provider's: listed, it would cover everyone who writes from it",
        "3 domain: ac.uk is a public suffix, under which many institutions have their domains: list each institution's own",
      ],
    );
    assert.deepEqual(parseRegistryCsv('Tiers, Domain ,NAME\nregistered,uw.edu,UW\n').rows, [
      { domain: 'uw.edu', name: 'UW', tiers: ['registered'] },
    ]);
  });

  it('hides the password of a database URL', () => {
    assert.equal(describeDatabase('postgres://dura:s3cret@db:5432/dura'), 'postgres://dura:***@db:5432/dura');
    assert.equal(describeDatabase('sqlite:data/dura.sqlite'), 'sqlite:data/dura.sqlite');
  });
});
