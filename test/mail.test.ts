/**
 * The mailer over real SMTP (an in-process smtp-server on 127.0.0.1), read back with mailparser:
 * every kind, escaping, header injection, idempotency, SMTP down, permanent refusals, the outbox.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import { EMAIL_KINDS, type EmailKind, type EmailRequest, type Recipient } from '../activities/interfaces';
import { createMailer, messageIdFor, type Mailer, type RecordedAgreements } from '../activities/mail/mailer';
import { loadTemplate, render } from '../activities/mail/render';
import { mailSettings } from '../activities/mail/settings';
import { buildView } from '../activities/mail/view';
import type { Person } from '../common/agreement';
import {
  addresses,
  assertBadData,
  emailRequest,
  freePort,
  MemoryLedger,
  rejection,
  rejectionSync,
  startSmtp,
  type TestSmtp,
} from './helpers/mail';
import { sampleAgreement } from './helpers/samples';

const links = mailSettings({
  DURA_LINK_WORKBENCH: 'https://wb.example/start',
  DURA_LINK_IDENTITY: 'https://id.example/verify',
  DURA_LINK_CODE_OF_CONDUCT: 'https://conduct.example/ducc',
  DURA_LINK_RCR_TRAINING: 'https://rcr.example/training',
  DURA_LINK_AGREEMENT: 'https://agreement.example/dura',
}).links;
const ann: Person = { name: 'Ann Lee', email: 'ann@uw.test' };
const official: Person = { name: 'Sam Signer', email: 'sam@uw.test' };
const roles = { accessTeam: 'team@aou.test', aouSigningOfficial: 'so@aou.test' };

// Who gets what: the signing official, the access team, or (every other kind) the requester.
const recipients: Partial<Record<EmailKind, Pick<EmailRequest, 'to' | 'cc'>>> = {
  'initiation-package': { to: [official], cc: ['aou-signing-official'] },
  reminder: { to: [official] },
  escalation: { to: ['access-team'] },
  'closed-notice': { to: [official] },
};
const addressOf = (r: Recipient) =>
  r === 'access-team' ? roles.accessTeam : r === 'aou-signing-official' ? roles.aouSigningOfficial : r.email;

/**
 * What each kind must say, written out by hand from the templates and the values of emailRequest and
 * sampleAgreement (New York times; reason "The initiation deadline passed.", reminder number 2): a
 * template that loses a sentence, a value or a link fails here.
 */
const signature = 'With regards,\nThe All of Us access team';
const progress =
  'We sent the agreement to Sam Signer (Director of Research) on Monday, November 23, 2026, 9:30 AM ET, ' +
  'and we follow up with them every 14 days until it is signed.';
const expected: Record<EmailKind, { subject: string; sentences: string[] }> = {
  'request-received': {
    subject: 'We received your DURA request for University of Testing',
    sentences: [
      'Dear Ann Lee,',
      'Access to the Registered and Controlled Tiers of the All of Us Researcher Workbench needs a Data Use ' +
        'and Registration Agreement (DURA) between University of Testing and the All of Us Research Program, ' +
        "signed by your institution's signing official, Sam Signer (Director of Research).",
      progress,
      'There is nothing you need to do right now.',
    ],
  },
  'initiation-package': {
    subject: 'Data Use and Registration Agreement for University of Testing (All of Us Research Program)',
    sentences: [
      'Dear Sam Signer,',
      'Ann Lee and Bo Chen at University of Testing would like to use All of Us data ' +
        '(Registered and Controlled Tiers) on the Researcher Workbench.',
      'we understand that you sign such agreements for University of Testing.',
      'You will find the agreement and its documentation here:\nhttps://agreement.example/dura',
      'reply to this message with the signed agreement.',
    ],
  },
  reminder: {
    subject: 'Reminder: the All of Us DURA for University of Testing awaits signature',
    sentences: [
      'Dear Sam Signer,',
      'A friendly follow-up (reminder 2) on the Data Use and Registration Agreement we sent you on ' +
        'Monday, November 23, 2026, 9:30 AM ET.',
      'Researchers at University of Testing (Ann Lee and Bo Chen) are waiting to use All of Us data',
      'The agreement and its documentation are here:\nhttps://agreement.example/dura',
    ],
  },
  'status-update': {
    subject: 'Update on the All of Us DURA for University of Testing',
    sentences: [
      'Dear Ann Lee,',
      'Here is where the Data Use and Registration Agreement for University of Testing ' +
        '(Registered and Controlled Tiers) stands:',
      progress,
      'We will write again when something changes, and otherwise every 14 days.',
    ],
  },
  escalation: {
    subject: '[DURA] Needs attention: University of Testing (dura-uw.test)',
    sentences: [
      'Hello access team,',
      'The agreement dura-uw.test with University of Testing needs your attention:\n\n' +
        'The initiation deadline passed.',
      'Stage: awaiting-signature (new agreement, Registered and Controlled Tiers)',
      'Signing official: Sam Signer (Director of Research) <sam@uw.test>',
      'Requesters: Ann Lee and Bo Chen',
      'Received: Friday, November 20, 2026, 10:00 AM ET',
      'Initiation due by: Tuesday, November 24, 2026, 5:00 PM ET',
      'Initiated: Monday, November 23, 2026, 9:30 AM ET',
      'Reminders sent: 1',
      'Next reminder: Monday, December 7, 2026, 9:00 AM ET',
      'Instructions due by: Thursday, December 3, 2026, 5:00 PM ET',
      'The whole story: dura status uw.test',
    ],
  },
  executed: {
    subject: 'Good news: University of Testing signed the All of Us DURA',
    sentences: [
      'Dear Ann Lee,',
      'Good news: University of Testing signed the Data Use and Registration Agreement on ' +
        'Tuesday, December 1, 2026, and is now registered for the Registered and Controlled Tiers.',
      'We will send you the steps to register for the Researcher Workbench by ' +
        'Thursday, December 3, 2026, 5:00 PM ET.',
    ],
  },
  'registration-instructions': {
    subject: 'Your next steps to the All of Us Researcher Workbench',
    sentences: [
      'Dear Ann Lee,',
      'With the agreement for University of Testing in place, you can now register for the ' +
        'Researcher Workbench (Registered and Controlled Tiers).',
      '1. Create your Researcher Workbench account',
      'Please use your institutional address (ann@uw.test).\n   https://wb.example/start',
      '2. Turn on 2-step verification',
      '3. Verify your identity with Login.gov (a photo ID is needed; it only confirms that you are you).\n' +
        '   https://id.example/verify',
      '4. Complete the Responsible Conduct of Research training.\n   https://rcr.example/training',
      "5. Sign the Data User Code of Conduct, the program's expectations for researchers.\n" +
        '   https://conduct.example/ducc',
    ],
  },
  cancelled: {
    subject: 'Your All of Us DURA request for University of Testing was cancelled',
    sentences: [
      'Dear Ann Lee,',
      'We have closed the request for a Data Use and Registration Agreement with University of Testing. ' +
        'The reason: The initiation deadline passed.',
      signature,
    ],
  },
  declined: {
    subject: 'University of Testing declined the All of Us DURA',
    sentences: [
      'Dear Ann Lee,',
      'We are sorry to tell you that University of Testing has declined to sign the Data Use and ' +
        'Registration Agreement. The reason given: The initiation deadline passed.',
      signature,
    ],
  },
  'not-needed': {
    subject: 'No new agreement needed for University of Testing',
    sentences: [
      'Dear Ann Lee,',
      'Good news: University of Testing is already registered with the All of Us Research Program for the ' +
        'Registered and Controlled Tiers, so no new agreement is needed.',
      'You can create your Researcher Workbench account now, with your institutional address ' +
        '(ann@uw.test):\nhttps://wb.example/start',
    ],
  },
  'closed-notice': {
    subject: 'Closed: the All of Us DURA for University of Testing',
    sentences: [
      'Dear Sam Signer,',
      'The Data Use and Registration Agreement we sent you on Monday, November 23, 2026, 9:30 AM ET for ' +
        'University of Testing is now closed: the request was cancelled. The reason: The initiation deadline passed.',
      'You do not need to do anything more with it, and we will send no more reminders.',
    ],
  },
};

describe('mailer', function () {
  let smtp: TestSmtp;
  let ledger: MemoryLedger;
  let mailer: Mailer;
  const mailers: Mailer[] = [];
  const dirs: string[] = [];

  /** A folder of templates written from `files` (name → content), removed after the tests. */
  function templates(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'dura-tpl-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return dir;
  }

  function newMailer(
    options: { smtpUrl?: string; outboxDir?: string; agreements?: RecordedAgreements } = {},
  ): Mailer {
    const made = createMailer({
      from: 'All of Us DURA <dura@aou.test>',
      ...roles,
      links,
      ledger,
      outboxDir: '',
      ...options,
    });
    mailers.push(made);
    return made;
  }

  before(async () => {
    smtp = await startSmtp();
  });
  after(async () => {
    await Promise.all(mailers.map((m) => m.close()));
    await smtp.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  beforeEach(() => {
    ledger = new MemoryLedger();
    mailer = newMailer({ smtpUrl: smtp.url });
    smtp.arrived.length = 0;
    smtp.rcptAttempts.length = 0;
    smtp.refuse.clear();
  });

  it('renders and delivers every kind with its recipients, subject, text and HTML', async () => {
    for (const kind of EMAIL_KINDS) {
      const { to, cc = [] } = recipients[kind] ?? { to: [ann] };
      const req = emailRequest(kind, `dura-uw.test/1/${kind}/x`, to, { cc });
      const receipt = await mailer.send(req);
      assert.equal(receipt.state, 'sent', `${kind}: ${receipt.detail}`);
      const { mail, rcptTo } = smtp.arrived.at(-1)!;
      const { subject, sentences } = expected[kind];
      assert.equal(mail.subject, subject, kind);
      assert.deepEqual(addresses(mail.to), to.map(addressOf), kind);
      assert.deepEqual(addresses(mail.cc), cc.map(addressOf), kind);
      assert.deepEqual(rcptTo, [...to, ...cc].map(addressOf), kind);
      assert.equal(mail.messageId, receipt.messageId);
      assert.equal(mail.headers.get('x-dura-kind'), kind);
      const text = (mail.text ?? '').replace(/\r\n/g, '\n');
      for (const sentence of sentences)
        assert.ok(text.includes(sentence), `${kind}: the text lacks ${JSON.stringify(sentence)}:\n${text}`);
      assert.ok(!text.includes('{{') && !text.includes('not yet set'), `${kind}: ${text}`);
      assert.match(String(mail.html), /<p>/, kind);
    }
    assert.equal(smtp.arrived.length, EMAIL_KINDS.length);
    const initiation = smtp.arrived.find((a) => a.mail.headers.get('x-dura-kind') === 'initiation-package')!;
    assert.deepEqual(addresses(initiation.mail.replyTo), [roles.accessTeam]);
    const steps = smtp.arrived.find(
      (a) => a.mail.headers.get('x-dura-kind') === 'registration-instructions',
    )!;
    for (const url of [
      'https://wb.example/start',
      'https://id.example/verify',
      'https://conduct.example/ducc',
      'https://rcr.example/training',
    ])
      assert.ok(String(steps.mail.html).includes(`href="${url}"`), url);
  });

  it('never calls a requester outside the institution\'s domain "institutional" (issue 14, item 7)', async () => {
    const outside: Person = { name: 'Sol Outside', email: 'sol@gmail.com' };
    for (const kind of ['registration-instructions', 'not-needed'] as const) {
      await mailer.send(emailRequest(kind, `outside-${kind}`, [outside]));
      const text = smtp.arrived.at(-1)!.mail.text ?? '';
      assert.ok(!/institutional address/.test(text), `${kind}: ${text}`);
      assert.ok(
        text.includes("an address at uw.test, your institution's domain (sol@gmail.com is not one)"),
        text,
      );
      assert.ok(!String(smtp.arrived.at(-1)!.mail.html).includes('institutional address'), kind);
    }
  });

  it('greets each of several signing officials by name, in their own message', async () => {
    const second = { name: 'Pat Provost', email: 'pat@uw.test' };
    const agreement = sampleAgreement({ signingOfficials: [sampleAgreement().signingOfficial, second] });
    await mailer.send(emailRequest('reminder', 'officials-2', [second], { agreement }));
    assert.match(smtp.arrived.at(-1)!.mail.text ?? '', /^Dear Pat Provost,$/m);
  });

  it('never promises the requester a date already past (a request recovered from a mailbox)', async () => {
    const official = 'Sam Signer (Director of Research)';
    const cases: [string, string, 'auto' | 'manual', string][] = [
      [
        '2099-03-03T22:00:00.000Z',
        'ahead',
        'auto',
        `We will send the agreement to ${official} by Tuesday, March 3, 2099, 5:00 PM ET.`,
      ],
      ['2020-03-03T22:00:00.000Z', 'past-auto', 'auto', `We are sending the agreement to ${official} now.`],
      [
        '2020-03-03T22:00:00.000Z',
        'past-manual',
        'manual',
        `We will send the agreement to ${official} as soon as we can.`,
      ],
    ];
    for (const [initiationDueBy, key, initiation, sentence] of cases) {
      const agreement = sampleAgreement({
        stage: 'awaiting-initiation',
        initiatedAt: null,
        initiationDueBy,
        policy: { ...sampleAgreement().policy, initiation },
      });
      await mailer.send(emailRequest('request-received', key, [ann], { agreement }));
      assert.ok(
        smtp.arrived.at(-1)!.mail.text?.includes(sentence),
        `${key}: ${smtp.arrived.at(-1)!.mail.text}`,
      );
    }
  });

  it('escapes values in HTML and keeps them plain in text', async () => {
    const agreement = sampleAgreement({
      institution: { name: '<script>alert(1)</script> & Co', domain: 'uw.test' },
    });
    await mailer.send(emailRequest('request-received', 'esc', [ann], { agreement }));
    const { mail } = smtp.arrived[0]!;
    assert.ok(String(mail.html).includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co'));
    assert.ok(!String(mail.html).includes('<script>'));
    assert.ok(mail.text?.includes('<script>alert(1)</script> & Co'));
    assert.equal(mail.subject, 'We received your DURA request for <script>alert(1)</script> & Co');
  });

  it('keeps a line break in a value out of the headers', async () => {
    const agreement = sampleAgreement({
      institution: { name: 'Acme\r\nBcc: evil@x.test', domain: 'uw.test' },
    });
    await mailer.send(emailRequest('request-received', 'subject', [ann], { agreement }));
    const { mail, rcptTo } = smtp.arrived[0]!;
    assert.equal(mail.subject, 'We received your DURA request for Acme Bcc: evil@x.test');
    assert.deepEqual(rcptTo, [ann.email]);
    assert.equal(mail.bcc, undefined);
  });

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
