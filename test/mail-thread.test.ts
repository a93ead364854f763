/**
 * The mailer as the worker runs it: SMTP and each outcome's record in the mail thread, with its own
 * connection to the records (a SQLite file), while `begin` stays in this thread.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants, getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createMailer, messageIdFor, type Mailer } from '../activities/mail/mailer';
import type { MailThreadPriority } from '../activities/mail/mail-thread';
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

  function threaded(smtpUrl: string, onMailThread?: (p: MailThreadPriority) => void): Mailer {
    const mailer = createMailer({
      ...testMailerSettings(),
      smtpUrl,
      ledger: store,
      databaseUrl: `sqlite:${dir}/dura.sqlite`,
      onMailThread,
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

  it('runs at a raised priority where the system lets it, and says which', async () => {
    const told: MailThreadPriority[] = [];
    const mailer = threaded(smtp.url, (p) => told.push(p));
    assert.equal((await mailer.send(emailRequest('declined', 'thread/6', [ann]))).state, 'sent');
    assert.equal(told.length, 1);
    const [priority] = told as [MailThreadPriority];
    // Each of this process's threads' nice value, as the kernel keeps it (field 19 of /proc/…/stat).
    const nices = readdirSync(`/proc/${process.pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    if (priority.raised) {
      assert.equal(priority.nice, constants.priority.PRIORITY_HIGH);
      assert.ok(nices.includes(priority.nice), `a thread at nice ${priority.nice}: ${nices.join(' ')}`);
      assert.equal(getPriority(), 0, 'this thread keeps its priority');
    } else {
      // CAP_SYS_NICE is capability 23: a process that has it may always raise a thread's priority.
      const capabilities = BigInt(
        `0x${/^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`,
      );
      assert.equal(capabilities & (1n << 23n), 0n, 'refused although the process has CAP_SYS_NICE');
      assert.match(priority.refused ?? '', /^(EACCES|EPERM)$/);
    }
  });
});
