// Every path through the lifecycle other than the happy one, on the time-skipping server.
import { strict as assert } from 'node:assert';
import { aRequest, lifecycleHarness, saveHistory } from './helpers/agreements';
import { TEST_DATABASES } from './helpers/engine';
import { until } from './helpers/wait';
import { agreementIdFrom } from '../common/agreement-target';
import { cancelUpdate, declineUpdate, executeUpdate, initiateUpdate } from '../workflows/messages';
import { DuraOverdue, DuraStage } from '../workflows/search-attributes';

for (const database of TEST_DATABASES)
  describe(`agreement paths on ${database}`, function () {
    const s = lifecycleHarness(database, { registrationTracking: false }); // registrations: registration.test.ts

    it('a holiday inside the initiation window moves the deadline (Independence Day observed Fri 2026-07-03)', async () => {
      // Received Thursday 2026-07-02: Friday is the observed holiday, so Mon 6th and Tue 7th count.
      const { agreementId } = await s.request(aRequest({ receivedAt: '2026-07-02T14:00:00.000Z' }));
      await s.days(1);
      const status = await s.status(agreementId);
      assert.equal(status.initiationDueBy, '2026-07-07T21:00:00.000Z');
      // A request recovered from a mailbox: initiated at once, after its deadline, and the history says so.
      assert.match(status.history.find((h) => h.event === 'initiated')!.detail!, /after the deadline/);
      // It is being initiated at once, so the access team is not told it is overdue.
      assert.deepEqual(s.sent(agreementId, 'escalation'), []);
      assert.equal(status.overdue, false);
    });

    it('manual initiation: the deadline passes, the access team hears once, the agreement is flagged overdue', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const { agreementId } = await s.request(request, { policy: { initiation: 'manual' } });
      const handle = s.handle(agreementId);
      await s.days(10);
      const overdue = await s.status(agreementId);
      assert.equal(overdue.stage, 'awaiting-initiation');
      assert.equal(overdue.overdue, true);
      assert.deepEqual(s.sent(agreementId, 'escalation'), ['escalation -> access-team']);
      const attributes = (await handle.describe()).typedSearchAttributes;
      assert.equal(attributes.get(DuraOverdue), true);
      assert.equal(attributes.get(DuraStage), 'awaiting-initiation');

      const initiated = await handle.executeUpdate(initiateUpdate);
      assert.equal(initiated.stage, 'awaiting-signature');
      assert.equal(initiated.overdue, false);
      assert.deepEqual(s.sent(agreementId, 'initiation-package'), [
        `initiation-package -> ${request.signingOfficial.email}`,
      ]);
      assert.equal((await handle.describe()).typedSearchAttributes.get(DuraOverdue), false);
      assert.equal(s.sent(agreementId, 'escalation').length, 1);
      await saveHistory(s.env, agreementId, 'manual-initiation-overdue', database);
    });

    it('manual initiation: an institution that signs before anyone initiated is executed all the same', async () => {
      const { agreementId } = await s.request(aRequest({ receivedAt: await s.now() }), {
        policy: { initiation: 'manual' },
      });
      const handle = s.handle(agreementId);
      await handle.executeUpdate(executeUpdate, { args: [{ signedOn: (await s.now()).slice(0, 10) }] });
      const final = await handle.result();
      assert.equal(final.stage, 'completed');
      assert.equal(final.initiatedAt, null);
      assert.equal(s.sent(agreementId, 'initiation-package').length, 0);
      assert.equal(s.sent(agreementId, 'registration-instructions').length, 1);
      await saveHistory(s.env, agreementId, 'executed-before-initiation', database);
    });

    it('6 unanswered reminders escalate to the access team; reminders go on', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const { agreementId } = await s.request(request);
      await s.days(6 * 14);
      while ((await s.status(agreementId)).remindersSent < 6) await s.days(1); // holidays may push it
      assert.equal(s.sent(agreementId, 'reminder').length, 6);
      assert.deepEqual(s.sent(agreementId, 'escalation'), ['escalation -> access-team']);
      const [escalation] = s.messages(agreementId, 'escalation');
      assert.equal(
        escalation!.subject,
        `[DURA] Needs attention: ${request.institution.name} (${agreementId})`,
      );
      assert.match(escalation!.text!, /6 reminders/);
      assert.match(escalation!.text!, /Reminders sent: 6\n/);
      await s.days(18);
      assert.equal((await s.status(agreementId)).remindersSent, 7);
      assert.equal(s.sent(agreementId, 'escalation').length, 1);
      await saveHistory(s.env, agreementId, 'six-reminders-escalated', database);
    });

    it('a second requester joins mid-way, gets the updates and the instructions; a duplicate join is a no-op', async () => {
      const first = aRequest({ receivedAt: await s.now() });
      const { agreementId } = await s.request(first);
      await s.days(20);
      const second = {
        ...first,
        requester: { name: 'Grace Hopper', email: 'grace@example.edu' },
        receivedAt: await s.now(),
      };
      assert.equal((await s.request(second)).outcome, 'joined');
      assert.equal((await s.request(second)).outcome, 'already-requested');
      assert.equal((await s.request(first)).outcome, 'already-requested');
      // The second fortnightly update (day 28) may move to the next business day, up to 3 days later
      // (a Friday holiday and the weekend): day 34 is past it on any date, day 42's is still ahead.
      await s.days(14);
      await s.env.client.workflow
        .getHandle(agreementIdFrom(agreementId))
        .executeUpdate(executeUpdate, { args: [{ signedOn: (await s.now()).slice(0, 10) }] });
      const final = await s.handle(agreementId).result();
      assert.deepEqual(
        final.requesters.map((r) => r.email),
        [first.requester.email, 'grace@example.edu'],
      );
      const grace = s.sent(agreementId).filter((m) => m.endsWith('grace@example.edu'));
      assert.deepEqual(grace, [
        'request-received -> grace@example.edu',
        'status-update -> grace@example.edu',
        'executed -> grace@example.edu',
        'registration-instructions -> grace@example.edu',
      ]);
      assert.equal(s.sent(agreementId, 'registration-instructions').length, 2);
      await saveHistory(s.env, agreementId, 'second-requester-joins', database);
    });

    it('a requester who joins while the receipts go out gets one receipt', async () => {
      const first = aRequest({ receivedAt: await s.now() });
      const smtp = s.engine.smtp;
      // The first requester's receipt waits (451, tried again): the round is under way when Grace joins.
      smtp.refuse.set(first.requester.email, 451);
      const { agreementId } = await s.request(first);
      await until(async () => smtp.rcptAttempts.includes(first.requester.email));
      const second = {
        ...first,
        requester: { name: 'Grace Hopper', email: 'grace@example.edu' },
        receivedAt: await s.now(),
      };
      assert.equal((await s.request(second)).outcome, 'joined');
      await until(async () =>
        s.sent(agreementId, 'request-received').includes('request-received -> grace@example.edu'),
      );
      smtp.refuse.delete(first.requester.email);
      await until(async () =>
        s.sent(agreementId, 'request-received').includes(`request-received -> ${first.requester.email}`),
      );
      // The round ends with the first requester: give a second copy to Grace every chance to arrive.
      await s.days(1);
      assert.deepEqual(
        s.sent(agreementId, 'request-received').sort(),
        [`request-received -> ${first.requester.email}`, 'request-received -> grace@example.edu'].sort(),
      );
      await saveHistory(s.env, agreementId, 'one-receipt-each', database);
    });

    it('amendment: an institution listed for Registered asks for Controlled', async () => {
      await s.list('amend.example.edu', 'Amend U', ['registered']);
      const request = aRequest({
        receivedAt: await s.now(),
        institution: { name: 'Amend U', domain: 'amend.example.edu' },
        tiers: ['registered', 'controlled'],
      });
      const { agreementId } = await s.request(request);
      const status = await s.status(agreementId);
      assert.equal(status.kind, 'amendment');
      assert.deepEqual(status.tiers, ['controlled']);
      await s.env.client.workflow
        .getHandle(agreementIdFrom(agreementId))
        .executeUpdate(executeUpdate, { args: [{ signedOn: (await s.now()).slice(0, 10) }] });
      await s.handle(agreementId).result();
      assert.deepEqual(await s.listedTiers('amend.example.edu'), ['registered', 'controlled']);
      await saveHistory(s.env, agreementId, 'amendment', database);
    });

    it('not needed: an institution already listed for the tiers; the requester is told to create an account', async () => {
      await s.list('listed.example.edu', 'Listed U', ['registered', 'controlled']);
      const request = aRequest({
        receivedAt: await s.now(),
        institution: { name: 'Listed U', domain: 'listed.example.edu' },
      });
      const { agreementId } = await s.request(request);
      const final = await s.handle(agreementId).result();
      assert.equal(final.stage, 'not-needed');
      assert.deepEqual(s.sent(agreementId), [`not-needed -> ${request.requester.email}`]);
      await saveHistory(s.env, agreementId, 'not-needed', database);
    });

    for (const [update, stage] of [
      [cancelUpdate, 'cancelled'],
      [declineUpdate, 'declined'],
    ] as const) {
      it(`${stage}: requesters are told the reason and the timers stop`, async () => {
        const request = aRequest({ receivedAt: await s.now() });
        const { agreementId } = await s.request(request);
        await s.days(15);
        const handle = s.handle(agreementId);
        const ended = await handle.executeUpdate(update, {
          args: [{ reason: 'The institution merged with another' }],
        });
        assert.equal(ended.stage, stage, 'the answer shows the stage after the change');
        const final = await handle.result();
        assert.equal(final.stage, stage);
        assert.equal(final.endReason, 'The institution merged with another');
        assert.equal(final.nextReminderAt, null);
        const ending = s.messages(agreementId, stage);
        assert.equal(ending.length, 1);
        assert.match(ending[0]!.text!, /The institution merged with another/);
        const before = s.sent(agreementId).length;
        await s.days(30);
        assert.equal(s.sent(agreementId).length, before);
        await saveHistory(s.env, agreementId, stage, database); // cancelled after the package went out
      });
    }

    it('declined while the package waits on the mail server: the package goes, then the closed notice', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const official = request.signingOfficial.email;
      const smtp = s.engine.smtp;
      // Every recipient deferred (the copy's too), as a mail server down: the package is tried again.
      const copy = 'aou-so@aou.example.org';
      for (const address of [official, copy]) smtp.refuse.set(address, 451);
      const { agreementId } = await s.request(request);
      await until(async () => smtp.rcptAttempts.includes(official));
      await s.handle(agreementId).executeUpdate(declineUpdate, { args: [{ reason: 'Not this year' }] });
      for (const address of [official, copy]) smtp.refuse.delete(address);
      await s.days(1); // the activity's next try, then the notice
      await until(async () => s.sent(agreementId, 'closed-notice').length === 1);
      // Before patch closed-after-package the official held the package and heard nothing more (a trial).
      assert.deepEqual(
        s.sent(agreementId).filter((m) => m.endsWith(`-> ${official}`)),
        [`initiation-package -> ${official}`, `closed-notice -> ${official}`],
      );
      const final = await s.status(agreementId);
      assert.equal(final.stage, 'declined');
      assert.equal(final.initiatedAt, null, 'a package after the end initiates nothing');
      // No "sent you on not yet" (a recheck): the notice names no date the agreement does not have.
      const [notice] = s.messages(agreementId, 'closed-notice');
      assert.match(
        notice!.text!,
        /The Data Use and Registration Agreement we sent you for Test University \d+ /,
      );
      await saveHistory(s.env, agreementId, 'closed-after-package', database);
    });

    it('a request after the institution declined waits for the access team; initiate sends it', async () => {
      const first = aRequest({ receivedAt: await s.now() });
      const declined = await s.request(first);
      await s.days(3);
      await s
        .handle(declined.agreementId)
        .executeUpdate(declineUpdate, { args: [{ reason: 'Not this year' }] });
      // Closed, without awaiting its result (which lets the time-skipping server skip years ahead).
      await until(async () => (await s.handle(declined.agreementId).describe()).status.name === 'COMPLETED');
      const again = { ...first, requester: { name: 'Bo Chen', email: `bo@${first.institution.domain}` } };
      const { agreementId } = await s.request({ ...again, receivedAt: await s.now() });
      await s.days(1);
      const held = await s.status(agreementId);
      assert.deepEqual([held.stage, held.policy.initiation], ['awaiting-initiation', 'manual']);
      assert.match(
        held.history.find((h) => h.event === 'initiation-held')?.detail ?? '',
        new RegExp(
          `^${declined.agreementId.replace(/\./g, '\\.')} was declined at \\S+Z: the package waits for dura initiate ${agreementId.replace(/\./g, '\\.')}$`,
        ),
      );
      assert.deepEqual(s.sent(agreementId), [`request-received -> bo@${first.institution.domain}`]);
      const initiated = await s.handle(agreementId).executeUpdate(initiateUpdate);
      assert.equal(initiated.stage, 'awaiting-signature');
      assert.deepEqual(s.sent(agreementId, 'initiation-package'), [
        `initiation-package -> ${first.signingOfficial.email}`,
      ]);
      await saveHistory(s.env, agreementId, 'held-after-decline', database);
    });
  });
