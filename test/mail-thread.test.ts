/**
 * The mailer as the worker runs it: SMTP and each outcome's record in the mail thread, with its own
 * connection to the records (a SQLite file), while `begin` stays in this thread.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createMailer, messageIdFor, type Mailer } from '../activities/mail/mailer';
import { RecordsStore } from '../activities/records/store';
import {
  emailRequest,
  freePort,
  rejection,
  startSmtp,
  testMailerSettings,
  type TestSmtp,
} from './helpers/mail';

const ann = { name: 'Ann Lee', email: 'ann@uw.test' };

describe('mailer: SMTP and its records in the mail thread', function () {
  let dir: string;
  let smtp: TestSmtp;
  let store: RecordsStore;
  const mailers: Mailer[] = [];

  function threaded(smtpUrl: string): Mailer {
    const mailer = createMailer({
      ...testMailerSettings(),
      smtpUrl,
      ledger: store,
      databaseUrl: `sqlite:${dir}/dura.sqlite`,
    });
    mailers.push(mailer);
    return mailer;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dura-mail-thread-'));
    store = await RecordsStore.open(`sqlite:${dir}/dura.sqlite`);
    smtp = await startSmtp();
  });
  after(async () => {
    for (const m of mailers) await m.close();
    await smtp.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers once and the thread records `sent`, seen by this thread’s connection', async () => {
    const mailer = threaded(smtp.url);
    const req = emailRequest('executed', 'thread/1', [ann]);
    const first = await mailer.send(req);
    assert.equal(first.state, 'sent');
    assert.equal(first.messageId, messageIdFor(req.idempotencyKey));
    const [row] = await store.emails({ kind: 'executed' });
    assert.equal(row!.state, 'sent');
    assert.match(row!.detail ?? '', /^250 /);
    assert.deepEqual(await mailer.send(req), first);
    assert.equal(smtp.arrived.length, 1);
  });

  it('sends the message built in this thread as it is: headers, both parts, every recipient', async () => {
    const mailer = threaded(smtp.url);
    smtp.arrived.length = 0;
    const official = { name: 'Sam Signer', email: 'sam@uw.test' };
    const req = emailRequest('initiation-package', 'thread/pkg', [official], {
      cc: ['aou-signing-official'],
    });
    assert.equal((await mailer.send(req)).state, 'sent');
    const [{ mail, rcptTo }] = smtp.arrived as [(typeof smtp.arrived)[number]];
    assert.equal(mail.messageId, messageIdFor(req.idempotencyKey));
    assert.equal(mail.headers.get('x-dura-kind'), 'initiation-package');
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.ok(mail.text && mail.html, 'text and HTML');
    assert.deepEqual(rcptTo.sort(), ['sam@uw.test', 'so@aou.test']);
  });

  it('records a permanent refusal as rejected; a server that cannot be reached fails retryably', async () => {
    smtp.refuse.set('gone@uw.test', 550);
    const mailer = threaded(smtp.url);
    const refused = await mailer.send(
      emailRequest('reminder', 'thread/2', [{ name: 'G', email: 'gone@uw.test' }]),
    );
    assert.equal(refused.state, 'rejected');
    assert.equal((await store.emails({ kind: 'reminder' }))[0]!.state, 'rejected');

    const port = await freePort();
    const down = threaded(`smtp://127.0.0.1:${port}`);
    const err = await rejection(down.send(emailRequest('cancelled', 'thread/3', [ann])));
    assert.ok(!(err instanceof ApplicationFailure), 'a plain (retryable) error');
    assert.match(err.message, new RegExp(`mail server 127.0.0.1:${port} cannot be reached`));
    assert.equal((await store.emails({ kind: 'cancelled' }))[0]!.state, 'sending');
  });

  it('closes its thread, and starts another on the next message', async () => {
    const mailer = threaded(smtp.url);
    assert.equal((await mailer.send(emailRequest('declined', 'thread/4', [ann]))).state, 'sent');
    await mailer.close();
    assert.equal((await mailer.send(emailRequest('declined', 'thread/5', [ann]))).state, 'sent');
  });
});
