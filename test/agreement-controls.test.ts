// The access team's controls on a running agreement, and long runs, on the time-skipping server.
import { strict as assert } from 'node:assert';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { aRequest, lifecycleHarness, saveHistory } from './helpers/agreements';
import { TEST_DATABASES } from './helpers/engine';
import { until } from './helpers/wait';
import * as m from '../workflows/messages';
import { newYorkDate } from '../common/when';

for (const database of TEST_DATABASES)
  describe(`agreement controls on ${database}`, function () {
    const s = lifecycleHarness(database, { registrationTracking: false }); // registrations: registration.test.ts

    async function started(options: Parameters<typeof s.request>[1] = {}) {
      const request = aRequest({ receivedAt: await s.now() });
      const { agreementId } = await s.request(request, options);
      await s.days(1); // initiated
      return { request, agreementId, handle: s.handle(agreementId) };
    }

    it('official changed mid-flight: the next reminder goes to the new one', async () => {
      const { request, agreementId, handle } = await started();
      await s.days(14);
      const changed = await handle.executeUpdate(m.setSigningOfficialUpdate, {
        args: [{ name: 'Pat New', email: 'Pat.New@example.edu', title: 'Vice Provost' }],
      });
      assert.deepEqual(changed.signingOfficial, {
        name: 'Pat New',
        email: 'pat.new@example.edu',
        title: 'Vice Provost',
      });
      await s.days(14);
      assert.deepEqual(s.sent(agreementId, 'reminder'), [
        `reminder -> ${request.signingOfficial.email}`,
        'reminder -> pat.new@example.edu',
      ]);
      await saveHistory(s.env, agreementId, 'official-changed', database);
    });

    it('pause until a date: no reminder meanwhile, one at 09:00 New York that day; resume brings one at once', async () => {
      const { agreementId, handle } = await started();
      const until = new Date(Date.parse(await s.now()) + 40 * 24 * 3600_000).toISOString().slice(0, 10);
      const paused = await handle.executeUpdate(m.pauseRemindersUpdate, { args: [{ until }] });
      assert.match(paused.remindersPausedUntil!, /T1[34]:00:00\.000Z$/); // 09:00 EST or EDT
      await s.days(35);
      assert.equal(s.sent(agreementId, 'reminder').length, 0);
      await s.days(12); // past the date, even if it falls on a long holiday weekend
      assert.equal(s.sent(agreementId, 'reminder').length, 1);
      const status = await s.status(agreementId);
      assert.equal(status.remindersPausedUntil, null);

      await handle.executeUpdate(m.pauseRemindersUpdate, { args: [{ until: '2099-01-01' }] });
      await s.days(20);
      assert.equal(s.sent(agreementId, 'reminder').length, 1);
      const resumed = await handle.executeUpdate(m.resumeRemindersUpdate);
      assert.equal(resumed.remindersPausedUntil, null);
      await s.days(1);
      assert.equal(s.sent(agreementId, 'reminder').length, 2, 'the overdue reminder goes at once on resume');
      await saveHistory(s.env, agreementId, 'pause-resume', database);
    });

    it('a pause that ends before the next reminder is due changes nothing else: no reminder at its end', async () => {
      const { agreementId, handle } = await started();
      const before = await s.status(agreementId);
      const until = new Date(Date.parse(await s.now()) + 5 * 24 * 3600_000).toISOString().slice(0, 10);
      const paused = await handle.executeUpdate(m.pauseRemindersUpdate, { args: [{ until }] });
      assert.equal(paused.nextReminderAt, before.nextReminderAt, 'the reminder stays when it was due');
      await s.days(8); // past the pause's end, even over a long weekend; the reminder is due on day 14
      const ended = await s.status(agreementId);
      assert.equal(ended.remindersPausedUntil, null);
      assert.equal(s.sent(agreementId, 'reminder').length, 0, 'no reminder for the pause ending');
      assert.equal(ended.nextReminderAt, before.nextReminderAt);
      assert.match(ended.history.at(-1)!.detail ?? '', /^the pause ended; next due /);
      await s.days(7);
      assert.equal(s.sent(agreementId, 'reminder').length, 1, 'the reminder on its day');
      await saveHistory(s.env, agreementId, 'pause-ends', database);
    });

    it("remind now during a pause: the next reminder is the pause's end, where it goes", async () => {
      const { agreementId, handle } = await started();
      const until = new Date(Date.parse(await s.now()) + 40 * 24 * 3600_000).toISOString().slice(0, 10);
      const paused = await handle.executeUpdate(m.pauseRemindersUpdate, { args: [{ until }] });
      const reminded = await handle.executeUpdate(m.remindNowUpdate, { args: [{ force: true }] });
      assert.equal(reminded.remindersSent, 1);
      // Not 14 days from now, inside the pause that holds it (a trial's list and status page said so).
      assert.equal(reminded.nextReminderAt, paused.remindersPausedUntil);
      assert.equal(reminded.remindersPausedUntil, paused.remindersPausedUntil);
      await s.days(35);
      assert.equal(s.sent(agreementId, 'reminder').length, 1, 'none during the pause');
      await s.days(12); // past the pause's end, even over a long weekend
      assert.equal(s.sent(agreementId, 'reminder').length, 2, 'one at its end');
      await saveHistory(s.env, agreementId, 'remind-now-paused', database);
    });

    it('remind now sends one at once and restarts the cadence; set-cadence changes it', async () => {
      const { agreementId } = await s.request(aRequest({ receivedAt: await s.now() }));
      const handle = s.handle(agreementId);
      // Not by skipping a day, which may skip further (and past "a day" since the package): queries do
      // not let the time-skipping server skip, so the package has gone out moments ago.
      await until(async () => (await handle.query(m.statusQuery)).stage === 'awaiting-signature');
      // The package went out moments ago: a reminder now needs `force`.
      await assert.rejects(handle.executeUpdate(m.remindNowUpdate, { args: [{}] }), (err: Error) =>
        /the initiation package went out (just now|\d+ (min|h) ago) \(a reminder within a day of it reads as a mistake\); add --force/.test(
          String(err.cause),
        ),
      );
      const reminded = await handle.executeUpdate(m.remindNowUpdate, { args: [{ force: true }] });
      assert.equal(reminded.remindersSent, 1);
      assert.equal(s.sent(agreementId, 'reminder').length, 1);
      const cadence = await handle.executeUpdate(m.setCadenceUpdate, { args: [{ days: 7 }] });
      assert.equal(cadence.policy.reminderEveryDays, 7);
      await s.days(22);
      const at = (await s.status(agreementId)).history
        .filter((h) => h.event === 'reminder-sent')
        .map((h) => Date.parse(h.at));
      assert.ok(at.length >= 3, `only ${at.length} reminders in 22 days`);
      // Every 7 days from the reminder sent now, or a little later when the day falls on a weekend or
      // a holiday: the first gap too.
      for (let i = 1; i < at.length; i++) {
        const gap = (at[i]! - at[i - 1]!) / (24 * 3600_000);
        assert.ok(gap > 6.5 && gap < 11, `gap of ${gap} days between reminders ${i} and ${i + 1}`);
      }
      await saveHistory(s.env, agreementId, 'remind-now-set-cadence', database);
    });

    it('a message whose records write is refused (its snapshot gone) goes out all the same, the records written whole', async () => {
      const { agreementId, handle } = await started();
      // The records lose the agreement (a restore from an older backup): a write of changes has nothing
      // to apply them to (patch records-with-mail: it travels with the next message).
      const db = s.engine.dura.store.db;
      const { agreement_ref: ref } = await db
        .selectFrom('agreements')
        .select('agreement_ref')
        .where('agreement_id', '=', agreementId)
        .executeTakeFirstOrThrow();
      await db.deleteFrom('agreement_events').where('agreement_ref', '=', ref).execute();
      await db.deleteFrom('agreements').where('agreement_ref', '=', ref).execute();
      const reminded = await handle.executeUpdate(m.remindNowUpdate, { args: [{ force: true }] });
      assert.equal(s.sent(agreementId, 'reminder').length, 1, 'the reminder went out, once');
      assert.equal(reminded.remindersSent, 1);
      const { history } = await s.status(agreementId);
      assert.ok(!history.some((h) => h.event === 'email-failed' || h.event === 'escalated'));
      const recorded = await s.engine.dura.store.agreementStatus(agreementId);
      assert.equal(recorded?.stage, 'awaiting-signature');
      assert.equal(recorded?.remindersSent, 1);
      assert.ok((await s.recordedEvents(ref)).includes('reminder-sent'));
      // In history: the message refused for its records, the records written whole, the message again.
      const events = (await handle.fetchHistory()).events!;
      const refused = events.filter(
        (e) =>
          e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === 'DuraRecordsRefused',
      );
      assert.equal(refused.length, 1);
      const after = events.slice(events.indexOf(refused[0]!));
      const scheduled = after
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean);
      assert.deepEqual(scheduled.slice(0, 2), ['recordEvents', 'sendEmail']);
    });

    it('bad updates are rejected by their validators and leave no trace in history', async () => {
      const { request, agreementId, handle } = await started();
      // The New York day before the one the request came in on: refused exactly, with no day's grace.
      const received = newYorkDate(request.receivedAt);
      const dayBefore = new Date(Date.parse(`${received}T12:00:00Z`) - 24 * 3600_000)
        .toISOString()
        .slice(0, 10);
      const updateEvents = async () =>
        (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
          .length;
      const acceptedBefore = await updateEvents();
      const rejections: [() => Promise<unknown>, RegExp][] = [
        [
          () => handle.executeUpdate(m.executeUpdate, { args: [{ signedOn: '2999-01-01' }] }),
          /^signedOn: 2999-01-01 is in the future$/,
        ],
        [
          () => handle.executeUpdate(m.executeUpdate, { args: [{ signedOn: '2026-02-30' }] }),
          /^signedOn: not a calendar date/,
        ],
        [() => handle.executeUpdate(m.cancelUpdate, { args: [{ reason: '  ' }] }), /^reason: required$/],
        [
          () => handle.executeUpdate(m.setCadenceUpdate, { args: [{ days: 0 }] }),
          /^days: expected a whole number/,
        ],
        [
          () => handle.executeUpdate(m.executeUpdate, { args: [{ signedOn: dayBefore }] }),
          new RegExp(`^signedOn: ${dayBefore} is before the request was received`),
        ],
        [
          () =>
            handle.executeUpdate(m.executeUpdate, { args: [{ signedOn: received, documentRef: 'A\nB' }] }),
          /^documentRef: must be one line$/,
        ],
        [
          () => handle.executeUpdate(m.setSigningOfficialUpdate, { args: [{ name: 'X', email: 'nope' }] }),
          /^signingOfficial\.email: "nope": not an e-mail address$/,
        ],
        // Addresses nodemailer would refuse at the next message, caught here (a trial's `ada@uw..edu`).
        ...['ada@uw..edu', 'ada.@uw.edu', '.ada@uw.edu', 'ada@.uw.edu'].map(
          (email): [() => Promise<unknown>, RegExp] => [
            () => handle.executeUpdate(m.addRequesterUpdate, { args: [{ name: 'Ada', email }] }),
            new RegExp(`^requester\\.email: "${email.replace(/\./g, '\\.')}": not an e-mail address$`),
          ],
        ),
        [
          () => handle.executeUpdate(m.initiateUpdate),
          /^cannot initiate: the agreement is awaiting-signature \([^)]+-1\)$/,
        ],
        [
          () => handle.executeUpdate(m.resumeRemindersUpdate),
          /^cannot resume reminders: they are not paused$/,
        ],
        [
          () => handle.executeUpdate(m.pauseRemindersUpdate, { args: [{ until: '2020-01-01' }] }),
          /^until: 2020-01-01 is not in the future$/,
        ],
      ];
      for (const [update, message] of rejections) {
        const err = await update().then(
          () => assert.fail('update was accepted'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof WorkflowUpdateFailedError);
        assert.match(String((err.cause as Error).message), message);
      }
      assert.equal(await updateEvents(), acceptedBefore);
      assert.equal((await s.status(agreementId)).stage, 'awaiting-signature');
    });

    it('an undeliverable initiation package escalates; fixed official + initiate recovers', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      s.refuse(request.signingOfficial.email);
      const { agreementId } = await s.request(request);
      await s.days(1);
      const failed = await s.status(agreementId);
      assert.equal(failed.stage, 'awaiting-initiation');
      assert.ok(failed.history.some((h) => h.event === 'initiation-failed'));
      assert.deepEqual(s.sent(agreementId, 'escalation'), ['escalation -> access-team']);
      assert.ok(s.engine.smtp.rcptAttempts.includes(request.signingOfficial.email), 'the sink refused it');
      assert.deepEqual(s.sent(agreementId, 'initiation-package'), []);
      const handle = s.handle(agreementId);
      await handle.executeUpdate(m.setSigningOfficialUpdate, {
        args: [{ name: 'Right Person', email: 'right@example.edu' }],
      });
      const initiated = await handle.executeUpdate(m.initiateUpdate);
      assert.equal(initiated.stage, 'awaiting-signature');
      assert.deepEqual(s.sent(agreementId, 'initiation-package'), [
        'initiation-package -> right@example.edu',
      ]);
      await saveHistory(s.env, agreementId, 'undeliverable-package', database);
    });

    it('an integration signals `executed`; a bad signal is logged and ignored', async () => {
      const { agreementId, handle } = await started();
      await handle.signal(m.executedSignal, { signedOn: 'yesterday' });
      await s.days(1);
      const ignored = await s.status(agreementId);
      assert.equal(ignored.stage, 'awaiting-signature');
      assert.match(ignored.history.find((h) => h.event === 'signal-ignored')!.detail!, /signedOn/);
      await handle.signal(m.executedSignal, { signedOn: (await s.now()).slice(0, 10) });
      assert.equal((await handle.result()).stage, 'completed');
      await saveHistory(s.env, agreementId, 'executed-signal', database);
    });

    it('continue-as-new keeps the whole state: requesters, reminders, history', async () => {
      const { request, agreementId, handle } = await started({ continueAsNewAfterEvents: 60 });
      const firstRun = (await handle.describe()).runId;
      await s.request({
        ...request,
        requester: { name: 'Second', email: 'second@example.edu' },
        receivedAt: await s.now(),
      });
      await s.days(100);
      const status = await s.status(agreementId);
      assert.notEqual((await handle.describe()).runId, firstRun);
      assert.ok(status.history.filter((h) => h.event === 'continued-as-new').length >= 1);
      const reminders = status.history.filter((h) => h.event === 'reminder-sent').length;
      assert.ok(status.remindersSent >= 6, `${status.remindersSent} reminders in 100 days`);
      assert.equal(reminders, status.remindersSent);
      assert.equal(s.sent(agreementId, 'reminder').length, reminders, 'no reminder sent twice across runs');
      assert.deepEqual(
        status.requesters.map((r) => r.email),
        [request.requester.email, 'second@example.edu'],
      );
      assert.equal(status.history[0]!.event, 'requested');
      await handle.executeUpdate(m.executeUpdate, { args: [{ signedOn: (await s.now()).slice(0, 10) }] });
      const final = await s.handle(agreementId).result();
      assert.equal(final.stage, 'completed');
      assert.equal(s.sent(agreementId, 'registration-instructions').length, 2);
      await saveHistory(s.env, agreementId, 'continue-as-new', database);
    });

    it('a six-month agreement runs start to finish (wall time printed)', async () => {
      const wall = Date.now();
      const { agreementId, handle } = await started();
      await s.days(182);
      assert.ok((await s.status(agreementId)).remindersSent >= 12);
      await handle.executeUpdate(m.executeUpdate, { args: [{ signedOn: (await s.now()).slice(0, 10) }] });
      assert.equal((await handle.result()).stage, 'completed');
      console.log(`      (six months of agreement in ${Date.now() - wall} ms of wall time)`);
    });
  });
