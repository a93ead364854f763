/**
 * New York time in words where people read it (issue 15): the status, history and schedule text views,
 * the echo of a flag's value, dates in requests and CSV rows, and the execute validator's receipt check.
 * Weekdays checked with `date -d`; 17:00 EST = 22:00Z, 09:00 EST = 14:00Z.
 */
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { calendarTable } from '../common/calendar';
import { checkRequest } from '../common/request';
import { parseRequestCsv } from '../common/request-csv';
import { echoedWhen, historyView, statusView } from '../client/format';
import { runTime, runTimeText } from '../client/schedule-view';
import { statusView as statusPage } from '../web/status-view';
import { noStepsDone } from '../common/registration';
import { signedSinceReceipt } from '../workflows/guards';
import { sampleAgreement } from './helpers/samples';

describe('New York time in words (text views, echoes, requests)', () => {
  afterEach(() => sinon.restore());

  it('status: every instant in words with ET, the signing date as a date', () => {
    const view = statusView(sampleAgreement());
    for (const line of [
      /Received\s+Friday, November 20, 2026, 10:00 AM ET\n/,
      /Initiation due by\s+Tuesday, November 24, 2026, 5:00 PM ET\n/,
      /Initiated\s+Monday, November 23, 2026, 9:30 AM ET\n/,
      /Next reminder\s+Monday, December 7, 2026, 9:00 AM ET\n/,
      /Executed\s+Tuesday, December 1, 2026, 11:00 AM ET \(signed Tuesday, December 1, 2026\)\n/,
      /Instructions due by\s+Thursday, December 3, 2026, 5:00 PM ET\n/,
      /Instructions sent\s+-\n/,
    ])
      assert.match(view, line);
    assert.doesNotMatch(view, /America\/New_York|\d{4}-\d\d-\d\dT/);
    const paused = statusView(sampleAgreement({ remindersPausedUntil: '2027-01-04T14:00:00.000Z' }));
    assert.match(paused, /Next reminder\s+paused until Monday, January 4, 2027, 9:00 AM ET\n/);
    // A short pause before the reminder is due: both, the reminder first.
    const short = statusView(sampleAgreement({ remindersPausedUntil: '2026-12-04T14:00:00.000Z' }));
    assert.match(
      short,
      /Next reminder\s+Monday, December 7, 2026, 9:00 AM ET \(paused until Friday, December 4, 2026, 9:00 AM ET\)\n/,
    );
    assert.doesNotMatch(view, /In force until|Renews/, 'no term, no renewal: no line');
    // A term (issue 18): its last day, and how it ended; a renewal names what it renews.
    const renewed = statusView(sampleAgreement({ expiresOn: '2029-11-30', renewedBy: 'uw.test-3' }));
    assert.match(renewed, /In force until\s+Friday, November 30, 2029 \(renewed by uw\.test-3\)\n/);
    const lapsed = statusView(sampleAgreement({ expiresOn: '2029-11-30', lapsedOn: '2029-12-01' }));
    assert.match(
      lapsed,
      /In force until\s+Friday, November 30, 2029 \(lapsed on Saturday, December 1, 2029\)\n/,
    );
    assert.match(statusView(sampleAgreement({ renews: 'uw.test-1' })), /Renews\s+uw\.test-1\n/);
    // A receipt typed as a date (a spreadsheet's received_at) is stored as New York midnight: a date.
    const dated = sampleAgreement({ receivedAt: '2026-11-20T05:00:00.000Z' });
    assert.match(statusView(dated), /Received\s+Friday, November 20, 2026\n/);
    dated.history = [{ at: dated.receivedAt, event: 'requested' }, ...dated.history];
    assert.match(historyView(dated), /^ {2}Fri, Nov 20, 2026 +requested$/m);
    const page = statusPage(dated, new Date('2026-11-25T15:00:00.000Z'), 'https://workbench.example');
    assert.ok(
      JSON.stringify(page).includes('"Friday, November 20, 2026"'),
      'the status page shows the date alone',
    );
    // A reason typed without its full stop ends as a sentence on the page, as in the mail.
    const declined = statusPage(
      sampleAgreement({
        stage: 'declined',
        endReason: 'Will not sign this year',
        endedAt: '2026-11-24T15:00:00.000Z',
      }),
      new Date('2026-11-25T15:00:00.000Z'),
      'https://workbench.example',
    );
    assert.ok(
      JSON.stringify(declined).includes('The reason given: Will not sign this year."'),
      JSON.stringify(declined),
    );
  });

  it("the requester's status page says a renewal is one (issue 18): heading, first date, what comes next", () => {
    const now = new Date('2026-11-25T15:00:00.000Z');
    const renewal = statusPage(
      sampleAgreement({ stage: 'awaiting-signature', renews: 'uw.test-1', signedOn: null, executedAt: null }),
      now,
      'https://workbench.example',
    );
    assert.equal(renewal.heading, "Your institution's DURA renewal (renewing uw.test-1)");
    assert.equal(renewal.dates[0]!.label, 'Renewal started');
    assert.match(renewal.next.text, /^When your institution signs the renewal, its listing .* continues/);
    const request = statusPage(
      sampleAgreement({ stage: 'awaiting-signature', signedOn: null, executedAt: null }),
      now,
      'https://workbench.example',
    );
    assert.equal(request.heading, 'Your DURA request');
    assert.equal(request.dates[0]!.label, 'Request received');
    assert.match(request.next.text, /^When your institution signs, we list it/);
    // A term: its last day in force, on the page while it is in force (a trial found it nowhere there).
    const inForce = statusPage(sampleAgreement({ stage: 'completed', expiresOn: '2029-11-30' }), now, 'w');
    assert.deepEqual(
      inForce.dates.find((d) => d.label === 'In force until'),
      { label: 'In force until', value: 'Friday, November 30, 2029' },
    );
    const noTerm = statusPage(sampleAgreement({ stage: 'completed' }), now, 'w');
    assert.equal(
      noTerm.dates.find((d) => d.label === 'In force until'),
      undefined,
    );
    // The agreement's stage, never read as the reader's registration done (a trial: "Complete", 0 of 5).
    assert.equal(noTerm.stage, 'Signed and in place: your registration instructions were sent');
    // A pause in the follow-ups is said (a trial's page promised one every 14 days beside a date weeks away).
    const paused = statusPage(
      sampleAgreement({ stage: 'awaiting-signature', remindersPausedUntil: '2027-01-04T14:00:00.000Z' }),
      now,
      'w',
    );
    assert.match(
      JSON.stringify(paused),
      /Our follow-ups with them are paused until Monday, January 4, 2027, 9:00 AM ET, then every 14 days/,
    );
  });

  it("the requester's status page after the instructions: her registration's steps done and left (a trial)", () => {
    const now = new Date('2026-12-02T15:00:00.000Z');
    const completed = sampleAgreement({ stage: 'completed' });
    const steps = { ...noStepsDone(), account: '2026-12-01', 'rcr-training': '2026-12-02' };
    const partway = statusPage(completed, now, 'https://workbench.example', { steps, completedAt: null });
    assert.equal(
      partway.next.text,
      'You have done 2 of the 5 registration steps; left: 2-step verification, identity verification, Data User Code of Conduct.',
    );
    assert.equal(partway.next.link?.text, 'Go to the Researcher Workbench');
    // Closed by the access team (she left): said so, the steps not urged, no Workbench link (a trial).
    const closed = statusPage(completed, now, 'https://workbench.example', {
      steps,
      completedAt: null,
      closedAt: '2026-12-02T14:00:00.000Z',
    });
    assert.equal(
      closed.next.text,
      'The access team closed your registration for this agreement on Wednesday, December 2, 2026, with 2 of ' +
        'the 5 steps done. If you still mean to register, write to them (below).',
    );
    assert.equal(closed.next.link, undefined);
    const all = Object.fromEntries(Object.keys(steps).map((k) => [k, '2026-12-02'])) as typeof steps;
    const done = statusPage(completed, now, 'https://workbench.example', {
      steps: all,
      completedAt: now.toISOString(),
    });
    assert.equal(done.next.text, 'You have completed every Researcher Workbench registration step.');
    // No registration in the records (tracking off, or before issue 18): the instructions' first step.
    assert.match(
      statusPage(completed, now, 'https://workbench.example').next.text,
      /^Follow the registration instructions/,
    );
  });

  it('history: compact times, aligned, and the instants in details in New York time too', () => {
    const view = historyView(
      sampleAgreement({
        history: [
          { at: '2026-11-20T15:00:00.000Z', event: 'requested', detail: 'registered tier(s) for uw.test' },
          { at: '2026-11-20T15:00:01.000Z', event: 'initiation-due', detail: 'by 2026-11-24T22:00:00.000Z' },
          {
            at: '2026-12-10T16:05:00.000Z',
            event: 'reminder-sent',
            detail: '#1 (scheduled) to sam@uw.test; next due 2026-12-24T14:00:00.000Z',
          },
        ],
      }),
    );
    assert.equal(
      view,
      [
        'History',
        '  Fri, Nov 20, 2026, 10:00 AM ET  requested: registered tier(s) for uw.test',
        '  Fri, Nov 20, 2026, 10:00 AM ET  initiation-due: by Tue, Nov 24, 2026, 5:00 PM ET',
        '  Thu, Dec 10, 2026, 11:05 AM ET  reminder-sent: #1 (scheduled) to sam@uw.test; next due Thu, Dec 24, 2026, 9:00 AM ET',
      ].join('\n'),
    );
  });

  it('schedule: a run in words with ET and its UTC time; --json keeps the offset form', () => {
    const est = runTime(new Date('2026-11-23T14:00:00Z'));
    assert.deepEqual(est, {
      newYork: '2026-11-23T09:00:00-05:00',
      weekday: 'Monday',
      utc: '2026-11-23T14:00:00.000Z',
    });
    assert.equal(runTimeText(est), 'Monday, November 23, 2026, 9:00 AM ET (14:00 UTC)');
    const edt = runTime(new Date('2027-03-15T13:00:00Z'));
    assert.equal(edt.newYork, '2027-03-15T09:00:00-04:00');
    assert.equal(runTimeText(edt), 'Monday, March 15, 2027, 9:00 AM ET (13:00 UTC)');
  });

  it('--received-at: a date or a New York time is echoed and sent as ISO UTC; anything else passes as typed', () => {
    const stderr = sinon.stub(process.stderr, 'write').returns(true);
    assert.equal(echoedWhen('--received-at', '2026-11-25T10:00'), '2026-11-25T15:00:00.000Z');
    assert.equal(echoedWhen('--received-at', '2026-11-25'), '2026-11-25T05:00:00.000Z');
    assert.equal(echoedWhen('--received-at', '2026-11-25T10:00:00Z'), '2026-11-25T10:00:00Z');
    assert.equal(echoedWhen('--received-at', '11/25/2026'), '11/25/2026');
    sinon.restore();
    assert.deepEqual(
      stderr.args.map((a) => a[0]),
      [
        'dura: --received-at 2026-11-25T10:00 read as Wednesday, November 25, 2026, 10:00 AM ET\n',
        'dura: --received-at 2026-11-25 read as Wednesday, November 25, 2026, 12:00 AM ET (the start of that day in New York)\n',
      ],
    );
  });

  describe('receivedAt in requests and CSV rows', () => {
    const now = new Date('2026-11-30T04:25:00Z'); // Sunday evening in New York
    const request = (receivedAt: unknown) => ({
      institution: { name: 'University of Testing', domain: 'uw.test' },
      requester: { name: 'Ann Lee', email: 'ann@uw.test' },
      signingOfficial: { name: 'Sam Signer', email: 'sam@uw.test' },
      tiers: ['registered'],
      receivedAt,
    });
    const receivedAt = (value: unknown) => {
      const checked = checkRequest(request(value), now);
      return 'request' in checked ? checked.request.receivedAt : checked.issues;
    };

    it('a New York date (its start), an instant, a New York time: stored ISO UTC', () => {
      assert.equal(receivedAt('2026-11-25'), '2026-11-25T05:00:00.000Z');
      assert.equal(receivedAt('2026-11-25T10:00:00'), '2026-11-25T15:00:00.000Z');
      assert.equal(receivedAt('2026-11-25T10:00:00Z'), '2026-11-25T10:00:00.000Z');
      assert.equal(receivedAt('2026-11-25T10:00-05:00'), '2026-11-25T15:00:00.000Z');
      assert.equal(
        receivedAt('2026-11-29'),
        '2026-11-29T05:00:00.000Z',
        'today in New York, though not in UTC',
      );
    });

    it('refused: other shapes, impossible dates, the future', () => {
      assert.deepEqual(receivedAt('12/25/2026'), [
        {
          path: 'receivedAt',
          message:
            '12/25/2026 is not a date dura reads (for December 25, 2026 type 2026-12-25, though that is in the future); use YYYY-MM-DD (a New York date), a New York time such as 2026-12-25T09:00, or an instant such as 2026-12-25T09:00-05:00',
        },
      ]);
      // With the month's name: one reading, still typed as dura reads dates (a trial's "Dec 3 2026").
      for (const typed of ['Nov 25 2026', 'November 25, 2026', '25 Nov 2026', 'nov. 25, 2026'])
        assert.deepEqual(receivedAt(typed), [
          {
            path: 'receivedAt',
            message: `${typed} is not a date dura reads (for November 25, 2026 type 2026-11-25); use YYYY-MM-DD (a New York date), a New York time such as 2026-12-25T09:00, or an instant such as 2026-12-25T09:00-05:00`,
          },
        ]);
      assert.deepEqual(receivedAt('2026-02-30'), [
        { path: 'receivedAt', message: '2026-02-30 is not a calendar date: February 2026 has 28 days' },
      ]);
      assert.deepEqual(receivedAt('2026-11-30'), [
        // As typed, with New York's date today (a trial saw the UTC instant dura stores).
        { path: 'receivedAt', message: '2026-11-30 is in the future (today is 2026-11-29 in New York)' },
      ]);
    });

    it('the CSV received_at column reads the same way', () => {
      const csv = [
        'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers,received_at',
        'University of Testing,uw.test,Ann Lee,ann@uw.test,Sam Signer,sam@uw.test,registered,2026-11-25T10:00',
        'University of Testing,uw.test,Bo Chen,bo@uw.test,Sam Signer,sam@uw.test,registered,25.11.2026',
      ].join('\n');
      const { rows, problems } = parseRequestCsv(csv, now);
      assert.deepEqual(
        rows.map((r) => r.request.receivedAt),
        ['2026-11-25T15:00:00.000Z'],
      );
      assert.deepEqual(
        problems.map((p) => [p.line, p.field, p.message.split(';')[0]]),
        [[3, 'received_at', '25.11.2026 is not a date dura reads (for November 25, 2026 type 2026-11-25)']],
      );
    });
  });

  describe('execute validator: not signed before the request (workflows/guards.ts)', () => {
    const table = calendarTable(2025, 2028);

    it('refuses a date before the New York date of receipt', () => {
      assert.throws(
        () => signedSinceReceipt('2026-11-01', '2026-11-29T15:00:00.000Z', table),
        /^Error: signedOn: 2026-11-01 is before the request was received \(Sunday, November 29, 2026\)$/,
      );
      // 00:30 EST on Nov 30 is 05:30Z: New York's date is the 30th.
      assert.throws(
        () => signedSinceReceipt('2026-11-28', '2026-11-30T05:30:00.000Z', table),
        /\(Monday, November 30, 2026\)$/,
      );
    });

    it('allows the day itself and after; by the recorded table, not the day before (a trial: it did)', () => {
      for (const signedOn of ['2026-11-29', '2026-12-02'])
        signedSinceReceipt(signedOn, '2026-11-29T15:00:00.000Z', table);
      assert.throws(
        () => signedSinceReceipt('2026-11-28', '2026-11-29T15:00:00.000Z', table),
        /^Error: signedOn: 2026-11-28 is before the request was received \(Sunday, November 29, 2026\)$/,
      );
    });

    it('without a recorded table (or a compressed one), reads the date by EST: never later than the true one', () => {
      // 04:30Z on Jul 2 is 00:30 EDT on Jul 2, but 23:30 EST on Jul 1.
      signedSinceReceipt('2026-06-30', '2026-07-02T04:30:00.000Z');
      assert.throws(
        () => signedSinceReceipt('2026-06-29', '2026-07-02T04:30:00.000Z'),
        /\(Wednesday, July 1, 2026\)$/,
      );
      const compressed = {
        fromYear: 2026,
        toYear: 2026,
        holidays: [],
        offsets: [[0, 0]] as [number, number][],
      };
      assert.throws(
        () =>
          signedSinceReceipt('2026-06-29', '2026-07-02T04:30:00.000Z', {
            ...compressed,
            compressedDaySeconds: 1,
          }),
        /\(Wednesday, July 1, 2026\)$/,
      );
    });
  });
});
