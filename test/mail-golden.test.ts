/**
 * Golden mail: every message kind, rendered from fixed inputs through the real view builders (the
 * digest through orderForDigest too), compared byte for byte with what is on file in test/golden/mail:
 * `<case>.txt` holds the subject line, a blank line and the text body, `<case>.html` the HTML body.
 * A change to what recipients get, even a space, fails here.
 *
 * After a deliberate change to what mail says (a template, a view's wording, how dates read), regenerate
 * the files with one command, then read their diff before committing it:
 *
 *   DURA_REFRESH_GOLDEN=1 npx mocha --no-config --require tsx/cjs --exit --timeout 120000 test/mail-golden.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { orderForDigest } from '../activities/digest';
import type { EmailKind, EmailRequest, MessageKind } from '../activities/interfaces';
import { buildDigestView } from '../activities/mail/digest-view';
import { buildRegistrationReportView } from '../activities/mail/registration-report-view';
import { render, TEMPLATES_DIR } from '../activities/mail/render';
import { personalLink, type StatusLinkSettings } from '../activities/mail/status-links';
import { buildView, type View, type ViewContext } from '../activities/mail/view';
import { DEFAULT_POLICY, type AgreementStatus, type Person } from '../common/agreement';

const GOLDEN_DIR = path.join(__dirname, 'golden', 'mail');
const refresh = process.env.DURA_REFRESH_GOLDEN === '1';

// Fixed inputs, spelled out here rather than borrowed from shared helpers, so that only a change to
// the mail itself moves the golden files. Monday, November 23, 2026, 9:00 AM in New York.
const now = new Date('2026-11-23T14:00:00.000Z');
const ctx = {
  links: {
    workbench: 'https://workbench.example/start',
    identity: 'https://identity.example/verify?step=1&lang=en',
    codeOfConduct: 'https://conduct.example/ducc',
    rcrTraining: 'https://training.example/rcr',
    agreement: 'https://agreement.example/dura',
  },
  accessTeam: 'team@aou.test',
  aouSigningOfficial: 'so@aou.test',
  now,
};
// A fixed key and clock: the same link in every run (HS256 is deterministic). Until Sunday, February 21, 2027.
const statusLinks: StatusLinkSettings = {
  baseUrl: 'https://dura.example/aou',
  days: 90,
  key: () => new Uint8Array(32).fill(7),
};
const ann: Person = { name: 'Ann Lee', email: 'ann@uw.test' };
const sol: Person = { name: 'Sol Outside', email: 'sol@gmail.com' };
const sam = { name: 'Sam Signer', email: 'sam@uw.test', title: 'Director of Research' };
const pat = { name: 'Pat Provost', email: 'pat@uw.test' };

function agreement(overrides: Partial<AgreementStatus> = {}): AgreementStatus {
  return {
    agreementId: 'dura-uw.test',
    institution: { name: 'University of Testing', domain: 'uw.test' },
    kind: 'new',
    stage: 'awaiting-signature',
    tiers: ['registered', 'controlled'],
    requesters: [ann, { name: 'Bo Chen', email: 'bo@uw.test' }],
    signingOfficial: sam,
    policy: DEFAULT_POLICY,
    receivedAt: '2026-11-20T15:00:00.000Z',
    initiationDueBy: '2026-11-24T22:00:00.000Z',
    initiatedAt: '2026-11-23T14:30:00.000Z',
    remindersSent: 1,
    nextReminderAt: '2026-12-07T14:00:00.000Z',
    remindersPausedUntil: null,
    nextStatusUpdateAt: null,
    overdue: false,
    executedAt: '2026-12-01T16:00:00.000Z',
    signedOn: '2026-12-01',
    documentRef: null,
    instructionsDueBy: '2026-12-03T22:00:00.000Z',
    instructionsSentAt: null,
    endedAt: null,
    endReason: null,
    history: [],
    ...overrides,
  };
}

const officialKinds: EmailKind[] = ['initiation-package', 'reminder', 'closed-notice'];

function mail(
  kind: EmailKind,
  s: AgreementStatus = agreement(),
  more: { to?: EmailRequest['to']; extra?: EmailRequest['extra']; stepsDone?: ViewContext['stepsDone'] } = {},
): () => Promise<View> {
  const to =
    more.to ?? (officialKinds.includes(kind) ? [sam] : kind === 'escalation' ? ['access-team'] : [ann]);
  const extra = more.extra ?? { reason: 'The initiation deadline passed.', reminderNumber: 2 };
  const request: EmailRequest = {
    idempotencyKey: `golden/${kind}`,
    kind,
    agreementId: s.agreementId,
    to,
    extra,
  };
  // As the mailer does: the requester's link signed first, then the (synchronous) view.
  return async () =>
    buildView(request, s, {
      ...ctx,
      statusLink: await personalLink(statusLinks, request, s, now),
      stepsDone: more.stepsDone,
    });
}

/** What a registration workflow sends with its messages (workflows/registration.ts). */
const registrationExtra = {
  stepsLeft: 'two-step,rcr-training',
  stepsDone: 'account=2026-12-02,identity=2026-12-03,code-of-conduct=2026-12-03',
  requesterName: 'Ann Lee',
  requesterEmail: 'ann@uw.test',
  nudgesSent: 4,
  instructionsSentAt: '2026-12-02T15:00:00.000Z',
};

/** The open agreements of one digest: each attention, several officials, flagged checks, one tier. */
const digestAgreements: AgreementStatus[] = [
  agreement({
    agreementId: 'dura-late.edu',
    institution: { name: 'Late College', domain: 'late.edu' },
    stage: 'awaiting-initiation',
    receivedAt: '2026-11-18T15:00:00.000Z',
    initiationDueBy: '2026-11-20T22:00:00.000Z',
    initiatedAt: null,
    remindersSent: 0,
    nextReminderAt: null,
    history: [{ at: '2026-11-18T15:00:00.000Z', event: 'requested' }],
  }),
  agreement({
    agreementId: 'dura-ignored.edu',
    institution: { name: 'Ignored Institute', domain: 'ignored.edu' },
    receivedAt: '2026-06-01T15:00:00.000Z',
    remindersSent: 6,
    history: [{ at: '2026-11-16T14:00:00.000Z', event: 'reminder-sent' }],
  }),
  agreement({
    agreementId: 'dura-quiet.edu-2',
    institution: { name: 'Quiet & "Calm" <University>', domain: 'quiet.edu' },
    kind: 'amendment',
    tiers: ['controlled'],
    receivedAt: '2026-09-01T15:00:00.000Z',
    remindersPausedUntil: '2027-01-04T14:00:00.000Z',
    history: [{ at: '2026-10-01T15:00:00.000Z', event: 'reminders-paused' }],
  }),
  agreement({
    agreementId: 'dura-flag.edu',
    institution: { name: 'Flag University', domain: 'flag.edu' },
    receivedAt: '2026-11-19T15:00:00.000Z',
    requesters: [{ name: ' ', email: 'nameless@flag.edu' }, sol],
    signingOfficial: { name: 'Fay Official', email: 'fay@flag.edu' },
    signingOfficials: [{ name: 'Fay Official', email: 'fay@flag.edu' }, pat, sam],
    history: [
      { at: '2026-11-19T15:00:00.000Z', event: 'requested' },
      {
        at: '2026-11-19T15:00:01.000Z',
        event: 'requester-outside-domain',
        detail: 'sol@gmail.com is not at flag.edu',
      },
      { at: '2026-11-19T15:00:02.000Z', event: 'official-named', detail: 'Pat <pat@uw.test> by bo@uw.test' },
    ],
  }),
];

function digest(agreements: AgreementStatus[]): () => View {
  return () =>
    buildDigestView(
      { idempotencyKey: 'golden/digest', asOf: now.toISOString(), entries: orderForDigest(agreements, now) },
      { accessTeam: ctx.accessTeam },
    );
}

/** Each case: a file name (`<kind>` or `<kind>--<variant>`), its kind, and the view to render. */
const cases: { name: string; kind: MessageKind; view: () => View | Promise<View> }[] = [
  { name: 'request-received', kind: 'request-received', view: mail('request-received') },
  {
    // Issue 18: `dura renew` tells the requesters of the agreement it renews; none of them asked.
    name: 'request-received--renewal',
    kind: 'request-received',
    view: mail(
      'request-received',
      agreement({
        agreementId: 'uw.test-2',
        renews: 'uw.test-1',
        stage: 'awaiting-initiation',
        initiatedAt: null,
      }),
    ),
  },
  {
    name: 'request-received--awaiting-initiation',
    kind: 'request-received',
    view: mail('request-received', agreement({ stage: 'awaiting-initiation', initiatedAt: null })),
  },
  {
    // Markup and quotes escaped in HTML, kept in text; a line break in a value kept off the subject line.
    name: 'request-received--escaped',
    kind: 'request-received',
    view: mail(
      'request-received',
      agreement({
        institution: { name: `O'Brien & <Sons>\n"College"`, domain: 'obs.test' },
        signingOfficial: { name: 'Dee <Dean>', email: 'dee@obs.test', title: `Provost's Office` },
      }),
      { to: [{ name: 'Ann & Co', email: 'ann@obs.test' }] },
    ),
  },
  { name: 'initiation-package', kind: 'initiation-package', view: mail('initiation-package') },
  { name: 'reminder', kind: 'reminder', view: mail('reminder') },
  {
    // The second of two officials, without a title, greeted in their own message.
    name: 'reminder--second-official',
    kind: 'reminder',
    view: mail('reminder', agreement({ signingOfficials: [sam, pat], remindersSent: 3 }), {
      to: [pat],
      extra: { reminderNumber: 4 },
    }),
  },
  { name: 'status-update', kind: 'status-update', view: mail('status-update') },
  { name: 'escalation', kind: 'escalation', view: mail('escalation') },
  {
    // The workflow writes its reasons with ISO-8601 UTC instants; the access team reads New York time.
    name: 'escalation--instant-in-reason',
    kind: 'escalation',
    view: mail('escalation', agreement(), {
      extra: { reason: 'Initiation was due by 2026-11-25T22:00:00.000Z and has not happened.' },
    }),
  },
  {
    // Unset dates ("not yet set"), an amendment, one tier, an official without a title, no reason.
    name: 'escalation--unset',
    kind: 'escalation',
    view: mail(
      'escalation',
      agreement({
        kind: 'amendment',
        tiers: ['registered'],
        stage: 'awaiting-initiation',
        signingOfficial: pat,
        requesters: [ann],
        initiatedAt: null,
        remindersSent: 0,
        nextReminderAt: null,
        instructionsDueBy: null,
      }),
      { extra: {} },
    ),
  },
  { name: 'executed', kind: 'executed', view: mail('executed') },
  {
    name: 'registration-instructions',
    kind: 'registration-instructions',
    view: mail('registration-instructions'),
  },
  {
    name: 'registration-instructions--outside-domain',
    kind: 'registration-instructions',
    view: mail('registration-instructions', agreement(), { to: [sol] }),
  },
  {
    // Issue 18: a renewal's requester who did every step for an earlier agreement has nothing to do.
    name: 'registration-instructions--already-registered',
    kind: 'registration-instructions',
    view: mail('registration-instructions', agreement(), {
      stepsDone: {
        account: '2025-01-06',
        'two-step': '2025-01-06',
        identity: '2025-01-08',
        'code-of-conduct': '2025-01-09',
        'rcr-training': '2025-01-13',
      },
    }),
  },
  {
    // … and one who did some of them is told which, with the five steps as ever.
    name: 'registration-instructions--some-done',
    kind: 'registration-instructions',
    view: mail('registration-instructions', agreement(), {
      stepsDone: {
        account: '2025-01-06',
        'two-step': '2025-01-06',
        identity: null,
        'code-of-conduct': null,
        'rcr-training': null,
      },
    }),
  },
  { name: 'cancelled', kind: 'cancelled', view: mail('cancelled') },
  { name: 'cancelled--no-reason', kind: 'cancelled', view: mail('cancelled', agreement(), { extra: {} }) },
  { name: 'declined', kind: 'declined', view: mail('declined') },
  { name: 'not-needed', kind: 'not-needed', view: mail('not-needed') },
  {
    name: 'not-needed--outside-domain',
    kind: 'not-needed',
    view: mail('not-needed', agreement(), { to: [sol] }),
  },
  { name: 'closed-notice', kind: 'closed-notice', view: mail('closed-notice') },
  {
    name: 'closed-notice--declined',
    kind: 'closed-notice',
    view: mail('closed-notice', agreement({ endReason: 'The board said no.' }), {
      extra: { stage: 'declined' },
    }),
  },
  {
    // Two steps left of five, after the instructions of Wednesday, December 2; the status link ends it.
    name: 'registration-nudge',
    kind: 'registration-nudge',
    view: mail('registration-nudge', agreement({ stage: 'completed' }), { extra: registrationExtra }),
  },
  {
    name: 'registration-stalled',
    kind: 'registration-stalled',
    view: mail('registration-stalled', agreement({ stage: 'completed' }), {
      to: ['access-team'],
      extra: { ...registrationExtra, stepsDone: '' },
    }),
  },
  {
    // 60 days before the end date (issue 18), to the signing official (the access team in cc).
    name: 'term-warning',
    kind: 'term-warning',
    view: mail('term-warning', agreement({ stage: 'completed', expiresOn: '2027-12-01' }), {
      to: [sam],
      extra: { daysBefore: 60 },
    }),
  },
  {
    name: 'term-lapsed',
    kind: 'term-lapsed',
    view: mail('term-lapsed', agreement({ stage: 'lapsed', expiresOn: '2027-12-01' }), {
      to: ['access-team'],
      extra: { lapsedOn: '2027-12-02' },
    }),
  },
  { name: 'digest', kind: 'digest', view: digest(digestAgreements) },
  { name: 'digest--one', kind: 'digest', view: digest([agreement()]) },
  { name: 'digest--empty', kind: 'digest', view: digest([]) },
  {
    // Nothing open, one registration stalled (issue 18): it is listed all the same.
    name: 'digest--stalled-registration',
    kind: 'digest',
    view: () =>
      buildDigestView(
        {
          idempotencyKey: 'golden/digest',
          asOf: now.toISOString(),
          entries: [],
          stalledRegistrations: [
            {
              registrationId: 'dura-uw.test-registration-2-1',
              agreementId: 'uw.test-2',
              institution: { name: 'University of Testing', domain: 'uw.test' },
              requester: ann,
              instructionsSentAt: '2026-10-13T14:00:00.000Z',
              steps: {
                account: '2026-10-14',
                'two-step': '2026-10-14',
                identity: null,
                'code-of-conduct': null,
                'rcr-training': null,
              },
              nudgesSent: 4,
              nextNudgeAt: null,
              escalatedAt: '2026-11-17T14:00:00.000Z',
              completedAt: null,
            },
          ],
        },
        { accessTeam: ctx.accessTeam },
      ),
  },
  {
    // Issue 18: a researcher fully registered, one stalled and one under way; the name escaped in HTML.
    name: 'registration-report',
    kind: 'registration-report',
    view: () => {
      const registration = (requester: Person, done: number, more: object = {}) => ({
        registrationId: `dura-uw.test-registration-2-${requester.email}`,
        agreementId: 'uw.test-2',
        institution: { name: 'University of <Testing>', domain: 'uw.test' },
        requester,
        instructionsSentAt: '2026-10-13T14:00:00.000Z',
        steps: {
          account: done > 0 ? '2026-10-14' : null,
          'two-step': done > 1 ? '2026-10-14' : null,
          identity: done > 2 ? '2026-10-20' : null,
          'code-of-conduct': done > 3 ? '2026-10-21' : null,
          'rcr-training': done > 4 ? '2026-11-02' : null,
        },
        nudgesSent: 0,
        nextNudgeAt: null,
        escalatedAt: null,
        completedAt: null,
        ...more,
      });
      return buildRegistrationReportView(
        {
          idempotencyKey: 'golden/registration-report',
          month: '2026-11',
          asOf: now.toISOString(),
          institution: { name: 'University of <Testing>', domain: 'uw.test' },
          contact: 'research@uw.test',
          registrations: [
            registration({ name: 'Bo Chen', email: 'bo@uw.test' }, 1),
            registration(ann, 5, { completedAt: '2026-11-02T20:00:00.000Z' }),
            registration(sol, 2, { nudgesSent: 4, escalatedAt: '2026-11-17T14:00:00.000Z' }),
          ],
        },
        { accessTeam: ctx.accessTeam },
      );
    },
  },
];

/** What is on file for a case: `Subject: …`, a blank line, the text; and the HTML. */
function files(name: string): { txt: string; html: string } {
  return { txt: path.join(GOLDEN_DIR, `${name}.txt`), html: path.join(GOLDEN_DIR, `${name}.html`) };
}

describe('mail, golden', function () {
  before(() => {
    if (refresh) mkdirSync(GOLDEN_DIR, { recursive: true });
  });

  for (const { name, kind, view } of cases) {
    it(`${name}: subject, text and HTML as on file`, async () => {
      const { subject, text, html } = render(kind, await view());
      const rendered = { txt: `Subject: ${subject}\n\n${text}`, html };
      const file = files(name);
      if (refresh) {
        writeFileSync(file.txt, rendered.txt);
        writeFileSync(file.html, rendered.html);
        return;
      }
      assert.ok(existsSync(file.txt), `${file.txt} is missing: run with DURA_REFRESH_GOLDEN=1 (see the top)`);
      assert.equal(rendered.txt, readFileSync(file.txt, 'utf8'), `${name}.txt`);
      assert.equal(rendered.html, readFileSync(file.html, 'utf8'), `${name}.html`);
    });
  }

  it('covers every template, and has no file without a case', () => {
    const kinds = readdirSync(TEMPLATES_DIR)
      .filter((f) => f.endsWith('.txt') && !f.startsWith('_')) // `_name.txt`: a part several kinds share
      .map((f) => f.slice(0, -'.txt'.length));
    assert.deepEqual([...new Set(cases.map((c) => c.kind))].sort(), kinds.sort());
    const expected = cases.flatMap(({ name }) => [`${name}.html`, `${name}.txt`]).sort();
    // A refresh leaves no file of a case removed since behind.
    if (refresh)
      for (const stale of readdirSync(GOLDEN_DIR).filter((f) => !expected.includes(f)))
        rmSync(path.join(GOLDEN_DIR, stale));
    assert.deepEqual(readdirSync(GOLDEN_DIR).sort(), expected);
  });
});
