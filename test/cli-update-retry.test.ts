// `dura execute`, `dura cancel` and `dura import` while the worker is away: the real CLI (subprocesses),
// the CLI dev server, the real worker as a subprocess (stopped, paused, killed and started again), SQLite
// and an SMTP sink. The CLI waits, says so once on stderr, and the update is applied once.
import { strict as assert } from 'node:assert';
import { newYorkDate } from '../common/when';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { updateAgreement } from '../client/agreement-handle';
import { UnreachableError } from '../client/output';
import { executedSignal } from '../workflows/messages';
import { DuraStage } from '../workflows/search-attributes';
import { dura, type CliResult } from './helpers/cli';
import { cliEntry } from './helpers/cli-entry';
import { devServerEnv } from './helpers/env';
import {
  prebuiltBundle,
  startFastWorker,
  workerLogTail,
  type FastWorker,
} from './helpers/fast-worker-process';
import { startSmtp, type TestSmtp } from './helpers/mail';
import { settled } from './helpers/settle';
import { until } from './helpers/wait';

const WAITING =
  /^dura: waiting for a worker to take the (update|requests?) \(.+; trying for up to 2 min\)$/gm;

/** The CLI as a subprocess whose stderr the test can watch while it runs. */
function duraRunning(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...cliEntry(), ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result: CliResult = { status: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (result.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (result.stderr += chunk));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (status) => resolve({ ...result, status })),
  );
  return { result, done, kill: () => child.kill('SIGKILL') };
}

const waitingLines = (stderr: string) => stderr.match(WAITING) ?? [];
/** The CLI says it waits on its first refusal; on a loaded machine its own start can take a while. */
const WAIT_LINE_MS = 60_000;

describe('dura rides out a worker that is away', function () {
  this.timeout(240_000);
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtp;
  let dir: string;
  let cliEnv: NodeJS.ProcessEnv;
  let workerEnv: NodeJS.ProcessEnv;
  let worker: FastWorker | undefined;
  const today = newYorkDate(); // execute --on takes a New York date, never a future one

  const startWorker = async () => {
    worker = startFastWorker(workerEnv, dir);
    await worker.polling;
  };
  const request = (domain: string) =>
    dura(
      [
        ...['request', '--institution-name', `University of ${domain}`, '--domain', domain],
        ...['--requester-name', 'Ada Researcher', '--requester-email', `ada@${domain}`],
        ...['--official-name', 'Sam Signer', '--official-email', `osp@${domain}`, '--tier', 'registered'],
      ],
      cliEnv,
    );
  const published = async (domain: string) =>
    (await env.client.workflow.getHandle(`dura-${domain}`).describe()).typedSearchAttributes.get(DuraStage);
  /** An agreement awaiting signature (the worker initiates it at once). */
  const awaitingSignature = async (domain: string) => {
    const answer = await request(domain);
    assert.equal(answer.status, 0, answer.stderr);
    await until(async () => (await published(domain)) === 'awaiting-signature', 30_000);
  };
  /** The updates of `name` the agreement's history accepted (and so applied). */
  const accepted = async (domain: string, name: string) => {
    const history = await env.client.workflow.getHandle(`dura-${domain}`).fetchHistory();
    return (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name,
    ).length;
  };

  /**
   * Leaves the agreement's workflow task failing, as a worker killed while it held the task does.
   * Paused, the worker still holds its polls: the task of a signal that arrives now (from an
   * integration; it is ignored) goes to it and times out, and so does its retry. From the third try on,
   * Temporal refuses updates ("Workflow Task in failed state") until a worker completes the task.
   */
  const failingWorkflowTask = async (domain: string) => {
    await awaitingSignature(domain);
    const handle = env.client.workflow.getHandle(`dura-${domain}`);
    // Paused only once the agreement is quiet: paused inside a records write, the worker would hold the
    // SQLite lock, and the CLI under test (which reads the registry) would fail on it ("database is
    // locked", seen once in CI) instead of waiting for a worker.
    assert.equal(await settled(handle), 'quiet');
    process.kill(worker!.pid, 'SIGSTOP');
    await handle.signal(executedSignal, { signedOn: '2999-01-01', documentRef: 'too early' });
    await until(async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 3, 60_000);
  };

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-update-retry-'));
    smtp = await startSmtp();
    env = await devServerEnv();
    cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      DURA_TASK_QUEUE: 'update-retry',
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
    };
    workerEnv = {
      ...cliEnv,
      SMTP_URL: smtp.url,
      DURA_BENCH_DAY_SECONDS: '60', // no reminder falls due during the file
      DURA_FAULTS_WORKFLOW_BUNDLE: await prebuiltBundle(dir),
      DURA_LOG_LEVEL: 'info', // its `polling` line says it is up
    };
    await startWorker();
  });

  after(async function () {
    if (this.currentTest?.state === 'failed') console.log(workerLogTail(dir));
    await worker?.stop();
    await env?.teardown();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dura execute waits for a worker that was stopped, says so once, and the update applies once', async () => {
    await awaitingSignature('stopped.edu');
    await worker!.stop();
    const started = Date.now();
    const execute = duraRunning(['execute', 'stopped.edu', '--on', today, '--document', 'D-1'], cliEnv);
    await until(
      () => waitingLines(execute.result.stderr).length > 0,
      WAIT_LINE_MS,
      () => execute.result.stderr,
    );
    assert.match(execute.result.stderr, /no worker has taken it yet/);
    await new Promise((resolve) => setTimeout(resolve, 12_000)); // past one try's deadline
    await startWorker();
    const answer = await execute.done;
    assert.equal(answer.status, 0, answer.stderr);
    assert.match(
      answer.stdout,
      /^stopped\.edu-1: execute done; stage (executed|instructions-sent|completed)\n$/,
    );
    assert.equal(waitingLines(answer.stderr).length, 1, answer.stderr);
    assert.equal(answer.stderr, waitingLines(answer.stderr)[0] + '\n');
    assert.ok(Date.now() - started > 12_000);
    assert.equal(await accepted('stopped.edu', 'execute'), 1);
  });

  it('dura cancel waits out a workflow task that a hung, then killed, worker left failing', async () => {
    await failingWorkflowTask('hung.edu');
    const cancel = duraRunning(['cancel', 'hung.edu', '--reason', 'Requester left'], cliEnv);
    await until(
      () => waitingLines(cancel.result.stderr).length > 0,
      WAIT_LINE_MS,
      () => cancel.result.stderr,
    );
    await worker!.kill9();
    await startWorker();
    const answer = await cancel.done;
    assert.equal(answer.status, 0, answer.stderr);
    // The update answers as soon as the agreement took it; the main loop then ends the agreement.
    assert.match(answer.stdout, /^hung\.edu-1: cancel done; stage cancelled\n$/);
    assert.equal(waitingLines(answer.stderr).length, 1, answer.stderr);
    assert.match(answer.stderr, /\(a worker stopped while it held the agreement; Temporal is retrying/);
    await until(async () => (await published('hung.edu')) === 'cancelled', 30_000);
    assert.equal(await accepted('hung.edu', 'cancel'), 1);
  });

  it('dura import waits out the same, for a request that joins an agreement', async () => {
    await failingWorkflowTask('hung-join.edu');
    const csv = path.join(dir, 'join.csv');
    fs.writeFileSync(
      csv,
      'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers\n' +
        'University of hung-join.edu,hung-join.edu,Bo Researcher,bo@hung-join.edu,Sam Signer,osp@hung-join.edu,registered\n',
    );
    const imported = duraRunning(['import', csv, '--json'], cliEnv);
    await until(
      () => waitingLines(imported.result.stderr).length > 0,
      WAIT_LINE_MS,
      () => imported.result.stderr,
    );
    await worker!.kill9();
    await startWorker();
    const answer = await imported.done;
    assert.equal(answer.status, 0, answer.stderr);
    assert.deepEqual(JSON.parse(answer.stdout).outcomes, { joined: 1 });
    assert.equal(waitingLines(answer.stderr).length, 1, answer.stderr);
    assert.match(answer.stderr, /\(a worker stopped while it held the agreement; Temporal is retrying/);
    assert.equal(await accepted('hung-join.edu', 'join'), 2); // the first request's, and this one
  });

  it('dura import and dura request wait for a worker (once for the whole file) and request each row once', async () => {
    const csv = path.join(dir, 'requests.csv');
    fs.writeFileSync(
      csv,
      'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers\n' +
        'Away University,away.edu,Ada Researcher,ada@away.edu,Sam Signer,osp@away.edu,registered\n' +
        'Away University,away.edu,Grace Researcher,grace@away.edu,Sam Signer,osp@away.edu,registered\n' +
        'Gone College,gone.edu,Alan Researcher,alan@gone.edu,Sam Signer,osp@gone.edu,registered\n',
    );
    await worker!.stop();
    const imported = duraRunning(['import', csv, '--json'], cliEnv);
    const requested = duraRunning(
      [
        ...['request', '--institution-name', 'Far College', '--domain', 'far.edu'],
        ...['--requester-name', 'Ada Researcher', '--requester-email', 'ada@far.edu'],
        ...['--official-name', 'Sam Signer', '--official-email', 'osp@far.edu', '--tier', 'registered'],
      ],
      cliEnv,
    );
    await until(
      () => [imported, requested].every((r) => waitingLines(r.result.stderr).length > 0),
      WAIT_LINE_MS,
      () => imported.result.stderr + requested.result.stderr,
    );
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    await startWorker();
    const single = await requested.done;
    assert.equal(single.status, 0, single.stderr);
    assert.equal(single.stdout, 'far.edu-1\n');
    assert.match(
      single.stderr,
      /^dura: waiting for a worker to take the request \(.+\)\nstarted \(awaiting-/,
    );
    assert.equal(waitingLines(single.stderr).length, 1);
    assert.equal(await accepted('far.edu', 'join'), 1);
    const answer = await imported.done;
    assert.equal(answer.status, 0, answer.stderr);
    assert.deepEqual(JSON.parse(answer.stdout).outcomes, { started: 2, joined: 1 });
    assert.equal(waitingLines(answer.stderr).length, 1, answer.stderr);
    assert.match(answer.stderr, /waiting for a worker to take the requests/);
    assert.equal(await accepted('away.edu', 'join'), 2);
    assert.equal(await accepted('gone.edu', 'join'), 1);
  });

  it('bad input and an unknown agreement exit 1 at once; an unreachable server exits 2', async () => {
    await awaitingSignature('input.edu');
    const started = Date.now();
    const future = await dura(['execute', 'input.edu', '--on', '2999-01-01'], cliEnv);
    assert.equal(future.status, 1, future.stderr);
    assert.equal(waitingLines(future.stderr).length, 0, future.stderr);
    assert.ok(Date.now() - started < 15_000);
    // No worker is needed to know that an agreement does not exist.
    await worker!.stop();
    const unknown = await dura(['cancel', 'nowhere.edu', '--reason', 'x'], cliEnv);
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, 'dura: no agreement for nowhere.edu\n');
    const away = await dura(['execute', 'input.edu', '--on', today], {
      ...cliEnv,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    assert.equal(away.status, 2);
    assert.match(away.stderr, /^dura: cannot reach Temporal at 127\.0\.0\.1:1: .*\n$/);
    await startWorker();
  });

  it('gives up after its bound (exit 2), saying the update may still be applied', async () => {
    await awaitingSignature('bound.edu');
    await worker!.stop();
    let waited = '';
    const gaveUp = await updateAgreement(
      env.client,
      { DATABASE_URL: cliEnv.DATABASE_URL! },
      'bound.edu',
      { name: 'cancel', args: [{ reason: 'gave up' }] },
      { patienceMs: 5000, onWait: (reason) => (waited = reason) },
    ).catch((err: unknown) => err);
    assert.ok(gaveUp instanceof UnreachableError, String(gaveUp));
    assert.match(
      gaveUp.message,
      /no worker took the update in 5 s .*it may still be applied when a worker runs/,
    );
    assert.equal(waited, 'no worker has taken it yet');
    // What a worker then does with it, as the message warns.
    await startWorker();
    await until(async () => (await published('bound.edu')) !== 'awaiting-signature', 30_000).catch(
      () => undefined,
    );
    console.log(`      after the bound, a worker found the agreement ${await published('bound.edu')}`);
  });
});
