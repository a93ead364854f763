/**
 * What the mailer refuses and how it delivers, over real SMTP (an in-process smtp-server on 127.0.0.1)
 * read back with mailparser: header injection, malformed addresses and templates refused non-retryably,
 * the agreement the records hold, idempotency, SMTP down, 4xx and permanent refusals, the outbox. What the
 * messages say: mail.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import type { EmailKind } from '../activities/interfaces';
import { messageIdFor, type Mailer } from '../activities/mail/mailer';
import { loadTemplate, render } from '../activities/mail/render';
import { buildView } from '../activities/mail/view';
import {
  addresses,
  assertBadData,
  emailRequest,
  freePort,
  type MemoryLedger,
  rejection,
  rejectionSync,
  startSmtp,
  type TestSmtp,
} from './helpers/mail';
import { ann, links, mailerFixture, official, roles } from './helpers/mailer-fixture';
import { verifyStatusLink } from '../common/status-link';
import { sampleAgreement } from './helpers/samples';

describe('mailer', function () {
  const fixture = mailerFixture();
  const { dirs, newMailer, templates } = fixture;
  let smtp: TestSmtp;
  let ledger: MemoryLedger;
  let mailer: Mailer;
  beforeEach(() => ({ smtp, ledger, mailer } = fixture));

  it('refuses a name that would inject a header, non-retryably, and sends nothing', async () => {
    const evil = { name: 'Ann\r\nBcc: evil@x.test', email: 'ann@uw.test' };
    assertBadData(await rejection(mailer.send(emailRequest('executed', 'inject', [evil]))), 'to[0].name');
    const ccEvil = { name: 'Bo', email: 'bo@uw.test\nBcc: evil@x.test' };
    assertBadData(
      await rejection(mailer.send(emailRequest('executed', 'inject2', [ann], { cc: [ccEvil] }))),
      'cc[0].email',
    );
    assert.equal(smtp.arrived.length, 0);
    assert.equal(smtp.rcptAttempts.length, 0);
    assert.equal(ledger.rows.size, 0);
  });

  it('refuses a malformed address non-retryably', async () => {
    const err = await rejection(
      mailer.send(emailRequest('executed', 'bad', [{ name: 'Ann', email: 'ann-at-uw.test' }])),
    );
    assertBadData(err, 'to[0].email');
    assert.equal(smtp.arrived.length, 0);
  });

  it('fails non-retryably on a template that uses a value the view does not set', () => {
    const dir = templates({
      'executed.txt': 'Subject: Hello {{institution.name}}\n\nDear {{nobody.name}},\n',
      'executed.html': '<p>{{institution.name}}</p>',
      'declined.txt': 'Subject: Hello\n\nDear {{recipient.name}},\n',
      'declined.html': '<p>{{#agreements}}{{name}}{{/agreements}}</p>',
      'cancelled.txt': 'Subject: Hello\n\nDear {{recipient}},\n',
      'cancelled.html': '<p></p>',
    });
    const request = emailRequest('executed', 'k', [ann]);
    const view = buildView(request, request.agreement!, { links, ...roles, now: new Date() });
    const fails = (kind: EmailKind) => rejectionSync(() => render(kind, view, dir));
    assertBadData(fails('executed'), 'executed.txt line 3 uses {{nobody.name}}, which is not set');
    assertBadData(fails('declined'), 'declined.html line 1 uses {{agreements}}, which is not set');
    assertBadData(fails('cancelled'), 'cancelled.txt puts a list or a group of values where a single value');
  });

  it('fails non-retryably at load on a malformed template', () => {
    const dir = templates({
      'executed.txt': 'Subject: Hello\n\nDear {{recipient.name},\n',
      'executed.html': '<p></p>',
      'declined.txt': 'Subject: Hello\n\nDear {{recipient.name}},\n',
      'declined.html': '<p>{{#agreements}}{{name}}</p>',
      'cancelled.txt': 'No subject line\n',
      'cancelled.html': '<p></p>',
      'reminder.txt': 'Subject: Hello\n\nDear {{official name}},\n',
      'reminder.html': '<p></p>',
    });
    assertBadData(
      rejectionSync(() => loadTemplate('executed', dir)),
      'executed.txt: Parse error on line 3',
    );
    assertBadData(
      rejectionSync(() => loadTemplate('declined', dir)),
      'declined.html: Parse error',
    );
    assertBadData(
      rejectionSync(() => loadTemplate('cancelled', dir)),
      'Subject',
    );
    assertBadData(
      rejectionSync(() => loadTemplate('reminder', dir)),
      'unknown helper official - 3:',
    );
  });

  it('renders the snapshot the records hold for a request that names the agreement by its ref', async () => {
    const recorded = sampleAgreement({ institution: { name: 'Recorded University', domain: 'uw.test' } });
    const agreements = { agreementSnapshot: async (ref: string) => (ref === 'run-1' ? recorded : null) };
    const fromRecords = newMailer({ smtpUrl: smtp.url, agreements });
    const { agreement: _carried, ...named } = emailRequest('request-received', 'by-ref', [ann]);
    const receipt = await fromRecords.send({ ...named, agreementRef: 'run-1' });
    assert.equal(receipt.state, 'sent');
    assert.equal(smtp.arrived[0]!.mail.subject, 'We received your DURA request for Recorded University');

    const unknown = await rejection(
      fromRecords.send({ ...named, idempotencyKey: 'x', agreementRef: 'run-9' }),
    );
    assertBadData(unknown, 'agreementRef');
    assert.equal(smtp.arrived.length, 1, 'nothing sent for an agreement the records do not know');
  });

  it('delivers a key once: a second send returns the first receipt, same Message-ID', async () => {
    const req = emailRequest('status-update', 'dura-uw.test/1/status-update/1/ann@uw.test', [ann]);
    const first = await mailer.send(req);
    const second = await mailer.send(req);
    assert.equal(smtp.arrived.length, 1);
    assert.equal(first.messageId, messageIdFor(req.idempotencyKey));
    assert.match(first.messageId, /^<[0-9a-f]{32}@dura>$/);
    assert.deepEqual(second, first);
    assert.equal(smtp.arrived[0]!.mail.messageId, first.messageId);
  });

  it('after a crash inside the window (entry left `sending`) sends again with the same Message-ID', async () => {
    const req = emailRequest('executed', 'window', [ann]);
    const messageId = messageIdFor(req.idempotencyKey);
    await ledger.begin({
      idempotencyKey: req.idempotencyKey,
      messageId,
      kind: 'executed',
      agreementId: 'x',
      recipients: [],
    });
    const receipt = await mailer.send(req);
    assert.equal(receipt.state, 'sent');
    assert.equal(smtp.arrived[0]!.mail.messageId, messageId);
    assert.equal(ledger.rows.get(req.idempotencyKey)!.state, 'sent');
  });

  it('retries while SMTP is down, then delivers exactly once', async () => {
    const port = await freePort();
    const down = newMailer({ smtpUrl: `smtp://127.0.0.1:${port}` });
    const req = emailRequest('executed', 'down', [ann]);
    const err = await rejection(down.send(req));
    assert.ok(!(err instanceof ApplicationFailure), 'a plain (retryable) error');
    assert.match(err.message, new RegExp(`mail server 127.0.0.1:${port} cannot be reached`));
    assert.equal(ledger.rows.get('down')!.state, 'sending');
    const up = await startSmtp(port);
    try {
      assert.equal((await down.send(req)).state, 'sent');
      assert.equal((await down.send(req)).state, 'sent');
      assert.equal(up.arrived.length, 1);
    } finally {
      await up.close();
    }
  });

  it('retries a 4xx for a recipient', async () => {
    smtp.refuse.set(ann.email, 451);
    const err = await rejection(mailer.send(emailRequest('executed', 'busy', [ann])));
    assert.ok(!(err instanceof ApplicationFailure));
    assert.match(err.message, /deferred the message \(451/);
    smtp.refuse.clear();
    assert.equal((await mailer.send(emailRequest('executed', 'busy', [ann]))).state, 'sent');
  });

  it('names what to check when the server refuses the login or speaks no TLS where SMTP_URL asks for it', async () => {
    const login = newMailer({ smtpUrl: `smtp://dura:s3cret@127.0.0.1:${smtp.port}` });
    const refused = await rejection(login.send(emailRequest('executed', 'login', [ann])));
    assert.ok(!(refused instanceof ApplicationFailure), 'retried: the operators fix SMTP_URL');
    assert.match(
      refused.message,
      new RegExp(
        `^the mail server 127\\.0\\.0\\.1:${smtp.port} refused the login \\(5\\d\\d .*\\): check the user and password in SMTP_URL$`,
      ),
    );
    const tls = newMailer({ smtpUrl: `smtps://127.0.0.1:${smtp.port}` });
    const plain = await rejection(tls.send(emailRequest('executed', 'tls', [ann])));
    assert.match(
      plain.message,
      /does not speak TLS as SMTP_URL asks \(.*\): smtps:\/\/ is for a server that starts with TLS/,
    );
    assert.equal(smtp.arrived.length, 0);
  });

  it('records a 550 for the recipient as rejected and never tries again', async () => {
    const gone = { name: 'Gone', email: 'gone@uw.test' };
    smtp.refuse.set(gone.email, 550);
    const receipt = await mailer.send(emailRequest('executed', 'bounce', [gone]));
    assert.equal(receipt.state, 'rejected');
    assert.match(receipt.detail ?? '', /gone@uw\.test: 550/);
    assert.equal(ledger.rows.get('bounce')!.state, 'rejected');
    const again = await mailer.send(emailRequest('executed', 'bounce', [gone]));
    assert.equal(again.state, 'rejected');
    assert.deepEqual(smtp.rcptAttempts, [gone.email]);
    assert.equal(smtp.arrived.length, 0);
  });

  it('counts a refused "to" as rejected even when the cc was accepted', async () => {
    smtp.refuse.set(official.email, 550);
    const receipt = await mailer.send(
      emailRequest('initiation-package', 'pkg', [official], { cc: ['aou-signing-official'] }),
    );
    assert.equal(receipt.state, 'rejected');
    assert.match(receipt.detail ?? '', /sam@uw\.test: 550.*accepted for so@aou\.test/);
    assert.deepEqual(smtp.arrived[0]!.rcptTo, [roles.aouSigningOfficial]);
  });

  it("puts each requester's own status link in their mail, text and HTML; none in anyone else's", async () => {
    const key = new Uint8Array(32).fill(3);
    const now = new Date('2026-11-23T14:00:00Z');
    const linked = newMailer({
      smtpUrl: smtp.url,
      statusLinks: { baseUrl: 'https://dura.example/aou/', days: 30, key: () => key },
      now: () => now,
    });
    const bo = { name: 'Bo Chen', email: 'Bo@UW.test' };
    const eve = { name: 'Eve Other', email: 'eve@uw.test' };
    const sent: Array<[EmailKind, Parameters<typeof emailRequest>[2]]> = [
      ['request-received', [ann]],
      ['status-update', [bo]],
      ['initiation-package', [official]],
      ['reminder', [official]],
      ['escalation', ['access-team']],
      ['not-needed', [ann]], // no agreement to show
      ['executed', [eve]], // not one of the agreement's requesters
    ];
    for (const [kind, to] of sent) await linked.send(emailRequest(kind, `links/${kind}`, to));
    assert.equal(smtp.arrived.length, sent.length);

    const linkIn = async (i: number) => {
      const { text, html } = smtp.arrived[i]!.mail;
      const inText = /^https:\/\/dura\.example\/aou\/status\/([\w.-]+)$/m.exec(text ?? '')?.[1];
      const inHtml = /<a href="https:\/\/dura\.example\/aou\/status\/([\w.-]+)">/.exec(String(html))?.[1];
      assert.equal(inText, inHtml, `the same link in text and HTML of ${sent[i]![0]}`);
      if (!inText) return null;
      assert.match(text!, /This link is personal to you and works until Wednesday, December 23, 2026\./);
      const check = await verifyStatusLink(inText, key, now);
      assert.ok(check.ok);
      return {
        agreementId: check.agreementId,
        email: check.email,
        days: check.expiresAt.getTime() - now.getTime(),
      };
    };
    const day = 24 * 60 * 60 * 1000;
    assert.deepEqual(await linkIn(0), { agreementId: 'dura-uw.test', email: 'ann@uw.test', days: 30 * day });
    assert.deepEqual(await linkIn(1), { agreementId: 'dura-uw.test', email: 'bo@uw.test', days: 30 * day });
    for (let i = 2; i < sent.length; i++) {
      assert.equal(await linkIn(i), null, sent[i]![0]);
      const { text, html } = smtp.arrived[i]!.mail;
      assert.ok(!`${text}${html}`.includes('/status/'), sent[i]![0]);
    }
  });

  it('a key that cannot be read fails the send retryably, before anything is recorded or sent', async () => {
    const broken = newMailer({
      smtpUrl: smtp.url,
      statusLinks: {
        baseUrl: 'https://dura.example',
        days: 30,
        key: () => {
          throw new Error('/srv/dura/status-link.key: EACCES');
        },
      },
    });
    const err = await rejection(broken.send(emailRequest('status-update', 'no-key', [ann])));
    assert.ok(!(err instanceof ApplicationFailure), 'a plain (retryable) error');
    assert.equal(ledger.rows.size, 0);
    assert.equal(smtp.arrived.length, 0);
    // Mail that carries no link goes as before.
    assert.equal((await broken.send(emailRequest('reminder', 'no-key/official', [official]))).state, 'sent');
  });

  it('writes one parseable .eml per key to the outbox without SMTP', async () => {
    const outboxDir = mkdtempSync(path.join(tmpdir(), 'dura-outbox-'));
    dirs.push(outboxDir);
    const outbox = newMailer({ outboxDir: path.join(outboxDir, 'outbox') });
    const req = emailRequest('registration-instructions', 'outbox/1', [ann]);
    const first = await outbox.send(req);
    ledger.rows.clear(); // even with the record lost, the same key never makes a second file
    const second = await outbox.send(req);
    assert.equal(first.messageId, second.messageId);
    const files = readdirSync(path.join(outboxDir, 'outbox'));
    assert.deepEqual(files, [`${first.messageId.slice(1, 33)}-registration-instructions.eml`]);
    const mail = await simpleParser(readFileSync(path.join(outboxDir, 'outbox', files[0]!)));
    assert.equal(mail.messageId, first.messageId);
    assert.deepEqual(addresses(mail.to), [ann.email]);
    assert.equal(mail.subject, 'Your next steps to the All of Us Researcher Workbench');
    assert.ok(mail.text?.includes(links.workbench));
    assert.ok(existsSync(path.join(outboxDir, 'outbox', files[0]!)));
    assert.equal(smtp.arrived.length, 0);
  });
});
