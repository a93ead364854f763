// The automated schedule: `dura schedule …` as a subprocess against the CLI dev server, a real worker,
// SQLite and an SMTP sink; and the digest's order and wording without a server.
import { strict as assert } from 'node:assert';
import { orderForDigest } from '../activities/digest';
import { buildDigestView } from '../activities/mail/digest-view';
import { render } from '../activities/mail/render';
import type { AgreementStatus } from '../common/agreement';
import { dura as runDura } from './helpers/cli';
import { saveHistory } from './helpers/agreements';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { devServerEnv } from './helpers/env';
import { addresses } from './helpers/mail';
import { sampleAgreement } from './helpers/samples';

const NEW_YORK = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  weekday: 'long',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

for (const database of TEST_DATABASES)
  describe(`the automated schedule on the dev server, records on ${database}`, function () {
    const engine = realEngine(devServerEnv, {}, database);
    const dura = (...args: string[]) => runDura(args, engine.cliEnv);
    const json = async (...args: string[]) => {
      const result = await dura(...args, '--json');
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout);
    };
    const digests = () => engine.smtp.arrived.filter((a) => a.mail.headers.get('x-dura-kind') === 'digest');

    it('is created once by `ensure`; `show` says Monday 09:00 America/New_York', async () => {
      const missing = await dura('schedule', 'show');
      assert.equal(missing.status, 1, missing.stderr);
      assert.match(missing.stderr, /^dura: no schedule dura-digest: run `dura schedule ensure` first\n$/);

      assert.deepEqual(await json('schedule', 'ensure'), {
        scheduleId: 'dura-digest',
        outcome: 'created',
        paused: false,
      });
      assert.equal((await json('schedule', 'ensure')).outcome, 'unchanged');

      const [shown, text] = await Promise.all([json('schedule', 'show'), dura('schedule', 'show')]);
      assert.equal(shown.schedule, 'every Monday at 09:00 America/New_York');
      assert.equal(shown.timezone, 'America/New_York');
      assert.equal(shown.paused, false);
      assert.equal(shown.workflowType, 'digestWorkflow');
      assert.equal(shown.taskQueue, engine.queue);
      assert.equal(shown.overlap, 'SKIP');
      assert.ok(shown.nextRuns.length > 0);
      for (const run of shown.nextRuns) {
        // Monday 09:00 on New York's clock, whether it is EST or EDT that week.
        assert.equal(NEW_YORK.format(new Date(run.utc)), 'Monday 09:00', run.utc);
        assert.match(run.newYork, /^\d{4}-\d\d-\d\dT09:00:00-0[45]:00$/);
        assert.equal(new Date(run.newYork).toISOString(), run.utc);
      }
      assert.ok(Date.parse(shown.nextRuns[0].utc) - Date.now() <= 7 * 24 * 3600_000);

      assert.match(text.stdout, /^dura-digest: every Monday at 09:00 America\/New_York; active\n/);
      assert.match(
        text.stdout,
        /Next runs:\n {2}Monday, [A-Z][a-z]+ \d{1,2}, \d{4}, 9:00 AM ET \(1[34]:00 UTC\)/,
      );
    });

    it('pause and resume show in `show`; `ensure` repairs a changed schedule and keeps the pause', async () => {
      const paused = await json('schedule', 'pause', '--note', 'team offsite');
      assert.deepEqual(paused, { scheduleId: 'dura-digest', paused: true, note: 'team offsite' });
      const [pausedView, pausedText] = await Promise.all([
        json('schedule', 'show'),
        dura('schedule', 'show'),
      ]);
      assert.equal(pausedView.paused, true);
      assert.equal(pausedView.note, 'team offsite');
      assert.deepEqual(pausedView.nextRuns, []);
      assert.match(pausedText.stdout, /; PAUSED \(team offsite\)\n/);

      // Someone moved it to Tuesday 10:00 by hand: ensure brings it back, still paused.
      await engine.env.client.schedule.getHandle('dura-digest').update((previous) => ({
        ...previous,
        spec: { calendars: [{ dayOfWeek: 'TUESDAY', hour: 10 }], timezone: 'America/New_York' },
      }));
      assert.equal((await json('schedule', 'show')).schedule, 'every Tuesday at 10:00 America/New_York');
      assert.deepEqual(await json('schedule', 'ensure'), {
        scheduleId: 'dura-digest',
        outcome: 'updated',
        paused: true,
      });
      let shown = await json('schedule', 'show');
      assert.equal(shown.schedule, 'every Monday at 09:00 America/New_York');
      assert.equal(shown.paused, true);

      assert.equal((await json('schedule', 'resume')).paused, false);
      shown = await json('schedule', 'show');
      assert.equal(shown.paused, false);
      assert.ok(shown.nextRuns.length > 0);
      // Again: nothing changed, and it says so (a trial read "resumed" twice).
      assert.deepEqual(await json('schedule', 'resume'), {
        scheduleId: 'dura-digest',
        paused: false,
        changed: false,
      });
    });

    it('the schedule exists and one triggered run sends one digest, overdue first', async () => {
      // Two officials' addresses the digest should keep in sight: a typo's top-level domain, and webmail.
      const officialOf = (domain: string) =>
        ({ 'old-auto.edu': 'osp@old-auto.eud', 'fresh-auto.edu': 'sam.signer@gmail.com' })[domain] ??
        `osp@${domain}`;
      const request = async (domain: string, ...extra: string[]) => {
        const result = await dura(
          'request',
          ...['--institution-name', `University of ${domain}`, '--domain', domain],
          ...['--requester-name', 'Ada Researcher', '--requester-email', `ada@${domain}`],
          ...[
            '--official-name',
            'Sam Signer',
            '--official-email',
            officialOf(domain),
            '--tier',
            'registered',
          ],
          ...extra,
        );
        assert.equal(result.status, 0, result.stderr);
      };
      const hoursAgo = (n: number) => new Date(Date.now() - n * 3600_000).toISOString();
      await Promise.all([
        // Received in 2019 and initiated at once: open, on track, the oldest of all.
        request('old-auto.edu', '--received-at', '2019-03-04T15:00:00Z'),
        // Received in 2020, left for manual initiation: its two business days passed long ago.
        request('late-manual.edu', '--received-at', '2020-01-06T15:00:00Z', '--initiation', 'manual'),
        request('fresh-auto.edu', '--received-at', hoursAgo(2)),
        request('waiting-manual.edu', '--received-at', hoursAgo(1), '--initiation', 'manual'),
        request('gone.edu').then(async () => {
          const cancelled = await dura('cancel', 'gone.edu', '--reason', 'requester left');
          assert.equal(cancelled.status, 0, cancelled.stderr);
        }),
      ]);
      // The digest reads the records: wait until every workflow has written where it stands.
      const expected: Record<string, (s: AgreementStatus) => boolean> = {
        'dura-old-auto.edu': (s) => s.stage === 'awaiting-signature',
        'dura-late-manual.edu': (s) => s.overdue,
        'dura-fresh-auto.edu': (s) => s.stage === 'awaiting-signature',
        'dura-waiting-manual.edu': (s) => s.initiationDueBy !== null,
        'dura-gone.edu': (s) => s.stage === 'cancelled',
      };
      await until(async () => {
        for (const [id, ready] of Object.entries(expected)) {
          const status = await engine.dura.store.agreementStatus(id);
          if (!status || !ready(status)) return false;
        }
        return true;
      });

      // A message of waiting-manual.edu-1's that its recipient's server has deferred for two hours (as the
      // mailer leaves it in the ledger while the activity retries).
      const deferred = 'test/waiting-manual.edu-1/reminder/1';
      await engine.dura.store.begin(
        {
          idempotencyKey: deferred,
          messageId: '<deferred@dura>',
          kind: 'reminder',
          agreementId: 'waiting-manual.edu-1',
          recipients: ['osp@waiting-manual.edu'],
        },
        new Date(Date.now() - 2 * 3600_000),
      );
      await engine.dura.store.markFailed(
        deferred,
        new Date(),
        'the mail server x:25 deferred the message (451 later)',
      );

      const triggered = await dura('schedule', 'trigger');
      assert.equal(triggered.status, 0, triggered.stderr);
      assert.match(
        triggered.stdout,
        /^triggered: the digest goes to access-team@dura\.localhost in a moment, and the institutions' registration reports for this month with it where they have not gone yet\n$/,
      );
      await until(() => digests().length > 0);

      const [digest] = digests();
      const { mail } = digest!;
      assert.deepEqual(addresses(mail.to), ['access-team@dura.localhost']);
      assert.equal(mail.subject, '[DURA] Weekly digest: 4 open agreements: 1 overdue, 1 stalled');
      const listed = [...(mail.text ?? '').matchAll(/^\d+\. \[(\w+)\] .* \(([^)]+\.edu-\d+)\)$/gm)].map(
        (m) => `${m[1]} ${m[2]}`,
      );
      assert.deepEqual(listed, [
        'OVERDUE late-manual.edu-1',
        'STALLED waiting-manual.edu-1',
        'open old-auto.edu-1',
        'open fresh-auto.edu-1',
      ]);
      assert.match(mail.text ?? '', /Initiation was due by Wednesday, January 8, 2020, 5:00 PM ET\./);
      assert.match(
        mail.text ?? '',
        /Its reminder message to osp@waiting-manual\.edu has waited since \w+day, .* \(1 attempt; the last: the mail server x:25 deferred the message \(451 later\)\); dura keeps trying\./,
      );
      assert.match(String(mail.html), /<strong>OVERDUE<\/strong>/);
      // Each under its own agreement (an item's lines run to the next numbered one).
      const items = (mail.text ?? '').split(/\n(?=\d+\. )/);
      const of = (id: string) => items.find((text) => text.split('\n')[0]!.endsWith(`(${id})`)) ?? '';
      assert.match(
        of('old-auto.edu-1'),
        /Check: a signing official's address is at no top-level domain: osp@old-auto\.eud \(\.eud\)/,
      );
      assert.match(
        of('fresh-auto.edu-1'),
        /Check: a signing official's address is not at the institution's domains: sam\.signer@gmail\.com \(fresh-auto\.edu\)/,
      );
      assert.doesNotMatch(of('late-manual.edu-1'), /signing official's address/);

      // One run, one digest: nothing more arrives, and the run is on record as completed.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(digests().length, 1);
      const sent = await engine.dura.store.emails({ kind: 'digest' });
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.state, 'sent');
      await until(async () => (await json('schedule', 'show')).recentRuns.at(-1)?.status === 'COMPLETED');
      const { recentRuns } = await json('schedule', 'show');
      assert.equal(recentRuns.length, 1);
      assert.match(recentRuns[0].workflowId, /^dura-digest-/);
      await saveHistory(engine.env, recentRuns[0].workflowId, 'digest', database);
    });

    it('every command has --help with an example; an unreachable Temporal exits 2', async () => {
      const commands = ['ensure', 'show', 'pause', 'resume', 'trigger'];
      const helps = await Promise.all(commands.map((command) => dura('schedule', command, '--help')));
      helps.forEach((help, i) => {
        assert.equal(help.status, 0, help.stderr);
        assert.match(help.stdout, new RegExp(`--json[\\s\\S]*Example:\\n {2}dura schedule ${commands[i]}`));
      });
      const down = await runDura(['schedule', 'ensure'], {
        ...engine.cliEnv,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      });
      assert.equal(down.status, 2);
      assert.match(down.stderr, /^dura: cannot reach Temporal at 127\.0\.0\.1:1/);
    });
  });

describe('the digest, without a server', function () {
  const now = new Date('2026-11-23T14:00:00Z');
  const agreement = (id: string, overrides: Partial<AgreementStatus>) =>
    sampleAgreement({
      agreementId: `dura-${id}`,
      institution: { name: id, domain: id },
      executedAt: null,
      signedOn: null,
      instructionsDueBy: null,
      history: [{ at: '2026-11-20T15:00:00.000Z', event: 'reminder-sent' }],
      ...overrides,
    });

  it('orders overdue, then stalled, then the rest, oldest request first in each', () => {
    const entries = orderForDigest(
      [
        agreement('on-track.edu', { receivedAt: '2026-01-05T15:00:00Z' }),
        agreement('quiet.edu', {
          receivedAt: '2026-09-01T15:00:00Z',
          history: [{ at: '2026-10-01T15:00:00Z', event: 'reminders-paused' }],
        }),
        agreement('late.edu', {
          stage: 'awaiting-initiation',
          initiatedAt: null,
          receivedAt: '2026-11-18T15:00:00Z',
          initiationDueBy: '2026-11-20T22:00:00Z',
        }),
        agreement('ignored.edu', { receivedAt: '2026-06-01T15:00:00Z', remindersSent: 6 }),
        agreement('flagged.edu', { receivedAt: '2026-11-19T15:00:00Z', overdue: true }),
        agreement('newer.edu', { receivedAt: '2026-11-02T15:00:00Z', remindersSent: 5 }),
      ],
      now,
    );
    assert.deepEqual(
      entries.map((e) => `${e.attention} ${e.agreement.agreementId}`),
      [
        'overdue dura-late.edu',
        'overdue dura-flagged.edu',
        'stalled dura-ignored.edu',
        'stalled dura-quiet.edu',
        'open dura-on-track.edu',
        'open dura-newer.edu',
      ],
    );
    assert.match(entries[2]!.why!, /^6 reminders to the signing official unanswered since initiation/);
    assert.match(entries[3]!.why!, /^Nothing has happened since Thursday, October 1, 2026/);
    assert.equal(entries[4]!.why, null);
  });

  it('says "nothing open" when nothing is, and escapes what it lists in HTML', () => {
    const empty = render(
      'digest',
      buildDigestView(
        { idempotencyKey: 'k', asOf: now.toISOString(), entries: [] },
        { accessTeam: 'team@aou.test' },
      ),
    );
    assert.equal(empty.subject, '[DURA] Weekly digest: nothing open');
    assert.match(empty.text, /No agreement is open as of Monday, November 23, 2026, 9:00 AM ET/);
    assert.ok(!empty.html.includes('<table'));

    const odd = agreement('odd.edu', {
      institution: { name: '<b>{{digest.summary}}</b>', domain: 'odd.edu' },
    });
    const view = buildDigestView(
      { idempotencyKey: 'k', asOf: now.toISOString(), entries: orderForDigest([odd], now) },
      { accessTeam: 'team@aou.test' },
    );
    const one = render('digest', view);
    assert.equal(one.subject, '[DURA] Weekly digest: 1 open agreement');
    assert.ok(one.html.includes('&lt;b&gt;{{digest.summary}}&lt;/b&gt;'));
    assert.ok(one.text.includes('1. [open] <b>{{digest.summary}}</b> (dura-odd.edu)'));

    // A renewal (its kind is new) is named as one, as its own mail names it (a trial).
    const renewal = agreement('renew.edu', { agreementId: 'renew.edu-2', renews: 'renew.edu-1' });
    const renewed = render(
      'digest',
      buildDigestView(
        { idempotencyKey: 'k', asOf: now.toISOString(), entries: orderForDigest([renewal], now) },
        { accessTeam: 'team@aou.test' },
      ),
    );
    assert.match(renewed.text, /\(renewal of renew\.edu-1, /);
  });

  it('lists what triage or a joining request flagged, under the agreement, in text and HTML', () => {
    const flagged = agreement('flag.edu', {
      agreementId: 'flag.edu-2',
      requesters: [
        { name: 'Bo', email: 'bo@flag.edu' },
        { name: 'Sol Outside', email: 'sol@gmail.com' },
      ],
      signingOfficials: [
        { name: 'Sam Signer', email: 'sam@flag.edu' },
        { name: 'Pat Provost', email: 'pat@flag.edu' },
      ],
      history: [
        { at: '2026-11-20T15:00:00.000Z', event: 'requested' },
        {
          at: '2026-11-20T15:00:01.000Z',
          event: 'requester-outside-domain',
          detail: 'sol@gmail.com is not at flag.edu',
        },
        {
          at: '2026-11-20T15:00:02.000Z',
          event: 'official-named',
          detail: 'Pat <pat.p@flag.edu> by bo@flag.edu',
        },
        // The same request joined again (a file imported twice): its check once.
        {
          at: '2026-11-21T15:00:02.000Z',
          event: 'official-named',
          detail: 'Pat <pat.p@flag.edu> by bo@flag.edu',
        },
        // Settled since: the official named is one of its officials now (`set-official --add`).
        {
          at: '2026-11-20T15:00:02.500Z',
          event: 'official-named',
          detail: 'Pat Provost <pat@flag.edu> by bo@flag.edu',
        },
        // Flagged, then taken off with remove-requester: nothing left to check.
        {
          at: '2026-11-20T15:00:03.000Z',
          event: 'requester-outside-domain',
          detail: 'ben@flag.eud is not at flag.edu',
        },
        { at: '2026-11-20T15:00:04.000Z', event: 'requester-removed', detail: 'ben@flag.eud' },
      ],
    });
    const view = buildDigestView(
      { idempotencyKey: 'k', asOf: now.toISOString(), entries: orderForDigest([flagged], now) },
      { accessTeam: 'team@aou.test' },
    );
    const { text, html } = render('digest', view);
    assert.ok(
      text.includes(
        "   Check: a requester's address is not at the institution's domains: sol@gmail.com is not at flag.edu\n",
      ),
      text,
    );
    const named = text.split('\n').filter((line) => line.includes('named another signing official'));
    assert.deepEqual(named, [
      '   Check: a joining request named another signing official: Pat <pat.p@flag.edu> by bo@flag.edu',
    ]);
    assert.ok(text.includes('   Details: dura status flag.edu-2\n'), text);
    assert.ok(!text.includes('ben@flag.eud'), text);
    assert.match(text, /Signing officials: .* <.*>, Pat Provost <pat@flag\.edu>; reminders sent/);
    assert.ok(html.includes('<br />Pat Provost &lt;pat@flag.edu&gt;'), html);
    assert.ok(
      html.includes(
        '<strong>Check:</strong> a joining request named another signing official: Pat &lt;pat.p@flag.edu&gt;',
      ),
    );
  });

  it('leaves out what the list has since settled: a likely parent once the domain is added, a requester now at a listed domain', () => {
    const student = agreement('etu.mont.edu', {
      requesters: [{ name: 'Luc', email: 'luc@etu.mont.edu' }],
      history: [
        {
          at: '2026-11-20T15:00:01.000Z',
          event: 'likely-parent',
          detail: 'etu.mont.edu is not listed, but mont.edu (Mont) is',
        },
        {
          at: '2026-11-20T15:00:02.000Z',
          event: 'requester-outside-domain',
          detail: 'eve@mont.edu is not at etu.mont.edu',
        },
      ],
    });
    student.requesters.push({ name: 'Eve', email: 'eve@mont.edu' });
    const checks = (listedDomains?: string[]) =>
      render(
        'digest',
        buildDigestView(
          {
            idempotencyKey: 'k',
            asOf: now.toISOString(),
            entries: orderForDigest([student], now).map((e) => ({
              ...e,
              ...(listedDomains ? { listedDomains } : {}),
            })),
          },
          { accessTeam: 'team@aou.test' },
        ),
      )
        .text.split('\n')
        .filter((line) => line.includes('Check:'));
    assert.equal(checks().length, 2, 'not listed: both asked');
    // `dura institutions add-domain mont.edu etu.mont.edu`: both settled.
    assert.deepEqual(checks(['mont.edu', 'etu.mont.edu']), []);
  });

  it('tells two requesters of one name apart by their addresses', () => {
    const namesakes = agreement('twin.edu', {
      requesters: [
        { name: 'Mae Jemison', email: 'mae@twin.edu' },
        { name: 'Mae Jemison', email: 'mjemison@twin.edu' },
        { name: 'Bo', email: 'bo@twin.edu' },
      ],
    });
    const { text } = render(
      'digest',
      buildDigestView(
        { idempotencyKey: 'k', asOf: now.toISOString(), entries: orderForDigest([namesakes], now) },
        { accessTeam: 'team@aou.test' },
      ),
    );
    assert.match(text, /Requesters: Mae Jemison <mae@twin\.edu>, Mae Jemison <mjemison@twin\.edu> and Bo\n/);
  });
});

async function until(check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
