// `POST /api/registration` (issue 18): the Researcher Workbench's signed steps, on the dev server with a
// real worker, real registration workflows and SQLite records. A signed post is recorded (the workflow and
// the records show the step); a tampered body, a wrong secret, a stale timestamp and a missing signature
// are each 401 with nothing recorded; bad fields are 400 naming them, an unknown address 404; the endpoint
// is off (404) without DURA_WORKBENCH_SECRET; no CSRF token is asked for. Fastify inject, and one real post.
import { strict as assert } from 'node:assert';
import type { FastifyInstance } from 'fastify';
import { mailSettings } from '../activities/mail/settings';
import { registrationsFor } from '../activities/records/registrations';
import { loadConfig, type Config } from '../common/config';
import { noStepsDone } from '../common/registration';
import { newYorkDate } from '../common/when';
import { buildWebServer } from '../web/server';
import { signWorkbenchBody } from '../web/workbench-signature';
import { registrationStatusQuery } from '../workflows/registration-messages';
import { realEngine } from './helpers/engine';
import { devServerEnv } from './helpers/env';
import { anAgreement, aRegistration } from './helpers/registrations';

const SECRET = 'workbench-shared-secret-0123456789abcdef';
const KEY = new Uint8Array(Buffer.alloc(32, 7));
const DOMAIN = `hook-${process.pid}.edu`;
const ADA = `ada@${DOMAIN}`;
const GRACE = `grace@${DOMAIN}`;

describe('POST /api/registration (the Workbench web hook)', function () {
  this.timeout(180_000);
  const engine = realEngine(devServerEnv);
  let config: Config;
  let app: FastifyInstance;
  let adaId: string;
  const today = newYorkDate();
  const apps: FastifyInstance[] = [];

  async function server(workbenchSecret?: string): Promise<FastifyInstance> {
    const built = await buildWebServer({
      config,
      web: {
        host: '127.0.0.1',
        port: 0,
        rateLimit: 1000,
        trustProxy: false,
        ...(workbenchSecret ? { workbenchSecret } : {}),
      },
      store: engine.dura.store,
      temporal: () => Promise.resolve(engine.env.client),
      linkKey: KEY,
      links: mailSettings({}).links,
      logLevel: 'silent',
    });
    apps.push(built);
    return built;
  }
  /** A post as the Workbench sends it: the body's exact bytes signed with `secret` at `at` (unix seconds). */
  function post(
    body: unknown,
    options: { secret?: string; at?: number; tamper?: (raw: string) => string; raw?: string } = {},
  ) {
    const raw = options.raw ?? JSON.stringify(body);
    const at = options.at ?? Math.floor(Date.now() / 1000);
    return app.inject({
      method: 'POST',
      url: '/api/registration',
      headers: {
        'content-type': 'application/json',
        'x-dura-timestamp': String(at),
        'x-dura-signature': signWorkbenchBody(options.secret ?? SECRET, at, raw),
      },
      payload: options.tamper ? options.tamper(raw) : raw,
    });
  }
  const stepsOf = async (email: string) => (await registrationsFor(engine.dura.store.db, email))[0]!.steps;

  before(async () => {
    config = loadConfig({ ...engine.cliEnv });
    const agreement = await anAgreement(engine, DOMAIN);
    adaId = (await aRegistration(engine, agreement, DOMAIN, { name: 'Ada Researcher', email: ADA }))
      .registrationId;
    await aRegistration(engine, agreement, DOMAIN, { name: 'Grace Hopper', email: GRACE });
    app = await server(SECRET);
  });
  after(async () => {
    for (const a of apps) await a.close();
  });

  it('refused with 401, nothing recorded: a tampered body, a wrong secret, a stale timestamp, no signature', async () => {
    const body = { email: ADA, step: 'identity', completedOn: today };
    const tampered = await post(body, { tamper: (raw) => raw.replace('identity', 'account') });
    assert.equal(tampered.statusCode, 401);
    assert.deepEqual(tampered.json(), { error: 'x-dura-signature: does not match the body and timestamp' });
    assert.equal((await post(body, { secret: 'another-secret-of-the-right-length-000000' })).statusCode, 401);
    const stale = await post(body, { at: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.statusCode, 401);
    assert.deepEqual(stale.json(), {
      error: "x-dura-timestamp: more than 5 minutes from the server's clock",
    });
    const unsigned = await app.inject({
      method: 'POST',
      url: '/api/registration',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    assert.equal(unsigned.statusCode, 401);
    assert.deepEqual(await stepsOf(ADA), noStepsDone());
  });

  it('a signed post is recorded: 200 with the registration; the workflow and the records show the step', async () => {
    // No cookie and no CSRF token: the hook is not a form.
    const answer = await post({
      email: ADA.toUpperCase(),
      step: 'Identity Verification',
      completedOn: today,
    });
    assert.equal(answer.statusCode, 200, answer.body);
    const { outcome, registration } = answer.json<{
      outcome: string;
      registration: { agreementId: string; steps: Record<string, string | null> };
    }>();
    assert.equal(outcome, 'recorded');
    assert.equal(registration.steps.identity, today);
    const status = await engine.env.client.workflow.getHandle(adaId).query(registrationStatusQuery);
    assert.equal(status.steps.identity, today);
    assert.ok(status.history.some((h) => /identity/.test(`${h.event} ${h.detail ?? ''}`)));
    assert.deepEqual(await stepsOf(ADA), { ...noStepsDone(), identity: today });
    // The same post again (a replay within the window) changes nothing.
    const again = await post({ email: ADA, step: 'identity', completedOn: today });
    assert.equal(again.json<{ outcome: string }>().outcome, 'already-recorded');
  });

  it('bad fields are 400 naming each; an address with no registration 404; nothing recorded', async () => {
    const bad = await post([
      { email: GRACE, step: 'account', completedOn: today },
      { email: 'grace', step: 'gold', completedOn: '2099-01-01' },
      'account',
    ]);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), {
      error: 'bad request',
      problems: [
        '[1].email: "grace": not an e-mail address',
        '[1].step: unknown step "gold": expected one of account, two-step, identity, code-of-conduct, rcr-training (or their words, e.g. "2-Step Verification", "RCR Training")',
        `[1].completedOn: 2099-01-01 is in the future (today is ${today} in New York)`,
        '[2]: expected an object {email, step, completedOn}',
      ],
    });
    const notJson = await post(undefined, { raw: '{"email":' });
    assert.equal(notJson.statusCode, 400);
    assert.deepEqual(notJson.json(), { error: 'body: not JSON (send application/json)' });
    const unknown = await post({ email: `nobody@${DOMAIN}`, step: 'account', completedOn: today });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(unknown.json(), {
      error: 'no registration is tracked for an address',
      problems: [`email: no registration is tracked for nobody@${DOMAIN}`],
    });
    assert.deepEqual(await stepsOf(GRACE), noStepsDone());
  });

  it('off without DURA_WORKBENCH_SECRET: 404, whatever is sent', async () => {
    const off = await server();
    const answer = await off.inject({
      method: 'POST',
      url: '/api/registration',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.equal(answer.statusCode, 404);
    assert.match(answer.json<{ error: string }>().error, /not enabled/);
  });

  it('over real HTTP: a list of steps, signed, recorded in order', async () => {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const raw = JSON.stringify([
      { email: GRACE, step: 'account', completedOn: today },
      { email: GRACE, step: '2-Step Verification', completedOn: today },
    ]);
    const at = Math.floor(Date.now() / 1000);
    const response = await fetch(`${base}/api/registration`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-dura-timestamp': String(at),
        'x-dura-signature': signWorkbenchBody(SECRET, at, raw),
      },
      body: raw,
    });
    assert.equal(response.status, 200);
    const { results } = (await response.json()) as { results: { outcome: string }[] };
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['recorded', 'recorded'],
    );
    assert.deepEqual(await stepsOf(GRACE), { ...noStepsDone(), account: today, 'two-step': today });
  });
});
