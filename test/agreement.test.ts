// The agreement lifecycle on the time-skipping server: the happy path and the access team's controls.
import { strict as assert } from 'node:assert';
import { aRequest, lifecycleHarness, saveHistory } from './helpers/agreements';
import { TEST_DATABASES } from './helpers/engine';
import { executeUpdate } from '../workflows/messages';
import { calendarActivities } from '../activities/calendar';
import { addresses } from './helpers/mail';

for (const database of TEST_DATABASES)
  describe(`agreement lifecycle on ${database}`, function () {
    const s = lifecycleHarness(database);

    it('happy path: initiated at once, 3 reminders, executed, instructions sent, completed', async () => {
      const request = aRequest({ receivedAt: await s.now() });
      const started = Date.now();
      const joined = await s.request(request);
      assert.equal(joined.outcome, 'started');
      const id = joined.agreementId;
      assert.equal(id, `${request.institution.domain}-1`, "the institution's first agreement");

      // Reminders fall due 14, 28 and 42 days after initiation, each moved past weekends and holidays:
      // the third by day 54 at the latest, the fourth not before day 56.
      await s.days(55);
      const waiting = await s.status(id);
      assert.equal(waiting.stage, 'awaiting-signature');
      assert.equal(waiting.remindersSent, 3);
      assert.ok(waiting.initiatedAt && waiting.initiatedAt <= waiting.initiationDueBy!);
      assert.equal(
        waiting.initiationDueBy,
        await calendarActivities.businessDeadline({ from: request.receivedAt, businessDays: 2 }),
      );
      assert.ok(waiting.nextReminderAt! > (await s.now()));

      const handle = s.handle(id);
      const executed = await handle.executeUpdate(executeUpdate, {
        args: [{ signedOn: (await s.now()).slice(0, 10), documentRef: 'DURA-2026-001' }],
      });
      assert.notEqual(executed.stage, 'awaiting-signature');
      // The result is the status without its history (patch brief-answers); the query has it.
      const result = await handle.result();
      assert.equal(result.stage, 'completed');
      assert.equal('history' in result, false);
      const final = await s.status(handle.workflowId);
      assert.equal(final.stage, 'completed');
      assert.equal(final.documentRef, 'DURA-2026-001');
      assert.ok(final.instructionsSentAt! <= final.instructionsDueBy!);
      assert.deepEqual(
        final.history.map((h) => h.event).filter((e) => !e.endsWith('-sent') || e === 'instructions-sent'),
        [
          'requested',
          'agreement-id',
          'initiation-due',
          'initiated',
          'executed',
          'registry-updated',
          'registration-tracked',
          'instructions-sent',
          'completed',
        ],
      );
      const requester = request.requester.email;
      const official = request.signingOfficial.email;
      // Each fortnight's reminder and status update go out together, in either order.
      const fortnight = [`reminder -> ${official}`, `status-update -> ${requester}`];
      const sent = s.sent(id);
      // Initiated at once: the requester's first message says both, received and sent (one-first-mail).
      assert.deepEqual(sent.slice(0, 2), [
        `initiation-package -> ${official}`,
        `request-received -> ${requester}`,
      ]);
      const [received] = s.messages(id, 'request-received');
      assert.match(received!.text!, /We sent the agreement to .* on \w+day, /);
      for (const i of [2, 4, 6]) assert.deepEqual(sent.slice(i, i + 2).sort(), fortnight);
      assert.deepEqual(sent.slice(8), [
        `executed -> ${requester}`,
        `registration-instructions -> ${requester}`,
      ]);
      const [pkg] = s.messages(id, 'initiation-package');
      assert.deepEqual(addresses(pkg!.cc), ['aou-so@aou.example.org']);
      assert.equal(
        pkg!.subject,
        `Data Use and Registration Agreement for ${request.institution.name} (All of Us Research Program, ref. ${id})`,
      );
      assert.deepEqual(await s.listedTiers(request.institution.domain), ['registered']);
      // The records hold the whole history, in order; the requester's registration adds its own after
      // it (test/registration.test.ts).
      const ref = (await handle.describe()).runId;
      const recorded = await s.recordedEvents(ref);
      assert.deepEqual(
        recorded.slice(0, final.history.length),
        final.history.map((h) => h.event),
      );
      assert.ok(recorded.slice(final.history.length).every((e) => e.startsWith('registration-')));
      console.log(`      (55 days of agreement in ${Date.now() - started} ms of wall time)`);
      await saveHistory(s.env, id, 'happy-path', database);
    });
  });
