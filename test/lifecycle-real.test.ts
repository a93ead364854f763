// End to end on the time-skipping server with the REAL activities: records on SQLite and on PostgreSQL,
// SMTP to a sink.
import { strict as assert } from 'node:assert';
import { requestAgreement } from '../client/agreements';
import { executeUpdate, statusQuery } from '../workflows/messages';
import { agreementIdFrom } from '../common/agreement-target';
import type { agreementWorkflow } from '../workflows/agreement';
import { timeSkippingEnv } from './helpers/env';
import { aRequest } from './helpers/agreements';
import { realEngine, TEST_DATABASES } from './helpers/engine';
import { addresses } from './helpers/mail';
import { until } from './helpers/wait';
import { registrationIdsOf } from './helpers/expected-registration-mail';
import { REGISTRATION_SEQ_BASE } from '../activities/records/registrations';
import { registrationStatusQuery } from '../workflows/registration-messages';

for (const database of TEST_DATABASES)
  describe(`lifecycle with the real activities (${database} + SMTP)`, function () {
    const engine = realEngine(
      timeSkippingEnv,
      {
        ACCESS_TEAM_EMAIL: 'access@aou.example.org',
        AOU_SIGNING_OFFICIAL_EMAIL: 'aou-so@aou.example.org',
      },
      database,
    );

    it('every expected message arrives once, in order; the records show every stage and event', async () => {
      const { env, smtp: sink, dura, queue } = engine;
      const request = aRequest({ receivedAt: new Date(await env.currentTimeMs()).toISOString() });
      const { agreementId } = await requestAgreement(env.client, request, { taskQueue: queue });
      // Two fortnights of reminders and status updates (the second by day 36 even past holidays; the
      // third not before day 42).
      await env.sleep(37 * 24 * 3600_000);
      const handle = env.client.workflow.getHandle<typeof agreementWorkflow>(agreementIdFrom(agreementId));
      const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
      await handle.executeUpdate(executeUpdate, { args: [{ signedOn: today, documentRef: 'DURA-E2E-1' }] });
      assert.equal((await handle.result()).stage, 'completed');
      // The whole status, history included, as `dura status` reads it (the result has no history).
      const final = await handle.query(statusQuery);

      const requester = request.requester.email;
      const official = request.signingOfficial.email;
      const messages = sink.arrived.map((a) => a.mail);
      const arrived = messages.map((m) => addresses(m.to)[0]);
      const ids = messages.map((m) => m.messageId);
      assert.equal(new Set(ids).size, ids.length, 'a message arrived twice');
      assert.equal(arrived[0], official); // initiation package, cc the All of Us signing official
      assert.deepEqual(addresses(messages[0]!.cc), ['aou-so@aou.example.org']);
      assert.equal(arrived[1], requester); // request received and sent, in one message
      assert.equal(arrived.filter((a) => a === official).length, 3); // package + 2 reminders
      assert.deepEqual(arrived.slice(-2), [requester, requester]); // executed, then instructions
      assert.equal(messages.length, 8);
      assert.match(messages.at(-1)!.text ?? '', /Code of Conduct/i);

      // The records: the agreement's last snapshot, its whole history, every e-mail sent once.
      const stored = await dura.store.agreementStatus(agreementId);
      assert.equal(stored?.stage, 'completed');
      assert.equal(stored?.documentRef, 'DURA-E2E-1');
      const ref = (await handle.describe()).runId;
      const events = await dura.store.agreementEvents(ref);
      assert.deepEqual(
        events.filter((e) => e.seq < REGISTRATION_SEQ_BASE).map((e) => e.event),
        final.history.map((h) => h.event),
      );
      // The requester's registration (issue 18) adds its own events to the agreement's audit trail, each
      // once, numbered after the agreement's; it writes them a moment after it logs them.
      const [registrationId] = registrationIdsOf(final);
      assert.ok(registrationId, 'no registration tracked');
      const registration = env.client.workflow.getHandle(registrationId);
      let tracked: string[] = [];
      let recorded: string[] = [];
      await until(async () => {
        tracked = (await registration.query(registrationStatusQuery)).history.map((h) => h.event);
        recorded = (await dura.store.agreementEvents(ref))
          .filter((e) => e.seq >= REGISTRATION_SEQ_BASE)
          .map((e) => e.event);
        return tracked.length > 0 && recorded.length === tracked.length;
      }).catch(() => undefined);
      assert.deepEqual(recorded, tracked);
      assert.deepEqual(tracked, ['registration-tracking']); // the first nudge is 7 days away
      const emails = await dura.store.emails();
      assert.equal(emails.length, 8);
      assert.ok(emails.every((e) => e.state === 'sent'));
      const listed = await dura.store.lookupInstitution(request.institution.domain);
      assert.deepEqual(listed?.tiers, ['registered']);
    });
  });
