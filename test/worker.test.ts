// The worker process (worker/main.ts) as a subprocess against the CLI dev server, with SQLite and the
// outbox in a temporary directory. One worker serves the first tests and stops in the fourth;
// a second one, sending through a slow SMTP server, shows a shutdown with work in flight.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { requestAgreement } from '../client/agreements';
import { agreementIdFrom } from '../common/agreement-target';
import { statusQuery } from '../workflows/messages';
import { aRequest } from './helpers/agreements';
import { devServerEnv, taskQueue } from './helpers/env';
import { freePort } from './helpers/mail';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';
import { describeError, safeMeta, scrub, TemporalLogger } from '../worker/logging';
import { openDatabase } from '../activities/records/db';
import { payloadEncryptionOf } from '../activities/records/engine-settings';

const GRACE_SECONDS = 3;

/** An SMTP server that greets each connection only after `delayMs`: an e-mail stays in flight that long. */
async function slowSmtp(delayMs: number) {
  const state = { delivered: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect: (_session, callback) => void setTimeout(() => callback(), delayMs),
    onData(stream, _session, callback) {
      stream.resume().on('end', () => {
        state.delivered++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** What a worker process logged as errors, message by message. */
const errorLines = (worker: WorkerProcess) =>
  worker
    .logs()
    .filter((l) => l.level === 'error')
    .map((l) => l.msg);

describe('worker process', function () {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let worker: WorkerProcess;
  let metricsUrl: string;
  const queue = taskQueue('worker');

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-worker-'));
    env = await devServerEnv();
    const metrics = `127.0.0.1:${await freePort()}`;
    metricsUrl = `http://${metrics}/metrics`;
    worker = startWorkerProcess(
      {
        TEMPORAL_ADDRESS: env.address,
        DURA_TASK_QUEUE: queue,
        DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
        // Given, as npm start and the image give it: unset, it is the project's own data/.
        DURA_DATA_DIR: path.join(dir, 'data'),
        DURA_METRICS_ADDRESS: metrics,
        DURA_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
        // The most verbose level: Core's own logs print (masked) payloads, the test's worst case.
        DURA_LOG_LEVEL: 'trace',
      },
      dir,
    );
  });

  after(async function () {
    await worker?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logs JSON lines (its own, the SDK’s and Core’s) and says once that it is polling', async () => {
    const polling = await worker.waitForLog((l) => l.msg === 'polling');
    assert.equal(polling.level, 'info');
    assert.equal(polling.taskQueue, queue);
    assert.equal(polling.address, env.address);
    assert.equal(polling.cacheSize, 2000);
    assert.equal(polling.metricsUrl, metricsUrl);
    await worker.waitForLog((l) => l.sdkComponent === 'core');
    for (const line of worker.lines()) assert.doesNotThrow(() => JSON.parse(line), line);
    assert.equal(worker.logs().filter((l) => l.msg === 'polling').length, 1);
    assert.equal(worker.stderr(), '');
    // Its records were not there: made, and said (a mistyped DATABASE_URL would run on empty records).
    const made = worker.logs().find((l) => l.msg.startsWith('made a new, empty records database'));
    assert.equal(made?.level, 'warn');
    assert.equal(made?.database, `sqlite:${dir}/dura.sqlite`);
    // What the clients are checked against before they start agreements (client/engine-encryption.ts).
    const db = openDatabase(`sqlite:${dir}/dura.sqlite`);
    try {
      assert.deepEqual(await payloadEncryptionOf(db), { writes: null, reads: [] });
    } finally {
      await db.destroy();
    }
  });

  it('names in one line what it cannot reach at start: Temporal, or the records database', async () => {
    const noTemporal = startWorkerProcess(
      { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: `sqlite:${dir}/dura.sqlite` },
      dir,
    );
    assert.equal((await noTemporal.exited).code, 1);
    assert.deepEqual(errorLines(noTemporal), ['cannot reach Temporal at 127.0.0.1:1: connection refused']);
    const noRecords = startWorkerProcess(
      { TEMPORAL_ADDRESS: env.address, DATABASE_URL: 'postgres://dura:secret@127.0.0.1:1/dura' },
      dir,
    );
    assert.equal((await noRecords.exited).code, 1);
    assert.deepEqual(errorLines(noRecords), [
      'cannot reach the records database postgres://dura:***@127.0.0.1:1/dura: connect ECONNREFUSED 127.0.0.1:1',
    ]);
    assert.ok(!noRecords.lines().join('\n').includes('secret'));
    // A status-link key file it cannot use is named as such, not as the records (a trial's EACCES).
    const keyDir = fs.mkdtempSync(path.join(dir, 'key-'));
    fs.writeFileSync(path.join(keyDir, 'status-link.key'), 'not a key\n');
    const badKey = startWorkerProcess(
      { TEMPORAL_ADDRESS: env.address, DATABASE_URL: `sqlite:${keyDir}/dura.sqlite`, DURA_DATA_DIR: keyDir },
      dir,
    );
    assert.equal((await badKey.exited).code, 1);
    assert.deepEqual(errorLines(badKey), [
      `cannot read the status-link key: ${path.join(keyDir, 'status-link.key')}: expected at least 32 bytes in base64`,
    ]);
  });

  it('serves Prometheus metrics of its task queue', async () => {
    let text = '';
    for (let i = 0; i < 50 && !text.includes(`task_queue="${queue}"`); i++) {
      const response = await fetch(metricsUrl);
      assert.equal(response.status, 200);
      text = await response.text();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(text, /^# TYPE temporal_\w+ \w+$/m);
    assert.match(text, new RegExp(`^temporal_\\w+\\{[^}]*task_queue="${queue}"[^}]*\\} \\d`, 'm'));
  });

  it('advances an agreement, logs its id, and never a person’s address or name', async () => {
    const request = aRequest({ receivedAt: new Date().toISOString() });
    const { agreementId } = await requestAgreement(env.client, request, { taskQueue: queue });
    const handle = env.client.workflow.getHandle(agreementIdFrom(agreementId));
    let status = await handle.query(statusQuery);
    for (let i = 0; i < 100 && !status.initiatedAt; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await handle.query(statusQuery);
    }
    assert.equal(status.stage, 'awaiting-signature');
    assert.ok(status.history.some((h) => h.event === 'initiated'));
    // Its mail went to the outbox in its DURA_DATA_DIR.
    assert.ok(fs.readdirSync(path.join(dir, 'data', 'outbox')).some((f) => f.endsWith('.eml')));

    await worker.waitForLog(
      (l) => l.agreementId === agreementIdFrom(agreementId) && l.msg === 'Activity completed',
    );
    const output = worker.lines().join('\n') + worker.stderr();
    const people = [request.requester, request.signingOfficial];
    for (const secret of people.flatMap((p) => [p.email, p.name]))
      assert.ok(!output.includes(secret), `the worker logged ${secret}`);
    assert.ok(!/[\w.+-]+@[\w-]+\.[\w.-]+/.test(output), 'the worker logged an e-mail address');

    // Every workflow task it completed names its short build id (worker/workflow-code.ts), as logged.
    const buildId = worker.logs().find((l) => l.msg === 'polling')?.buildId;
    assert.match(String(buildId), /^dura\/\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    const events = (await handle.fetchHistory()).events ?? [];
    const completions = events.flatMap((e) => e.workflowTaskCompletedEventAttributes ?? []);
    assert.ok(completions.length > 0);
    assert.deepEqual(new Set(completions.map((c) => c.workerVersion?.buildId)), new Set([buildId]));
  });

  it('on SIGTERM stops polling, logs its shutdown and exits 0', async () => {
    const sent = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.exited;
    assert.deepEqual([exit.code, exit.signal], [0, null], worker.stderr());
    assert.ok(exit.at - sent < (GRACE_SECONDS + 2) * 1000, `took ${exit.at - sent} ms`);
    const messages = worker.logs().map((l) => l.msg);
    assert.ok(messages.includes('stopping: finishing work in progress'), messages.join('\n'));
    assert.equal(messages.at(-1), 'stopped');
  });

  it('finishes the e-mail in flight, through a second signal, before it exits 0', async () => {
    const smtp = await slowSmtp(1500);
    const busy = startWorkerProcess(
      {
        TEMPORAL_ADDRESS: env.address,
        DURA_TASK_QUEUE: `${queue}-busy`,
        DATABASE_URL: `sqlite:${dir}/busy.sqlite`,
        SMTP_URL: smtp.url,
        DURA_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
        DURA_LOG_LEVEL: 'debug',
      },
      dir,
    );
    try {
      await busy.waitForLog((l) => l.msg === 'polling');
      const request = aRequest({ receivedAt: new Date().toISOString() });
      await requestAgreement(env.client, request, { taskQueue: `${queue}-busy` });
      await busy.waitForLog((l) => l.msg === 'Activity started' && l.activityType === 'sendEmail');
      const sent = Date.now();
      busy.signal('SIGTERM');
      await busy.waitForLog((l) => l.msg === 'Worker state changed' && l.state === 'STOPPING');
      // The SDK no longer listens: without the worker's own listener, Node's default action kills it.
      busy.signal('SIGINT');
      const exit = await busy.exited;
      assert.deepEqual([exit.code, exit.signal], [0, null], busy.stderr());
      assert.ok(exit.at - sent < (GRACE_SECONDS + 2) * 1000, `took ${exit.at - sent} ms`);
      assert.ok(smtp.delivered >= 1, 'the e-mail in flight was not delivered');
      const completed = busy
        .logs()
        .filter((l) => l.msg === 'Activity completed' && l.activityType === 'sendEmail');
      assert.ok(completed.length >= 1);
      const messages = busy.logs().map((l) => l.msg);
      assert.ok(
        messages.some((m) => m.startsWith('already stopping')),
        messages.join('\n'),
      );
      // The last of the worker's own lines (the SDK's last state change may be logged just after it).
      assert.equal(
        messages.filter((m) => m !== 'Worker state changed').at(-1),
        'stopped',
        messages.join('\n'),
      );
    } finally {
      await busy.stop();
      await smtp.close();
    }
  });

  it('refuses a bad DURA_WORKER_CACHE with one line naming it, and starts nothing', async () => {
    const bad = startWorkerProcess({ DURA_WORKER_CACHE: 'lots', TEMPORAL_ADDRESS: env.address }, dir);
    const exit = await bad.exited;
    assert.equal(exit.code, 1);
    const problems = bad.stderr().trim().split('\n');
    assert.equal(problems.length, 1, bad.stderr());
    assert.match(problems[0]!, /^DURA_WORKER_CACHE: /);
    assert.deepEqual(bad.lines(), []);
  });
});

describe('worker logs', () => {
  it('pass scalar ids and kinds, drop objects, mask addresses and name the agreement', () => {
    const meta = safeMeta({
      workflowId: 'dura-uw.edu',
      activityType: 'sendEmail',
      attempt: 2,
      isLocal: false,
      activation: { jobs: [{ signal: { input: ['Ada Researcher'] } }] },
      detail: '550 5.1.1 <ada@uw.edu>: no such user',
      [Symbol('time')]: 1n,
      msg: 'must not replace the message',
    });
    assert.deepEqual(meta, {
      workflowId: 'dura-uw.edu',
      activityType: 'sendEmail',
      attempt: 2,
      isLocal: false,
      detail: '550 5.1.1 <<email>>: no such user',
      agreementId: 'dura-uw.edu',
    });
  });

  it('reduce errors to type, message, stack and cause, without details', () => {
    const cause = Object.assign(new Error('bad address "so@uw.edu"'), {
      name: 'ApplicationFailure',
      type: 'BadData',
      nonRetryable: true,
      details: [{ name: 'Sam Official' }],
    });
    const summary = describeError(new Error('Activity task failed', { cause }));
    assert.ok(typeof summary === 'object');
    assert.equal(summary.message, 'Activity task failed');
    assert.deepEqual(
      { ...summary.cause, stack: undefined },
      {
        type: 'ApplicationFailure',
        message: 'bad address "<email>"',
        failureType: 'BadData',
        nonRetryable: true,
        stack: undefined,
      },
    );
    assert.ok(!JSON.stringify(summary).includes('Sam Official'));
  });

  it('mask the payloads Core prints, not the words in brackets', () => {
    const json = Buffer.from(JSON.stringify('ada@uw.edu')).toString('base64');
    assert.equal(scrub(`args: [[${json}]] and [eyJh..fQ==]`), 'args: [[payload]] and [payload]');
    assert.equal(scrub('commands: [CancelTimer] [Complete]'), 'commands: [CancelTimer] [Complete]');
  });

  it('mask an address refused as invalid too: it names a person all the same', () => {
    // A trial's worker log: `to[0].email: "ada@uw..edu" is not a valid e-mail address`, unmasked.
    assert.equal(
      scrub('to[0].email: "ada@uw..edu" is not a valid e-mail address; ada.@uw.edu, <so@uw.edu>'),
      'to[0].email: "<email>" is not a valid e-mail address; <email>, <<email>>',
    );
  });

  it('go through pino at its level, as JSON', () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const logger = new TemporalLogger(log);
    logger.info('not at warn', { workflowId: 'dura-uw.edu' });
    logger.warn('Activity failed', { workflowId: 'dura-uw.edu', error: new Error('to <a@b.org>') });
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.msg, 'Activity failed');
    assert.equal(line.agreementId, 'dura-uw.edu');
    assert.equal(line.error.message, 'to <<email>>');
  });
});
