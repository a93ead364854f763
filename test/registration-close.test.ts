// `dura registration close` (issue 18) as a subprocess on the dev server with a real worker and SQLite:
// the access team closes a requester's open registration (the person left), its workflow ends with no
// more mail, the records say closed and why, the stalled list leaves it out, and a step reported later
// is still recorded; bad input is named as typed, with nothing changed.
import { strict as assert } from 'node:assert';
import { listRegistrations, registrationsFor } from '../activities/records/registrations';
import { saveHistory } from './helpers/agreements';
import { dura as runDura, requestArgs } from './helpers/cli';
import { realEngine } from './helpers/engine';
import { devServerEnv } from './helpers/env';
import { aRecordedRegistration, recordedEvents } from './helpers/registrations';
import { until } from './helpers/wait';

const DOMAIN = `close-${process.pid}.edu`;
const ADA = `ada@${DOMAIN}`;
const TOM = `tom@${DOMAIN}`;
const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

describe('dura registration close, on the dev server', function () {
  const engine = realEngine(devServerEnv, {}, 'sqlite');
  const dura = (...args: string[]) => runDura(args, engine.cliEnv);
  const rowOf = async (email: string) => (await registrationsFor(engine.dura.store.db, email))[0]!;

  before(async function () {
    this.timeout(120_000);
    for (const email of [ADA, TOM]) assert.equal((await dura(...requestArgs(DOMAIN, email))).status, 0);
    assert.equal((await dura('execute', DOMAIN, '--on', today())).status, 0);
    await until(
      async () =>
        (await listRegistrations(engine.dura.store.db, { institution: DOMAIN })).filter((r) => r.nextNudgeAt)
          .length === 2,
      30_000,
    );
  });

  it('closes the open registration: its workflow ends, the records say why, nothing more is sent', async () => {
    const closed = await dura('registration', 'close', TOM.toUpperCase(), '--reason', 'left the institution');
    assert.equal(closed.status, 0, closed.stderr);
    assert.match(closed.stdout, new RegExp(`^${DOMAIN}-1: closed\\n`));
    assert.match(closed.stdout, /<tom@[^>]+>: closed \d{4}-\d\d-\d\d, 5 left \(left the institution\)\n/);

    const row = await rowOf(TOM);
    assert.ok(row.closedAt);
    assert.equal(row.closedReason, 'left the institution');
    assert.equal(row.nextNudgeAt, null, 'no nudge is due');
    assert.equal(row.completedAt, null);
    const handle = engine.env.client.workflow.getHandle(row.registrationId);
    await until(async () => (await handle.describe()).status.name === 'COMPLETED', 20_000);
    const events = await recordedEvents(engine, row.agreementRef, 'registration-closed');
    assert.deepEqual(events, [
      { event: 'registration-closed', detail: `${TOM}: 5 steps left; left the institution` },
    ]);
    assert.ok((await rowOf(ADA)).nextNudgeAt, 'the other requester is still tracked');

    // Listed as closed, with its columns in CSV; twice is "nothing to close".
    const list = await dura('registration', 'list', '--csv');
    assert.match(list.stdout, new RegExp(`^${TOM},.*,${row.closedAt},left the institution$`, 'm'));
    const again = await dura('registration', 'close', TOM, '--reason', 'again');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /: nothing to close\n/);
    assert.equal((await rowOf(TOM)).closedReason, 'left the institution');

    // A step reported later is still recorded (the records alone: its workflow has ended).
    const step = await dura('registration', 'record', TOM, '--step', 'account');
    assert.equal(step.status, 0, step.stderr);
    assert.equal((await rowOf(TOM)).steps.account, today());
    // `dura history` shows what the registrations wrote after the agreement's workflow closed.
    const history = await dura('history', DOMAIN);
    assert.match(history.stdout, /registration-closed: tom@\S+: 5 steps left; left the institution\n/);
    // Every step in after all: complete, not closed with nothing left.
    for (const step of ['two-step', 'identity', 'code-of-conduct', 'rcr-training'])
      assert.equal((await dura('registration', 'record', TOM, '--step', step)).status, 0);
    assert.ok((await rowOf(TOM)).completedAt, 'complete');
    assert.match((await dura('registration', 'list')).stdout, /^tom@\S+ .* complete \(\d{4}-\d\d-\d\d\)$/m);
    await saveHistory(engine.env, row.registrationId, 'registration-closed');
  });

  it('a closed registration is never listed as stalled (nor in the Monday digest)', async () => {
    const lin = `lin@${DOMAIN}`;
    const { agreementRef, agreementId, institution } = await rowOf(ADA);
    await aRecordedRegistration(engine, { agreementId, ref: agreementRef }, institution, {
      registrationId: 'test-registration-stalled-then-closed',
      requester: { name: 'Lin Left', email: lin },
      nudgesSent: 4,
      escalatedAt: '2026-09-14T13:00:00.000Z',
      closedAt: '2026-10-01T13:00:00.000Z',
      closedReason: 'will not register',
    });
    const stalled = await listRegistrations(engine.dura.store.db, { stalled: true });
    assert.deepEqual(
      stalled.filter((r) => r.requester.email === lin),
      [],
    );
    const table = await dura('registration', 'list', '--institution', DOMAIN);
    assert.match(table.stdout, /^lin@\S+ .* closed 2026-10-01, 5 left \(will not register\)$/m);
  });

  it('bad input named as typed, exit 1, nothing closed; an address not tracked', async () => {
    const bad = await dura('registration', 'close', 'ada', '--reason', ' ');
    assert.equal(bad.status, 1);
    assert.deepEqual(bad.stderr.trim().split('\n'), [
      'dura: ada: not an e-mail address',
      'dura: --reason: one line of 1 to 500 characters (why the registration is closed)',
    ]);
    const missing = await dura('registration', 'close', ADA);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^dura: --reason: required$/m);
    const stranger = await dura('registration', 'close', `nobody@${DOMAIN}`, '--reason', 'x');
    assert.equal(stranger.status, 1);
    assert.match(stranger.stderr, /nobody@\S+: no registration is tracked for this address/);
    assert.equal((await rowOf(ADA)).closedAt, null, 'nothing closed');
  });

  it('renew leaves out a requester whose registration was closed', async () => {
    const closed = await dura('registration', 'close', ADA, '--reason', 'moved to another university');
    assert.equal(closed.status, 0, closed.stderr);
    const renewed = await dura('renew', `${DOMAIN}-1`);
    assert.equal(renewed.status, 0, renewed.stderr);
    assert.match(renewed.stdout, new RegExp(`\\nleft out \\(their registration was closed\\): ${ADA}\\n$`));
    const renewal = renewed.stdout.match(/started as (\S+):/)![1]!;
    let requesters: { email: string }[] = [];
    await until(async () => {
      const status = await dura('status', renewal, '--json');
      requesters = status.status === 0 ? JSON.parse(status.stdout).requesters : [];
      return requesters.length > 0;
    }, 20_000);
    assert.deepEqual(
      requesters.map((r) => r.email),
      [TOM],
      'Tom (closed, then every step done) is kept; Ada is not',
    );
  });
});
