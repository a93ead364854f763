// End to end on the time-skipping server with the REAL activities: SQLite records and SMTP to a sink.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type DuraActivities } from '../activities';
import { requestAgreement } from '../client/agreements';
import { loadConfig } from '../common/config';
import { executeUpdate } from '../workflows/messages';
import type { agreementWorkflow } from '../workflows/agreement';
import { createWorker, taskQueue, timeSkippingEnv } from './helpers/env';
import { aRequest, workflowsPath } from './helpers/agreements';
import { addresses, startSmtp, type TestSmtp } from './helpers/mail';

describe('lifecycle with the real activities (SQLite + SMTP)', function () {
  let env: TestWorkflowEnvironment;
  let sink: TestSmtp;
  let dura: DuraActivities;
  let worker: Worker;
  let running: Promise<void>;
  let dir: string;
  const queue = taskQueue('real');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-e2e-'));
    sink = await startSmtp();
    const config = loadConfig({
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
      SMTP_URL: sink.url,
      ACCESS_TEAM_EMAIL: 'access@aou.example.org',
      AOU_SIGNING_OFFICIAL_EMAIL: 'aou-so@aou.example.org',
    });
    dura = await createActivities(config, { dataDir: dir, env: {} });
    env = await timeSkippingEnv();
    worker = await createWorker(env, { taskQueue: queue, workflowsPath, activities: dura.activities });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await dura?.close();
    await sink?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every expected message arrives once, in order; the records show every stage and event', async () => {
    const request = aRequest({ receivedAt: new Date(await env.currentTimeMs()).toISOString() });
    const { agreementId } = await requestAgreement(env.client, request, { taskQueue: queue });
    // Two fortnights of reminders and status updates (the second by day 36 even past holidays; the
    // third not before day 42).
    await env.sleep(37 * 24 * 3600_000);
    const handle = env.client.workflow.getHandle<typeof agreementWorkflow>(agreementId);
    const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
    await handle.executeUpdate(executeUpdate, { args: [{ signedOn: today, documentRef: 'DURA-E2E-1' }] });
    const final = await handle.result();
    assert.equal(final.stage, 'completed');

    const requester = request.requester.email;
    const official = request.signingOfficial.email;
    const messages = sink.arrived.map((a) => a.mail);
    const arrived = messages.map((m) => addresses(m.to)[0]);
    const ids = messages.map((m) => m.messageId);
    assert.equal(new Set(ids).size, ids.length, 'a message arrived twice');
    assert.equal(arrived[0], requester); // request received
    assert.equal(arrived[1], official); // initiation package, cc the All of Us signing official
    assert.deepEqual(addresses(messages[1]!.cc), ['aou-so@aou.example.org']);
    assert.equal(arrived.filter((a) => a === official).length, 3); // package + 2 reminders
    assert.deepEqual(arrived.slice(-2), [requester, requester]); // executed, then instructions
    assert.equal(messages.length, 9);
    assert.match(messages.at(-1)!.text ?? '', /Code of Conduct/i);

    // The records: the agreement's last snapshot, its whole history, every e-mail sent once.
    const stored = await dura.store.agreementStatus(agreementId);
    assert.equal(stored?.stage, 'completed');
    assert.equal(stored?.documentRef, 'DURA-E2E-1');
    const ref = (await handle.describe()).runId;
    const events = await dura.store.agreementEvents(ref);
    assert.deepEqual(
      events.map((e) => e.event),
      final.history.map((h) => h.event),
    );
    const emails = await dura.store.emails();
    assert.equal(emails.length, 9);
    assert.ok(emails.every((e) => e.state === 'sent'));
    const listed = await dura.store.lookupInstitution(request.institution.domain);
    assert.deepEqual(listed?.tiers, ['registered']);
  });
});
