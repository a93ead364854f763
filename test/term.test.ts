// An agreement's term (issue 18) on the time-skipping server: warnings on business mornings and the
// lapse (registry, coverage, records, access team), and a renewal executed before the end date.
import { strict as assert } from 'node:assert';
import { aRequest, lifecycleHarness, saveHistory, type Lifecycle } from './helpers/agreements';
import { calendarActivities } from '../activities/calendar';
import { executeUpdate } from '../workflows/messages';
import { termStatusQuery } from '../workflows/term-messages';
import { addDays } from '../workflows/term';
import { newYorkDate } from '../common/when';
import { renewAgreement } from '../client/renew';
import type { termWorkflow } from '../workflows/term';

/**
 * One server per scenario: the Java test server keeps time-skipping locked once an abandoned child
 * (the term) completes after its parent closed (temporalio/sdk-typescript#1101), so nothing may wait
 * on the skipped clock after a term ends; each scenario ends with its term.
 */
function scenario(title: string, body: (s: Lifecycle) => void) {
  describe(title, function () {
    body(lifecycleHarness('sqlite'));
  });
}

/** An agreement executed a day after its request with an end date `days` after that, run to completion. */
async function executedWithTerm(s: Lifecycle, days: number) {
  const request = aRequest({ receivedAt: await s.now() });
  const { agreementId: id } = await s.request(request);
  await s.days(1);
  const signedOn = newYorkDate(await s.now());
  const expiresOn = addDays(signedOn, days);
  const handle = s.handle(id);
  await handle.executeUpdate(executeUpdate, { args: [{ signedOn, expiresOn }] });
  const final = await handle.result();
  assert.ok(final.termWorkflowId, 'its term started');
  return { request, id, signedOn, expiresOn, final, termWorkflowId: final.termWorkflowId };
}

const term = (s: Lifecycle, workflowId: string) =>
  s.env.client.workflow.getHandle<typeof termWorkflow>(workflowId);

scenario('an agreement term that lapses', (s) => {
  it('warns 60, 30 and 15 days before on business mornings, then lapses', async function () {
    const { request, id, expiresOn, final, termWorkflowId } = await executedWithTerm(s, 100);
    assert.equal(final.stage, 'completed');
    assert.equal(final.expiresOn, expiresOn);
    const before = await term(s, termWorkflowId).query(termStatusQuery);
    assert.deepEqual(
      before.warnings.map((w) => [w.daysBefore, w.state]),
      [
        [60, 'pending'],
        [30, 'pending'],
        [15, 'pending'],
      ],
    );
    for (const w of before.warnings)
      assert.equal(
        w.dueAt,
        await calendarActivities.businessMorning({ date: addDays(expiresOn, -w.daysBefore) }),
        `${w.daysBefore} days before: 09:00 New York on a business morning`,
      );

    // Awaiting the term's result skips the clock to its end (the 100 days).
    const ended = await term(s, termWorkflowId).result();
    assert.equal(ended.outcome, 'lapsed');
    assert.deepEqual(
      ended.warnings.map((w) => w.state),
      ['sent', 'sent', 'sent'],
    );
    const official = request.signingOfficial.email;
    assert.deepEqual(s.sent(id, 'term-warning'), Array(3).fill(`term-warning -> ${official}`));
    const [warning] = s.messages(id, 'term-warning');
    assert.match(warning!.subject!, /ends on/);
    assert.match(warning!.text!, /in 60 days/);
    assert.deepEqual(s.sent(id, 'term-lapsed'), ['term-lapsed -> access-team']);

    const store = s.engine.dura.store;
    const lapsedOn = addDays(expiresOn, 1);
    const profile = await store.institutionByDomain(request.institution.domain);
    assert.equal(profile!.tiers[0]!.lapsedOn, lapsedOn, 'kept on the registry, marked lapsed');
    const coverage = await store.checkCoverage(request.requester.email);
    assert.equal(coverage.tiers[0]!.covered, false);
    assert.equal(coverage.tiers[0]!.lapsedOn, lapsedOn);
    assert.equal(coverage.next, 'submit-request');
    assert.match(coverage.nextStep, /submit a DURA request \(renewal\)/);

    const recorded = await store.agreementStatus(id);
    assert.equal(recorded!.stage, 'lapsed');
    assert.equal(recorded!.lapsedOn, lapsedOn);
    const events = recorded!.history.map((h) => h.event);
    // One agreement's history end to end, as the records keep it: request to lapse.
    for (const h of recorded!.history) console.log(`      ${h.at} ${h.event}: ${h.detail ?? ''}`);
    assert.equal(events.filter((e) => e === 'term-warning-sent').length, 3);
    assert.ok(events.includes('lapsed'));
    await saveHistory(s.env, termWorkflowId, 'term-lapsed');
  });
});

scenario('an agreement term that is renewed', (s) => {
  it('a renewal executed before the end date ends the old term as renewed, with no lapse', async function () {
    const { request, id, final, termWorkflowId } = await executedWithTerm(s, 100);
    const store = s.engine.dura.store;
    await s.days(45); // the 60-day warning is out
    const renewal = await renewAgreement(s.env.client, store, id, {
      taskQueue: s.engine.queue,
      receivedAt: await s.now(),
    });
    assert.equal(renewal.outcome, 'started');
    if (renewal.outcome !== 'started') return;
    await s.days(1);
    const renewing = await s.status(renewal.workflowId);
    assert.equal(renewing.renews, id);
    assert.equal(renewing.kind, 'new');
    assert.equal(renewing.stage, 'awaiting-signature');
    assert.deepEqual(renewing.requesters, final.requesters);
    const signedOn = newYorkDate(await s.now());
    const handle = s.handle(renewal.workflowId);
    await handle.executeUpdate(executeUpdate, {
      args: [{ signedOn, expiresOn: addDays(signedOn, 365) }],
    });
    const renewed = await handle.result();
    assert.equal(renewed.stage, 'completed');
    assert.notEqual(renewed.agreementId, id);

    // The old term is closed, so nothing is left to lapse it (no clock skipping after it: see above).
    const oldTerm = await term(s, termWorkflowId).result();
    assert.equal(oldTerm.outcome, 'renewed');
    assert.equal(oldTerm.renewedBy, renewed.agreementId);
    assert.deepEqual(
      oldTerm.warnings.map((w) => w.state),
      ['sent', 'not-needed', 'not-needed'],
    );
    assert.equal((await term(s, termWorkflowId).describe()).status.name, 'COMPLETED');
    assert.deepEqual(s.sent(id, 'term-lapsed'), []);
    const profile = await store.institutionByDomain(request.institution.domain);
    assert.equal(profile!.tiers[0]!.lapsedOn ?? null, null, 'still in force');
    const recorded = await store.agreementStatus(id);
    assert.equal(recorded!.stage, 'renewed');
    assert.equal(recorded!.renewedBy, renewed.agreementId);
    await saveHistory(s.env, termWorkflowId, 'term-renewed');
    await saveHistory(s.env, renewal.workflowId, 'renewal');
  });
});
