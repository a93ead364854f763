// Registration tracking (issue 18) on the time-skipping server over dura's real parts: each requester's
// registration workflow, its nudges and its one notice to the access team, the records' rows and the
// agreement's history in the records, and steps reported through the client as the CLI and web send them.
import { strict as assert } from 'node:assert';
import type { WorkflowHandle } from '@temporalio/client';
import { listRegistrations, registrationsFor } from '../activities/records/registrations';
import { recordRegistrationStep } from '../client/registration';
import { agreementIdFrom } from '../common/agreement-target';
import type { RegistrationStatus, RegistrationStep, StepReport } from '../common/registration';
import { newYorkDate } from '../common/when';
import { executeUpdate } from '../workflows/messages';
import { registrationStatusQuery } from '../workflows/registration-messages';
import { aRequest, lifecycleHarness, saveHistory } from './helpers/agreements';
import { TEST_DATABASES } from './helpers/engine';

for (const database of TEST_DATABASES)
  describe(`registration tracking on ${database}`, function () {
    const s = lifecycleHarness(database);
    const config = () => ({ DATABASE_URL: s.engine.cliEnv.DATABASE_URL! });
    const today = async () => newYorkDate(await s.now());
    const record = async (
      email: string,
      step: RegistrationStep,
      on?: string,
      source: StepReport['source'] = 'cli',
    ) => recordRegistrationStep(s.env.client, config(), { email, step, on: on ?? (await today()), source });
    const registration = (agreementId: string, requester = 1): WorkflowHandle =>
      s.env.client.workflow.getHandle(
        `${agreementIdFrom(agreementId)}-registration-${agreementId.split('-').pop()}-${requester}`,
      );
    const statusOf = (agreementId: string, requester = 1): Promise<RegistrationStatus> =>
      registration(agreementId, requester).query(registrationStatusQuery);
    /** The steps each nudge listed, in its own words (the text's "- …" lines). */
    const nudgeLists = (agreementId: string) =>
      s
        .messages(agreementId, 'registration-nudge')
        .map((m) => [...m.text!.matchAll(/^- (.+?)(?::\s|$)/gm)].map((line) => line[1]));
    /** Runs the agreement to completion: executed today, the instructions out. */
    const executed = async (request = aRequest({ receivedAt: '' })) => {
      const { agreementId } = await s.request({ ...request, receivedAt: await s.now() });
      await s.handle(agreementId).executeUpdate(executeUpdate, { args: [{ signedOn: await today() }] });
      await s.handle(agreementId).result();
      return agreementId;
    };
    const daysUntil = async (done: () => Promise<boolean>, most = 30) => {
      for (let i = 0; i < most && !(await done()); i++) await s.days(1);
      assert.ok(await done(), `not within ${most} days`);
    };

    it('a requester who never starts: 4 nudges a week apart, then the access team hears once', async () => {
      const request = aRequest({ receivedAt: '' });
      const agreementId = await executed(request);
      await daysUntil(async () => (await statusOf(agreementId)).escalatedAt !== null, 60);
      const stalled = await statusOf(agreementId);
      assert.equal(stalled.nudgesSent, 4);
      assert.equal(stalled.nextNudgeAt, null);
      assert.equal(s.sent(agreementId, 'registration-nudge').length, 4);
      for (const list of nudgeLists(agreementId)) assert.equal(list.length, 5);
      assert.deepEqual(s.sent(agreementId, 'registration-stalled'), ['registration-stalled -> access-team']);
      const [notice] = s.messages(agreementId, 'registration-stalled');
      assert.match(
        notice!.subject!,
        new RegExp(`Registration stalled: Ada Researcher at ${request.institution.name}`),
      );
      assert.match(
        notice!.text!,
        /After 4 reminders, these steps are still not done:\n\n- Researcher Workbench account\n/,
      );
      // Nudges go out a week apart (moved to a business morning at most).
      const sentAt = stalled.history
        .filter((h) => h.event === 'registration-nudge')
        .map((h) => Date.parse(h.at));
      for (let i = 1; i < sentAt.length; i++) {
        const days = (sentAt[i]! - sentAt[i - 1]!) / 86_400_000;
        assert.ok(days >= 6.9 && days <= 10, `nudges ${days} days apart`);
      }
      const listed = await listRegistrations(s.engine.dura.store.db, { stalled: true });
      assert.ok(listed.some((r) => r.registrationId === stalled.registrationId));
      const byName = await listRegistrations(s.engine.dura.store.db, {
        institution: request.institution.name.toUpperCase(),
      });
      assert.deepEqual(
        byName.map((r) => r.registrationId),
        [stalled.registrationId],
      );

      await s.days(45);
      assert.equal(s.sent(agreementId, 'registration-nudge').length, 4, 'nothing more');
      assert.equal(s.sent(agreementId, 'registration-stalled').length, 1);
      await saveHistory(s.env, stalled.registrationId, 'registration-stalled', database);
    });

    it('a requester who joins later is tracked too, in a registration of their own', async () => {
      const first = aRequest({ receivedAt: await s.now() });
      const { agreementId } = await s.request(first);
      await s.days(3);
      const grace = {
        ...first,
        requester: { name: 'Grace Hopper', email: `grace@${first.institution.domain}` },
      };
      assert.equal((await s.request({ ...grace, receivedAt: await s.now() })).outcome, 'joined');
      await s.handle(agreementId).executeUpdate(executeUpdate, { args: [{ signedOn: await today() }] });
      await s.handle(agreementId).result();
      const final = await s.status(agreementId);
      assert.deepEqual(
        final.history.filter((h) => h.event === 'registration-tracked').map((h) => h.detail!.split(' ')[0]),
        [first.requester.email, grace.requester.email],
      );
      const theirs = await statusOf(agreementId, 2);
      assert.equal(theirs.requester.email, grace.requester.email);
      assert.doesNotMatch(theirs.registrationId, /@|grace/i, 'no personal data in the workflow id');
      await s.days(1); // its start's activities are over: its row is in the records
      assert.equal((await record(grace.requester.email, 'account')).outcome, 'recorded');
      assert.equal((await statusOf(agreementId, 2)).steps.account, await today());
      assert.equal(
        (await statusOf(agreementId, 1)).steps.account,
        null,
        "one requester's steps are their own",
      );
      await saveHistory(s.env, agreementId, 'registration-two-requesters', database);
    });

    it('steps done on different days: each nudge lists only what is left, none after the last step', async () => {
      const request = aRequest({ receivedAt: '' });
      const email = request.requester.email;
      const agreementId = await executed(request);
      await s.days(2); // its start's activities (steps already done, the calendar) are over
      const started = await statusOf(agreementId);
      assert.equal(started.requester.email, email);
      assert.equal(started.agreementId, agreementId);
      assert.equal(started.nudgesSent, 0);
      assert.ok(started.nextNudgeAt! > started.instructionsSentAt);

      const account = await record(email, 'account');
      assert.equal(account.outcome, 'recorded');
      assert.equal((await record(email, 'two-step', undefined, 'workbench')).outcome, 'recorded');
      // The same step on the same date again: nothing changes, and it says so.
      const again = await record(email.toUpperCase(), 'account');
      assert.equal(again.outcome, 'already-registered');
      // Refused, with the field named; nothing is written.
      const future = await record(email, 'identity', '2099-01-01');
      assert.deepEqual(future.outcome, 'rejected');
      assert.match((future as { message: string }).message, /^on: 2099-01-01 is in the future/);
      const unknown = await record(email, 'fingerprint' as RegistrationStep);
      assert.match((unknown as { message: string }).message, /^step: expected one of account, two-step/);
      assert.equal((await record('nobody@example.edu', 'account')).outcome, 'not-tracked');

      await daysUntil(async () => (await statusOf(agreementId)).nudgesSent === 1);
      assert.deepEqual(nudgeLists(agreementId), [
        ['identity verification', 'Data User Code of Conduct', 'Responsible Conduct of Research training'],
      ]);
      const [first] = s.messages(agreementId, 'registration-nudge');
      assert.equal(first!.subject, 'Your Researcher Workbench registration: three steps to go');
      assert.match(first!.text!, /See where your request stands:\n\S+\/status\//, 'the status link ends it');

      await record(email, 'identity');
      await daysUntil(async () => (await statusOf(agreementId)).nudgesSent === 2);
      assert.deepEqual(nudgeLists(agreementId)[1], [
        'Data User Code of Conduct',
        'Responsible Conduct of Research training',
      ]);
      await record(email, 'code-of-conduct', undefined, 'csv');
      const last = await record(email, 'rcr-training');
      assert.equal(last.outcome, 'recorded');
      const done = (last as { status: RegistrationStatus }).status;
      assert.ok(done.completedAt, 'the last step completes it');
      assert.equal(done.nextNudgeAt, null);
      const final = (await registration(agreementId).result()) as RegistrationStatus;
      // One requester's registration end to end, in the run's output (README, "Registration tracking").
      if (database === 'sqlite')
        for (const h of final.history) console.log(`      ${h.at} ${h.event}: ${h.detail ?? ''}`);
      assert.deepEqual(
        final.history.map((h) => h.event),
        [
          'registration-tracking',
          'registration-step',
          'registration-step',
          'registration-nudge',
          'registration-step',
          'registration-nudge',
          'registration-step',
          'registration-step',
          'registration-completed',
        ],
      );
      // Its workflow has ended, so no mail can follow. (No days are skipped here: after an update that
      // completes a workflow, the Java test server skips time at about 5 s a day.)
      assert.equal((await registration(agreementId).describe()).status.name, 'COMPLETED');
      assert.equal(s.sent(agreementId, 'registration-nudge').length, 2, 'no nudge after completion');
      assert.deepEqual(s.sent(agreementId, 'registration-stalled'), []);

      // The records: the row, the step dates, and the events in the agreement's own history.
      const db = s.engine.dura.store.db;
      const [row] = await registrationsFor(db, email);
      assert.equal(row!.registrationId, final.registrationId);
      assert.deepEqual(row!.steps, final.steps);
      assert.equal(row!.completedAt, final.completedAt);
      assert.equal(
        (await record(email, 'account', row!.steps.account!)).outcome,
        'already-registered',
        'answered from the records',
      );
      const ref = (await s.handle(agreementId).describe()).runId;
      const events = await s.recordedEvents(ref);
      assert.deepEqual(
        events.filter((e) => e.startsWith('registration-')),
        ['registration-tracked', ...final.history.map((h) => h.event)],
      );
      await saveHistory(s.env, final.registrationId, 'registration-completed', database);
    });
  });
