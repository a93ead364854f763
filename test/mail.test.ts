/**
 * What the mailer's messages say, over real SMTP (an in-process smtp-server on 127.0.0.1) and read back
 * with mailparser: every kind with its recipients, subject, text and HTML, the sentences that depend on
 * the agreement, and values escaped in HTML and kept out of the headers. Refusals, idempotency, SMTP down
 * and the outbox: mail-delivery.test.ts.
 */
import assert from 'node:assert/strict';
import { EMAIL_KINDS, type EmailKind, type EmailRequest, type Recipient } from '../activities/interfaces';
import type { Mailer } from '../activities/mail/mailer';
import type { Person } from '../common/agreement';
import { addresses, emailRequest, type TestSmtp } from './helpers/mail';
import { ann, mailerFixture, official, roles } from './helpers/mailer-fixture';
import { sampleAgreement } from './helpers/samples';

// Who gets what: the signing official, the access team, or (every other kind) the requester.
const recipients: Partial<Record<EmailKind, Pick<EmailRequest, 'to' | 'cc'>>> = {
  'initiation-package': { to: [official], cc: ['aou-signing-official'] },
  reminder: { to: [official] },
  escalation: { to: ['access-team'] },
  'closed-notice': { to: [official] },
  'registration-stalled': { to: ['access-team'] },
  'term-warning': { to: [official], cc: ['access-team'] },
  'term-lapsed': { to: ['access-team'] },
};
/** The values a registration workflow sends with its messages (workflows/registration.ts). */
const registrationExtra = {
  stepsLeft: 'identity,rcr-training',
  stepsDone: 'account=2026-12-02,two-step=2026-12-02,code-of-conduct=2026-12-03',
  requesterName: 'Ann Lee',
  requesterEmail: 'ann@uw.test',
  nudgesSent: 4,
  instructionsSentAt: '2026-12-02T15:00:00.000Z',
};
const extras: Partial<Record<EmailKind, EmailRequest['extra']>> = {
  'registration-nudge': registrationExtra,
  'registration-stalled': registrationExtra,
  'term-warning': { daysBefore: 60 },
  'term-lapsed': { lapsedOn: '2027-12-02' },
};
/** An agreement with an end date (issue 18), for the term's messages (workflows/term.ts). */
const withTerm = sampleAgreement({ expiresOn: '2027-12-01' });
const agreements: Partial<Record<EmailKind, EmailRequest['agreement']>> = {
  'term-warning': withTerm,
  'term-lapsed': withTerm,
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
    subject:
      'Data Use and Registration Agreement for University of Testing (All of Us Research Program, ref. dura-uw.test)',
    sentences: [
      'Dear Sam Signer,',
      'Ann Lee and Bo Chen at University of Testing would like to use All of Us data ' +
        '(Registered and Controlled Tiers) on the Researcher Workbench.',
      'we understand that you sign such agreements for University of Testing.',
      'You will find the agreement and its documentation here:\nhttps://agreement.example/dura',
      // Two agreements of one institution told apart (a trial: a typo's twin, then its closed notice).
      'Our reference for it is dura-uw.test (e-mail domain uw.test); please keep it in your reply.',
      'reply to this message with the signed agreement.',
    ],
  },
  reminder: {
    subject: 'Reminder: the All of Us DURA for University of Testing (ref. dura-uw.test) awaits signature',
    sentences: [
      'Dear Sam Signer,',
      'A friendly follow-up (reminder 2) on the Data Use and Registration Agreement (ref. dura-uw.test, e-mail domain uw.test) we sent you on ' +
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
      'A separate message, sent with this one, gives you the steps to register for the Researcher ' +
        'Workbench. If it has not reached you by Thursday, December 3, 2026, 5:00 PM ET, reply to this message.',
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
  'registration-nudge': {
    subject: 'Your Researcher Workbench registration: two steps to go',
    sentences: [
      'Dear Ann Lee,',
      'On Wednesday, December 2, 2026, 10:00 AM ET we sent you the steps to register for the All of Us ' +
        'Researcher Workbench (Registered and Controlled Tiers), now that the agreement with University of ' +
        'Testing is in place. As far as we know, these are still to do:\n\n' +
        '- identity verification: https://id.example/verify\n' +
        '- Responsible Conduct of Research training: https://rcr.example/training\n\n',
      'Please use your institutional address (ann@uw.test).',
    ],
  },
  'registration-stalled': {
    subject: '[DURA] Registration stalled: Ann Lee at University of Testing (dura-uw.test)',
    sentences: [
      'Ann Lee <ann@uw.test> was sent the registration instructions for the agreement dura-uw.test with ' +
        'University of Testing on Wednesday, December 2, 2026, 10:00 AM ET. After 4 reminders, these steps ' +
        'are still not done:\n\n- identity verification\n- Responsible Conduct of Research training\n\n',
      'Done so far: Researcher Workbench account (Wednesday, December 2, 2026); 2-step verification ' +
        '(Wednesday, December 2, 2026); Data User Code of Conduct (Thursday, December 3, 2026)',
      'dura registration record ann@uw.test --step <step>',
    ],
  },
  'term-warning': {
    subject: 'The All of Us DURA for University of Testing ends on Wednesday, December 1, 2027',
    sentences: [
      'Dear Sam Signer,',
      'The Data Use and Registration Agreement between the All of Us Research Program and University of ' +
        'Testing (dura-uw.test, Registered and Controlled Tiers), signed on Tuesday, December 1, 2026, ends on ' +
        'Wednesday, December 1, 2027: in 60 days.',
      'To renew it, reply to this message',
      'dura renew dura-uw.test',
    ],
  },
  'term-lapsed': {
    subject: '[DURA] Lapsed: University of Testing (dura-uw.test)',
    sentences: [
      'Hello access team,',
      'The agreement dura-uw.test with University of Testing ended on Wednesday, December 1, 2027 and was not ' +
        'renewed. Its Registered and Controlled Tiers are now marked lapsed on the Registered Institutions ' +
        'list (since Thursday, December 2, 2027)',
      'To renew it: dura renew dura-uw.test',
    ],
  },
  'closed-notice': {
    subject: 'Closed: the All of Us DURA for University of Testing (ref. dura-uw.test)',
    sentences: [
      'Dear Sam Signer,',
      'The Data Use and Registration Agreement we sent you on Monday, November 23, 2026, 9:30 AM ET for ' +
        'University of Testing (our reference dura-uw.test, e-mail domain uw.test) is now closed: the request was cancelled.',
      'You do not need to do anything more with it, and we will send no more reminders.',
    ],
  },
};

describe('mailer', function () {
  const fixture = mailerFixture();
  let smtp: TestSmtp;
  let mailer: Mailer;
  beforeEach(() => ({ smtp, mailer } = fixture));

  it('renders and delivers every kind with its recipients, subject, text and HTML', async () => {
    for (const kind of EMAIL_KINDS) {
      const { to, cc = [] } = recipients[kind] ?? { to: [ann] };
      const extra = extras[kind] ? { extra: extras[kind] } : {};
      const agreement = agreements[kind] ? { agreement: agreements[kind] } : {};
      const req = emailRequest(kind, `dura-uw.test/1/${kind}/x`, to, { cc, ...extra, ...agreement });
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
    // The reason is the access team's words for the requesters: the officials' notice never carries it.
    const notice = smtp.arrived.find((a) => a.mail.headers.get('x-dura-kind') === 'closed-notice')!;
    for (const body of [notice.mail.text, String(notice.mail.html)])
      assert.ok(!String(body).includes('The initiation deadline passed'), String(body));
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

  it('tells a requester of every official, and of a pause in the follow-ups', async () => {
    const second = { name: 'Pat Provost', email: 'pat@uw.test' };
    const agreement = sampleAgreement({
      signingOfficials: [sampleAgreement().signingOfficial, second],
      remindersPausedUntil: '2099-01-05T14:00:00.000Z',
    });
    await mailer.send(emailRequest('status-update', 'officials-paused', [ann], { agreement }));
    assert.ok(
      (smtp.arrived.at(-1)!.mail.text ?? '').includes(
        'We sent the agreement to Sam Signer (Director of Research) and Pat Provost on Monday, November 23, ' +
          '2026, 9:30 AM ET. Our follow-ups with them are paused until Monday, January 5, 2099, 9:00 AM ET, ' +
          'then every 14 days until it is signed.',
      ),
      smtp.arrived.at(-1)!.mail.text,
    );
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
});
