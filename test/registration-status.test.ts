// `dura status` shows each requester's registration steps once the instructions went out (issue 18), on
// both paths (lean: status-fast.ts; full: DURA_LEAN_STATUS=off), text and JSON alike: an agreement run to
// its instructions on the time-skipping server, its requester's registration started by the agreement
// workflow, a step recorded with `dura registration record` as a subprocess.
import { strict as assert } from 'node:assert';
import { registrationsFor } from '../activities/records/registrations';
import { noStepsDone } from '../common/registration';
import { newYorkDate } from '../common/when';
import { executeUpdate } from '../workflows/messages';
import { aRequest, lifecycleHarness } from './helpers/agreements';
import { dura } from './helpers/cli';
import { until } from './helpers/wait';

describe('dura status: the requesters’ registrations', function () {
  this.timeout(180_000);
  const s = lifecycleHarness('sqlite');

  it('once the instructions went out, each requester’s steps, on the lean and the full path', async () => {
    const request = aRequest({ receivedAt: '' });
    const email = request.requester.email;
    const { agreementId } = await s.request({ ...request, receivedAt: await s.now() });
    // Before the instructions: no registrations at all.
    const early = await dura(['status', agreementId, '--json'], s.engine.cliEnv);
    assert.equal(early.status, 0, early.stderr);
    assert.equal('registrations' in JSON.parse(early.stdout), false);

    await s
      .handle(agreementId)
      .executeUpdate(executeUpdate, { args: [{ signedOn: newYorkDate(await s.now()) }] });
    await s.handle(agreementId).result();
    await until(async () => (await registrationsFor(s.engine.dura.store.db, email)).length > 0);

    // The machine's yesterday: never after the server's today (its clock runs ahead when it skips).
    const yesterday = newYorkDate(Date.now() - 86_400_000);
    const recorded = await dura(
      ['registration', 'record', email, '--step', 'Code of Conduct', '--on', yesterday],
      s.engine.cliEnv,
    );
    assert.equal(recorded.status, 0, recorded.stderr);

    const lean = await dura(['status', agreementId], { ...s.engine.cliEnv, DURA_LEAN_STATUS: 'debug' });
    assert.equal(lean.status, 0, lean.stderr);
    assert.equal(lean.stderr, '', 'the lean path answered');
    assert.match(
      lean.stdout,
      /\n\nRegistration\n {2}Ada Researcher <[^>]+>: 4 left; next nudge \d{4}-\d{2}-\d{2}\n/,
    );
    assert.match(lean.stdout, /\n {4}Data User Code of Conduct\s+\w{3}, \w{3} \d+, \d{4}\n/);
    assert.match(lean.stdout, /\n {4}identity verification\s+not yet\n/);
    const full = await dura(['status', agreementId], { ...s.engine.cliEnv, DURA_LEAN_STATUS: 'off' });
    assert.equal(full.stdout, lean.stdout);

    const leanJson = await dura(['status', agreementId, '--json'], s.engine.cliEnv);
    const fullJson = await dura(['status', agreementId, '--json'], {
      ...s.engine.cliEnv,
      DURA_LEAN_STATUS: 'off',
    });
    const { registrations } = JSON.parse(leanJson.stdout) as {
      registrations: {
        agreementId: string;
        requester: { email: string };
        steps: Record<string, string | null>;
      }[];
    };
    assert.deepEqual(JSON.parse(fullJson.stdout), JSON.parse(leanJson.stdout));
    assert.equal(registrations.length, 1);
    assert.equal(registrations[0]!.agreementId, agreementId);
    assert.equal(registrations[0]!.requester.email, email);
    assert.deepEqual(registrations[0]!.steps, { ...noStepsDone(), 'code-of-conduct': yesterday });
  });
});
