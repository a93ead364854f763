/**
 * The mailer's idempotency on the real ledger: the records' e-mails table (RecordsStore) on SQLite and
 * on PostgreSQL, with mail over real SMTP to a sink. Wired as activities/index.ts wires it (`databaseUrl`
 * set: the outcome is recorded by the mail thread over its own connection), and with the outcome
 * recorded in this thread (no `databaseUrl`). What is checked is what a user would check: the copies
 * that reached the server, their Message-ID, and the rows `dura emails` would show.
 */
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { createMailer, messageIdFor, type Mailer } from '../activities/mail/mailer';
import type { EmailLedger } from '../activities/mail/ledger';
import { openDatabase } from '../activities/records/db';
import { migrateToLatest } from '../activities/records/migrations';
import { RecordsStore } from '../activities/records/store';
import {
  emailRequest,
  freePort,
  rejection,
  startSmtp,
  testMailerSettings,
  type TestSmtp,
} from './helpers/mail';
import { throwawayDatabase } from './helpers/postgres';

const ann = { name: 'Ann Lee', email: 'ann@uw.test' };
const gone = { name: 'Gone Away', email: 'gone@uw.test' };
const wirings = [
  { name: 'outcome recorded by the mail thread (databaseUrl, as the worker runs it)', threaded: true },
  { name: 'outcome recorded in this thread (no databaseUrl)', threaded: false },
] as const;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`mailer idempotency on the records' e-mail ledger (${dialect})`, function () {
    let url: string;
    let cleanup: () => Promise<void> = () => Promise.resolve();
    let store: RecordsStore;
    let smtp: TestSmtp;
    const mailers: Mailer[] = [];

    before(async function () {
      this.timeout(120_000);
      ({ url, cleanup } = await throwawayDatabase(dialect, 'mail-ledger'));
      const db = openDatabase(url);
      await migrateToLatest(db);
      store = new RecordsStore(db);
      smtp = await startSmtp();
    });
    after(async () => {
      await smtp?.close();
      await store?.close();
      await cleanup();
    });
    beforeEach(async () => {
      await store.db.deleteFrom('emails').execute();
      smtp.arrived.length = 0;
      smtp.rcptAttempts.length = 0;
      smtp.refuse.clear();
    });
    afterEach(async () => {
      await Promise.all(mailers.splice(0).map((m) => m.close()));
    });

    /** A mailer as activities/index.ts makes it; `ledger` replaced only to simulate a crash. */
    function newMailer(smtpUrl: string, threaded: boolean, ledger: EmailLedger = store): Mailer {
      const made = createMailer({
        ...testMailerSettings(),
        smtpUrl,
        ledger,
        agreements: store,
        ...(threaded ? { databaseUrl: url } : {}),
      });
      mailers.push(made);
      return made;
    }

    for (const wiring of wirings) {
      describe(wiring.name, function () {
        it('delivers a key once: the second send returns the first receipt and one `sent` row', async () => {
          const mailer = newMailer(smtp.url, wiring.threaded);
          const req = emailRequest('status-update', 'dura-uw.test/1/status-update/1/ann@uw.test', [ann]);
          const messageId = messageIdFor(req.idempotencyKey);
          const first = await mailer.send(req);
          const second = await mailer.send(req);
          assert.deepEqual(second, first);
          assert.equal(first.state, 'sent');
          assert.equal(first.messageId, messageId);
          assert.equal(smtp.arrived.length, 1, 'one copy at the server');
          assert.equal(smtp.arrived[0]!.mail.messageId, messageId);
          const rows = await store.emails();
          assert.equal(rows.length, 1);
          const [row] = rows;
          assert.equal(row!.idempotencyKey, req.idempotencyKey);
          assert.equal(row!.messageId, messageId);
          assert.equal(row!.kind, 'status-update');
          assert.equal(row!.agreementId, 'dura-uw.test');
          assert.deepEqual(row!.recipients, [ann.email]);
          assert.equal(row!.state, 'sent');
          assert.equal(row!.attempts, 1, 'a key already sent is not attempted again');
          assert.match(row!.detail ?? '', /^250 /);
          assert.equal(first.detail, row!.detail);
          assert.ok(row!.sentAt, 'sentAt is set');
        });

        it('after a crash inside the window (entry left `sending`) sends again with the same Message-ID and ends `sent`', async () => {
          const req = emailRequest('executed', 'dura-uw.test/1/executed/window', [ann]);
          const messageId = messageIdFor(req.idempotencyKey);
          // The first attempt: the server accepts, and the worker dies before the record is written.
          const killed = new Error('the worker was killed before the record');
          const crashing = newMailer(smtp.url, false, {
            begin: (entry, at) => store.begin(entry, at),
            markSent: () => Promise.reject(killed),
            markRejected: () => Promise.reject(killed),
            markFailed: () => Promise.reject(killed),
          });
          assert.equal(await rejection(crashing.send(req)), killed);
          assert.equal(smtp.arrived.length, 1, 'the first copy reached the server');
          const [left] = await store.emails();
          assert.equal(left!.state, 'sending');
          assert.equal(left!.attempts, 1);

          // The activity's retry, on a mailer wired as under test.
          const receipt = await newMailer(smtp.url, wiring.threaded).send(req);
          assert.deepEqual(receipt, { messageId, state: 'sent', detail: receipt.detail });
          assert.equal(smtp.arrived.length, 2, 'sent again: the window cannot be closed');
          assert.deepEqual(
            smtp.arrived.map((a) => a.mail.messageId),
            [messageId, messageId],
            'both copies carry the same Message-ID, so the duplicate can be dropped',
          );
          const rows = await store.emails();
          assert.equal(rows.length, 1);
          assert.equal(rows[0]!.state, 'sent');
          assert.equal(rows[0]!.messageId, messageId);
          assert.equal(rows[0]!.attempts, 2);
          assert.ok(rows[0]!.sentAt, 'sentAt is set');

          assert.deepEqual(await newMailer(smtp.url, wiring.threaded).send(req), receipt);
          assert.equal(smtp.arrived.length, 2, 'and never a third time');
        });

        it('records a 550 for the recipient as `rejected` and never tries again', async () => {
          smtp.refuse.set(gone.email, 550);
          const mailer = newMailer(smtp.url, wiring.threaded);
          const req = emailRequest('reminder', 'dura-uw.test/1/reminder/3', [gone]);
          const receipt = await mailer.send(req);
          assert.equal(receipt.state, 'rejected');
          assert.equal(receipt.messageId, messageIdFor(req.idempotencyKey));
          assert.match(receipt.detail ?? '', /gone@uw\.test: 550/);
          const rows = await store.emails();
          assert.equal(rows.length, 1);
          assert.equal(rows[0]!.state, 'rejected');
          assert.equal(rows[0]!.detail, receipt.detail);
          assert.equal(rows[0]!.sentAt, null);

          smtp.refuse.clear(); // even were the server to accept it now, the refusal is final
          assert.deepEqual(await newMailer(smtp.url, wiring.threaded).send(req), receipt);
          assert.deepEqual(smtp.rcptAttempts, [gone.email], 'the server was asked once');
          assert.equal(smtp.arrived.length, 0);
          assert.equal((await store.emails())[0]!.attempts, 1);
        });

        it('retries while SMTP is down, then delivers exactly once', async () => {
          const port = await freePort();
          const mailer = newMailer(`smtp://127.0.0.1:${port}`, wiring.threaded);
          const req = emailRequest('cancelled', 'dura-uw.test/1/cancelled/ann@uw.test', [ann]);
          for (const attempt of [1, 2]) {
            const err = await rejection(mailer.send(req));
            assert.ok(!(err instanceof ApplicationFailure), 'a plain (retryable) error');
            assert.match(err.message, new RegExp(`mail server 127\\.0\\.0\\.1:${port} cannot be reached`));
            const [row] = await store.emails();
            assert.equal(row!.state, 'sending');
            assert.equal(row!.attempts, attempt);
            // Why, kept on the row while it is retried: what `dura status` shows as mail waiting.
            assert.equal(row!.detail, err.message.split('\n')[0]);
          }
          const up = await startSmtp(port);
          try {
            const receipt = await mailer.send(req);
            assert.equal(receipt.state, 'sent');
            assert.deepEqual(await mailer.send(req), receipt);
            assert.equal(up.arrived.length, 1, 'one copy once the server is up');
            assert.equal(up.arrived[0]!.mail.messageId, messageIdFor(req.idempotencyKey));
          } finally {
            await mailer.close(); // its idle pooled connection would hold up.close() for 2 s
            await up.close();
          }
          const rows = await store.emails();
          assert.equal(rows.length, 1);
          assert.equal(rows[0]!.state, 'sent');
          assert.equal(rows[0]!.attempts, 3);
          assert.ok(rows[0]!.sentAt, 'sentAt is set');
          assert.match(rows[0]!.detail ?? '', /^250 /, "the server's answer replaces the last failure");
        });
      });
    }
  });
}
