// `dura status` when Temporal itself is down (client/status.ts): a real dev server and the real worker
// process record an agreement in a SQLite records file, then both are stopped. `status` answers from the records on
// both paths (lean: status-fast.ts; full: DURA_LEAN_STATUS=off), exit 0, with the same one-line notice
// as when no worker answers, naming the address that failed; an agreement the records do not hold, and every other command, exit 2.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordsStore } from '../activities/records/store';
import type { AgreementStatus } from '../common/agreement';
import { dura } from './helpers/cli';
import { devServerProcess, type DevServerProcess } from './helpers/dev-server-process';
import { startSmtp, type TestSmtp } from './helpers/mail';
import { until } from './helpers/wait';
import { startWorkerProcess } from './helpers/worker-process';

/** The notice, ending with the address tried and the gRPC reason. */
const noticeFor = (address: string) =>
  new RegExp(
    `^dura: no worker answered; this is the last status in the records ` +
      `\\(cannot reach Temporal at ${address.replace(/\./g, '\\.')}: [^\\n]+\\)\\n$`,
  );
const DOMAIN = 'down.example.edu';
const AGREEMENT = `dura-${DOMAIN}`;

describe('`dura status` with Temporal down answers from the records', function () {
  this.timeout(120_000);
  let dir: string;
  let server: DevServerProcess;
  let smtp: TestSmtp;
  let env: NodeJS.ProcessEnv;
  /** What the worker answered while everything ran (and the records then held the same). */
  let live: AgreementStatus;
  let liveText: string;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-status-down-'));
    smtp = await startSmtp();
    server = await devServerProcess(dir);
    await server.start();
    env = {
      TEMPORAL_ADDRESS: server.address,
      DURA_TASK_QUEUE: 'status-down',
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
    };
    const worker = startWorkerProcess({ ...env, SMTP_URL: smtp.url }, dir);
    try {
      await worker.waitForLog((l) => l.msg === 'polling', 60_000);
      const requested = await dura(
        [
          ...['request', '--institution-name', 'University of Down', '--domain', DOMAIN],
          ...['--requester-name', 'Ada Researcher', '--requester-email', `ada@${DOMAIN}`],
          ...['--official-name', 'Sam Signer', '--official-email', `osp@${DOMAIN}`, '--tier', 'registered'],
          ...['--initiation', 'manual'], // it stays put: the snapshot is the last status
        ],
        env,
      );
      assert.equal(requested.status, 0, requested.stderr);
      const handle = (await server.client()).workflow.getHandle(AGREEMENT);
      const records = await RecordsStore.open(env.DATABASE_URL!);
      try {
        await until(async () => {
          live = await handle.query<AgreementStatus>('status');
          return JSON.stringify(await records.agreementStatus(AGREEMENT)) === JSON.stringify(live);
        });
      } finally {
        await records.close();
      }
      const text = await dura(['status', DOMAIN], env);
      assert.deepEqual([text.status, text.stderr], [0, ''], text.stderr);
      liveText = text.stdout;
    } finally {
      worker.signal('SIGTERM');
      await worker.exited;
    }
    await server.stop(); // it replays every history it holds first (helpers/dev-server-process.ts)
  });

  after(async function () {
    await server?.stop();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Debug: the lean path says on stderr if it hands over, so a quiet stderr shows it answered itself.
  const lean = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    dura(['status', ...args], { ...env, DURA_LEAN_STATUS: 'debug', ...extra });
  const full = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    dura(['status', ...args], { ...env, DURA_LEAN_STATUS: 'off', ...extra });

  it('--json prints the recorded status, exit 0, the notice on stderr, on both paths', async () => {
    for (const run of [lean, full]) {
      for (const args of [
        [DOMAIN, '--json'],
        ['--json', AGREEMENT],
      ]) {
        const result = await run(args);
        assert.equal(result.status, 0, `${args}: ${result.stderr}`);
        assert.match(result.stderr, noticeFor(server.address));
        assert.deepEqual(JSON.parse(result.stdout), live);
      }
    }
  });

  it('the text view is the one a worker gave, with the notice', async () => {
    for (const run of [lean, full]) {
      const result = await run([DOMAIN]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, noticeFor(server.address));
      assert.equal(result.stdout, liveText);
      assert.match(result.stdout, /University of Down \(down\.example\.edu\)/);
    }
  });

  it('an agreement the records do not hold exits 2: Temporal is unreachable, not "no agreement"', async () => {
    const address = server.address.replace(/\./g, '\\.');
    for (const run of [lean, full]) {
      const result = await run(['nowhere.example.edu', '--json']);
      assert.deepEqual([result.status, result.stdout], [2, ''], result.stderr);
      assert.match(result.stderr, new RegExp(`^dura: cannot reach Temporal at ${address}: [^\\n]+\\n$`));
    }
  });

  it('with the records unreachable too, exits 2 naming both', async () => {
    const records = { DATABASE_URL: 'postgres://dura:secret@127.0.0.1:1/dura' };
    for (const run of [lean, full]) {
      const result = await run([DOMAIN, '--json'], records);
      assert.deepEqual([result.status, result.stdout], [2, ''], result.stderr);
      assert.match(
        result.stderr,
        /^dura: cannot reach Temporal at [^\n]+; nor the records database postgres:\/\/dura:\*\*\*@127\.0\.0\.1:1\/dura: [^\n]+\n$/,
      );
    }
  });

  it('bad input still exits 1; every other command still exits 2', async () => {
    const badAddress = await dura(['status', DOMAIN], { ...env, TEMPORAL_ADDRESS: 'nowhere' });
    assert.equal(badAddress.status, 1);
    assert.match(badAddress.stderr, /^dura: TEMPORAL_ADDRESS: expected host:port/);
    for (const args of [['history', DOMAIN], ['list'], ['initiate', DOMAIN]]) {
      const result = await dura([...args, '--json'], env);
      assert.equal(result.status, 2, `${args}: ${result.stderr}`);
      assert.match(result.stderr, /^dura: cannot reach Temporal at /);
    }
  });

  it("mail the ledger still has on its way shows as from a worker's answer (last: it adds a row)", async () => {
    const records = await RecordsStore.open(env.DATABASE_URL!);
    const key = `test/${AGREEMENT}/reminder/1`;
    try {
      const entry = {
        idempotencyKey: key,
        messageId: '<r1@dura>',
        kind: 'reminder',
        agreementId: live.agreementId,
      };
      await records.begin({ ...entry, recipients: [`osp@${DOMAIN}`] }, new Date(Date.now() - 3600_000));
      await records.markFailed(key, new Date(), 'the mail server x:25 deferred the message (451 later)');
    } finally {
      await records.close();
    }
    for (const run of [lean, full]) {
      const json = await run([DOMAIN, '--json']);
      assert.equal(json.status, 0, json.stderr);
      assert.match(json.stderr, noticeFor(server.address));
      const { sending } = JSON.parse(json.stdout) as AgreementStatus;
      assert.deepEqual(
        sending?.map((m) => [m.kind, m.to, m.attempts, m.lastError]),
        [['reminder', [`osp@${DOMAIN}`], 1, 'the mail server x:25 deferred the message (451 later)']],
      );
      const text = await run([DOMAIN]);
      assert.match(
        text.stdout,
        /\n {2}Mail waiting +reminder to osp@down\.example\.edu, waiting since .*: the mail server x:25 deferred the message \(451 later\); dura tries again while a worker runs\n/,
      );
    }
  });
});
