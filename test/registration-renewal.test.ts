// Registration tracking across agreements (issue 18) on the time-skipping server over dura's real
// parts: a requester's steps are the person's, not the agreement's, so when her institution's agreement
// is renewed (`dura renew`) the renewal's registration starts with the steps she already did, and the
// steps she reports next go to both open registrations: both complete, neither stalls. Only the
// renewal's registration nudges her: the older one hands over (and never tells the access team).
import { strict as assert } from 'node:assert';
import { registrationsFor } from '../activities/records/registrations';
import { recordRegistrationStep } from '../client/registration';
import { registrationTable } from '../client/registration-views';
import { renewAgreement } from '../client/renew';
import { agreementIdFrom } from '../common/agreement-target';
import type { RegistrationStatus, RegistrationStep } from '../common/registration';
import { newYorkDate } from '../common/when';
import { executeUpdate } from '../workflows/messages';
import { registrationStatusQuery } from '../workflows/registration-messages';
import { aRequest, lifecycleHarness, saveHistory } from './helpers/agreements';
import { TEST_DATABASES } from './helpers/engine';

// One server per database: the registrations complete at the end (after that the Java test server may
// stop skipping time: sdk-typescript#1101), so nothing waits on the skipped clock afterwards.
for (const database of TEST_DATABASES)
  describe(`registration steps carried to a renewal on ${database}`, function () {
    const s = lifecycleHarness(database);
    const today = async () => newYorkDate(await s.now());
    const record = async (email: string, step: RegistrationStep, on?: string) =>
      recordRegistrationStep(
        s.env.client,
        { DATABASE_URL: s.engine.cliEnv.DATABASE_URL! },
        { email, step, on: on ?? (await today()), source: 'cli' },
      );
    const registrationId = (agreementId: string) =>
      `${agreementIdFrom(agreementId)}-registration-${agreementId.split('-').pop()}-1`;
    const registration = (agreementId: string) =>
      s.env.client.workflow.getHandle(registrationId(agreementId));
    const statusOf = (agreementId: string): Promise<RegistrationStatus> =>
      registration(agreementId).query(registrationStatusQuery);
    /** The steps each nudge listed, in its own words (the text's "- …" lines). */
    const nudgeLists = (agreementId: string) =>
      s
        .messages(agreementId, 'registration-nudge')
        .map((m) => [...m.text!.matchAll(/^- (.+?)(?::\s|$)/gm)].map((line) => line[1]));
    const execute = async (agreementId: string) => {
      const handle = s.handle(agreementId);
      await handle.executeUpdate(executeUpdate, { args: [{ signedOn: await today() }] });
      return handle.result();
    };

    it('a renewal starts with the steps done, nudges for the rest; the last step completes both', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const email = request.requester.email;
      const first = await execute((await s.request(request)).agreementId);
      await s.days(1); // its registration has started and written its row
      for (const step of ['account', 'two-step', 'identity'] as const)
        assert.equal((await record(email, step)).outcome, 'recorded');
      const doneOn = await today();

      await s.days(2);
      const renewal = await renewAgreement(s.env.client, s.engine.dura.store, first.agreementId, {
        taskQueue: s.engine.queue,
        receivedAt: await s.now(),
      });
      assert.equal(renewal.outcome, 'started');
      await s.days(1);
      const renewed = await execute(renewal.outcome === 'started' ? renewal.workflowId : '');
      assert.equal(renewed.renews, first.agreementId);
      assert.notEqual(renewed.agreementId, first.agreementId);
      await s.days(1);

      const carried = await statusOf(renewed.agreementId);
      assert.deepEqual(carried.steps, {
        account: doneOn,
        'two-step': doneOn,
        identity: doneOn,
        'code-of-conduct': null,
        'rcr-training': null,
      });
      const events = carried.history.map((h) => `${h.event}: ${h.detail}`);
      assert.match(
        events[0]!,
        new RegExp(`^registration-steps-carried: ${email}: 3 steps already done in ${first.agreementId}'s`),
      );
      assert.match(events[1]!, /^registration-tracking: \S+: 2 steps to go/);
      // Her instructions for the renewal said which steps she had done already.
      const [first5, renewal5] = [first, renewed].map(
        (a) => s.messages(a.agreementId, 'registration-instructions')[0]!.text!,
      );
      assert.doesNotMatch(first5!, /You already did/);
      // She never asked for the renewal: its first message says what it is, not "thank you".
      const [told] = s.messages(renewed.agreementId, 'request-received');
      assert.match(told!.subject!, /^Your institution's DURA for .* is being renewed$/);
      assert.match(told!.text!, new RegExp(`renewing ${first.agreementId}\\)`));
      assert.doesNotMatch(told!.text!, /Thank you for your request/);
      assert.match(
        renewal5!,
        /You already did some of them for an earlier agreement: Researcher Workbench account \(\w+day, [^)]+\); 2-step verification \([^)]+\); identity verification \([^)]+\)\. Those are marked done below; you need not do them again\./,
      );
      // Each step done is marked where the list names it; the two left are not.
      const marked = renewal5!.split('\n').filter((l) => /^\d\. /.test(l));
      assert.deepEqual(
        marked.map((l) => / Done \w+day, [^:]+: nothing to do\.$/.test(l)),
        [true, true, true, false, false],
        marked.join('\n'),
      );
      assert.equal((await statusOf(first.agreementId)).completedAt, null, 'the first is still open');
      // Before the hand-over is recorded, the list already says which one nudges her (a trial saw both
      // rows promise a next nudge): the first one's, when due, hands over instead of going out.
      const before = registrationTable(await registrationsFor(s.engine.dura.store.db, email));
      assert.match(before, new RegExp(`${first.agreementId} .* 2 left; nudges from ${renewed.agreementId}`));
      assert.equal(before.match(/next nudge/g)?.length, 1, before);

      // Only the renewal's registration nudges her, with only what is left; the first one's first
      // nudge came due after the renewal's had started, so it handed over and sends nothing more.
      // Up to the renewal's first nudge: 7 days on, or the business morning after (a weekend moves it).
      const due = (await statusOf(renewed.agreementId)).nextNudgeAt!;
      await s.env.sleep(Date.parse(due) - Date.parse(await s.now()) + 3_600_000);
      assert.equal((await statusOf(renewed.agreementId)).nudgesSent, 1);
      const left = ['Data User Code of Conduct', 'Responsible Conduct of Research training'];
      assert.deepEqual(nudgeLists(renewed.agreementId), [left]);
      assert.deepEqual(nudgeLists(first.agreementId), [], 'the first registration nudges no more');
      const handedOver = await statusOf(first.agreementId);
      assert.equal(handedOver.nudgesSent, 0);
      assert.equal(handedOver.nextNudgeAt, null);
      assert.deepEqual(
        handedOver.history.filter((h) => h.event === 'registration-handed-over').map((h) => h.detail),
        [`${email}: nudges now come from ${renewed.agreementId}'s registration`],
      );
      const listed = registrationTable(await registrationsFor(s.engine.dura.store.db, email));
      assert.match(listed, new RegExp(`${first.agreementId} .* 2 left; nudges from ${renewed.agreementId}`));

      // A step reported once goes to both open registrations; the answer is the newest one's.
      const conduct = await record(email, 'code-of-conduct');
      assert.equal(conduct.outcome, 'recorded');
      const answered = (conduct as { status: RegistrationStatus }).status;
      assert.equal(answered.registrationId, registrationId(renewed.agreementId));
      assert.equal((await statusOf(first.agreementId)).steps['code-of-conduct'], await today());

      // Weeks on, past when the first would have told the access team (four nudges and a period from
      // its instructions), before the renewal's would: still only the renewal's nudges, no stall.
      await s.days(24);
      const renewing = await statusOf(renewed.agreementId);
      assert.ok(renewing.nudgesSent >= 3, `the renewal nudged ${renewing.nudgesSent} times`);
      assert.equal(renewing.escalatedAt, null);
      assert.deepEqual(nudgeLists(first.agreementId), []);
      assert.equal((await statusOf(first.agreementId)).escalatedAt, null);
      for (const agreementId of [first.agreementId, renewed.agreementId])
        assert.deepEqual(s.sent(agreementId, 'registration-stalled'), [], 'no stall notice');

      const last = await record(email.toUpperCase(), 'rcr-training');
      assert.equal(last.outcome, 'recorded');
      assert.ok((last as { status: RegistrationStatus }).status.completedAt, 'the renewal is complete');
      for (const agreementId of [first.agreementId, renewed.agreementId]) {
        const final = (await registration(agreementId).result()) as RegistrationStatus;
        assert.ok(final.completedAt, `${agreementId}'s registration is complete`);
        assert.equal(final.escalatedAt, null);
        assert.deepEqual(s.sent(agreementId, 'registration-stalled'), [], 'no stall for nothing');
      }
      const rows = await registrationsFor(s.engine.dura.store.db, email);
      assert.deepEqual(
        rows.map((r) => [r.agreementId, Boolean(r.completedAt)]),
        [
          [renewed.agreementId, true],
          [first.agreementId, true],
        ],
      );
      assert.equal((await record(email, 'account', doneOn)).outcome, 'already-registered');
      await saveHistory(s.env, registrationId(renewed.agreementId), 'registration-carried', database);
    });
  });
