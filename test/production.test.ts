// Production settings over real parts: the worker process and the CLI reach the dev server through an
// mTLS proxy (test/helpers/tls.ts), with payload encryption on; the official CLI reads the raw history.
import { strict as assert } from 'node:assert';
import { newYorkDate } from '../common/when';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPath } from '../scripts/tools';
import { dura as runDura } from './helpers/cli';
import { dataConverterFor } from '../common/codec';
import { devServerEnv, replayWith, taskQueue } from './helpers/env';
import { startSmtp, type TestSmtp } from './helpers/mail';
import { makeCertificates, startTlsProxy, type TestCertificates, type TlsProxy } from './helpers/tls';
import { until } from './helpers/wait';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const PII = ['ada@secure.edu', 'osp@secure.edu', 'Ada Researcher', 'Sam Signer'];
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('production: mTLS to Temporal, payloads encrypted', function () {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let certs: TestCertificates;
  let proxy: TlsProxy;
  let smtp: TestSmtp;
  let worker: WorkerProcess | undefined;
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const queue = taskQueue('secure');
  let tlsEnv: NodeJS.ProcessEnv;
  const withOldKey = { DURA_ENCRYPTION_KEY: oldKey, DURA_ENCRYPTION_KEY_ID: 'k-old' };

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-secure-'));
    certs = makeCertificates(dir);
    env = await devServerEnv();
    // Its histories are encrypted with both keys in turn: the replay at teardown reads them with both.
    replayWith(
      env,
      dataConverterFor({
        DURA_ENCRYPTION_KEY: newKey,
        DURA_ENCRYPTION_KEY_ID: 'k-new',
        DURA_ENCRYPTION_OLD_KEYS: `k-old:${oldKey}`,
      }),
    );
    proxy = await startTlsProxy(env.address, certs);
    smtp = await startSmtp();
    tlsEnv = {
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_CA: certs.ca,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.dura.test',
      DURA_TASK_QUEUE: queue,
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
      SMTP_URL: smtp.url,
    };
  });
  after(async function () {
    await worker?.stop();
    await proxy?.close();
    await env?.teardown();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const dura = (extra: NodeJS.ProcessEnv, ...args: string[]) => runDura(args, { ...tlsEnv, ...extra });
  async function startWorker(extra: NodeJS.ProcessEnv): Promise<WorkerProcess> {
    const started = startWorkerProcess({ ...tlsEnv, ...extra, DURA_WORKER_CACHE: '2' }, dir);
    await started.waitForLog((l) => l.msg === 'polling', 60_000);
    return started;
  }
  /** `dura status` straight to the dev server, as the lean path takes it: no TLS, no mail settings. */
  const leanStatus = (keys: NodeJS.ProcessEnv) =>
    runDura(['status', 'secure.edu', '--json'], {
      TEMPORAL_ADDRESS: env.address,
      DURA_TASK_QUEUE: queue,
      DATABASE_URL: tlsEnv.DATABASE_URL,
      DURA_LEAN_STATUS: 'debug',
      ...keys,
    });
  /** The history as the official CLI shows it to anyone with access to the server, no key. */
  const rawHistory = (workflowId: string) =>
    new Promise<string>((resolve, reject) =>
      execFile(
        temporalCliPath(),
        ['workflow', 'show', '--address', env.address, '--workflow-id', workflowId, '--output', 'json'],
        { maxBuffer: 64 * 1024 * 1024 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );

  it('a full lifecycle over mTLS: the raw history holds no name or address; dura status shows them', async () => {
    worker = await startWorker(withOldKey);
    const requested = await dura(
      withOldKey,
      'request',
      ...['--institution-name', 'Secure University', '--domain', 'secure.edu'],
      ...['--requester-name', 'Ada Researcher', '--requester-email', 'ada@secure.edu'],
      ...['--official-name', 'Sam Signer', '--official-email', 'osp@secure.edu', '--tier', 'registered'],
    );
    assert.equal(requested.status, 0, requested.stderr);
    const status = async (extra: NodeJS.ProcessEnv) => {
      const result = await dura(extra, 'status', 'secure.edu', '--json');
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    await until(async () => (await status(withOldKey)).stage === 'awaiting-signature', 30_000);
    const today = newYorkDate(); // a signing date is a New York date
    assert.equal((await dura(withOldKey, 'execute', 'secure.edu', '--on', today)).status, 0);
    await until(async () => (await status(withOldKey)).stage === 'completed', 30_000);

    const shown = await status(withOldKey);
    assert.deepEqual(shown.requesters, [{ name: 'Ada Researcher', email: 'ada@secure.edu' }]);
    assert.equal(shown.signingOfficial.email, 'osp@secure.edu');
    assert.ok(
      smtp.arrived.some((a) => a.mail.subject?.includes('next steps')),
      'instructions sent',
    );

    // The lean status path (no TLS here: straight to the dev server) decrypts the answer too.
    const lean = await leanStatus(withOldKey);
    assert.equal(lean.stderr, '', 'the lean path answered (DURA_LEAN_STATUS=debug says when it hands over)');
    assert.deepEqual(JSON.parse(lean.stdout), shown);

    const raw = await rawHistory('dura-secure.edu');
    const activities = raw.match(/ACTIVITY_TASK_COMPLETED|ActivityTaskCompleted/g) ?? [];
    assert.ok(
      activities.length >= 8,
      `the whole lifecycle is in the history (${activities.length} activities)`,
    );
    for (const secret of [...PII, ...PII.map(base64)])
      assert.ok(!raw.includes(secret), `the raw history contains ${secret}`);
    assert.ok(raw.includes(base64('binary/encrypted')) && raw.includes(base64('k-old')));
  });

  it('a wrong key, or a key id it does not know, is a clear error naming the key id', async () => {
    // No key at all (the banner's settings left out): said as a setting, exit 2, not a raw SDK error.
    const none = await dura({}, 'history', 'secure.edu');
    assert.equal(none.status, 2);
    assert.equal(
      none.stderr,
      "dura: Temporal's answer is encrypted (binary/encrypted): set DURA_ENCRYPTION_KEY and " +
        'DURA_ENCRYPTION_KEY_ID as the engine has them\n',
    );
    // status answers from the records, in the clear there, and says why (a trial read exit 2 as "down").
    const keyless = await dura({}, 'status', 'secure.edu', '--json');
    assert.equal(keyless.status, 0, keyless.stderr);
    assert.equal(
      keyless.stderr,
      "dura: the engine's answer is encrypted and this dura has no key (set DURA_ENCRYPTION_KEY and " +
        'DURA_ENCRYPTION_KEY_ID as the engine has them); this is the last status in the records\n',
    );
    assert.equal(JSON.parse(keyless.stdout).institution.domain, 'secure.edu');
    // A request without the key would write names in the clear: refused, nothing sent (the worker
    // recorded its key ids in the records at start).
    const unkeyed = await dura(
      {},
      'request',
      ...['--institution-name', 'Open College', '--domain', 'open.edu'],
      ...['--requester-name', 'Ola Open', '--requester-email', 'ola@open.edu'],
      ...['--official-name', 'Sam Signer', '--official-email', 'osp@open.edu', '--tier', 'registered'],
    );
    assert.equal(unkeyed.status, 1);
    assert.match(unkeyed.stderr, /^dura: the engine encrypts what it writes to Temporal \(key id k-old\)/);
    assert.match(unkeyed.stderr, /; nothing was sent\n$/);
    const wrong = await dura(
      { DURA_ENCRYPTION_KEY: newKey, DURA_ENCRYPTION_KEY_ID: 'k-old' },
      'history',
      'secure.edu',
    );
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^dura: cannot decrypt a payload encrypted with key "k-old": .*\n$/);
    const unknown = await dura(
      { DURA_ENCRYPTION_KEY: newKey, DURA_ENCRYPTION_KEY_ID: 'k-new' },
      'history',
      'secure.edu',
    );
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^dura: cannot decrypt: the payload was encrypted with key "k-old", .*\n$/);
    const lean = await leanStatus({ DURA_ENCRYPTION_KEY: newKey, DURA_ENCRYPTION_KEY_ID: 'k-old' });
    assert.equal(lean.status, 1);
    assert.match(lean.stderr, /^dura: cannot decrypt a payload encrypted with key "k-old": .*\n$/);
  });

  it('rotation: a worker with a new key and the old one among the old keys rebuilds old agreements', async () => {
    worker!.signal('SIGTERM');
    assert.equal((await worker!.exited).code, 0);
    const rotated = {
      DURA_ENCRYPTION_KEY: newKey,
      DURA_ENCRYPTION_KEY_ID: 'k-new',
      DURA_ENCRYPTION_OLD_KEYS: `k-old:${oldKey}`,
    };
    worker = await startWorker(rotated);
    // A fresh worker has nothing cached: answering means replaying a history written with the old key.
    const result = await dura(rotated, 'status', 'secure.edu', '--json');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '', 'answered by the worker, not from the records');
    assert.equal(JSON.parse(result.stdout).requesters[0].email, 'ada@secure.edu');
    // What is written now uses the new key.
    const requested = await dura(
      rotated,
      'request',
      ...['--institution-name', 'Rotated College', '--domain', 'rotated.edu'],
      ...['--requester-name', 'Bo Researcher', '--requester-email', 'bo@rotated.edu'],
      ...['--official-name', 'Pat Official', '--official-email', 'pat@rotated.edu', '--tier', 'registered'],
    );
    assert.equal(requested.status, 0, requested.stderr);
    const raw = await rawHistory('dura-rotated.edu');
    assert.ok(raw.includes(base64('k-new')) && !raw.includes(base64('k-old')));
    assert.ok(!raw.includes('bo@rotated.edu') && !raw.includes(base64('bo@rotated.edu')));
  });

  it('without a client certificate, or with one from another CA, nothing connects: exit 2', async () => {
    for (const extra of [
      { TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' },
      { TEMPORAL_TLS_CERT: certs.strangerCert, TEMPORAL_TLS_KEY: certs.strangerKey },
    ]) {
      const result = await dura({ ...withOldKey, ...extra }, 'list');
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /^dura: cannot reach Temporal at 127\.0\.0\.1:\d+/);
    }
  });

  it('a bad TLS file is one line naming its variable, from the CLI and the worker, before anything starts', async () => {
    const notPem = path.join(dir, 'not-pem.txt');
    fs.writeFileSync(notPem, 'hello');
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [
        { TEMPORAL_TLS_CA: path.join(dir, 'nope.pem') },
        /^dura: TEMPORAL_TLS_CA: cannot read .*nope\.pem: no such file or directory \(ENOENT\)\n$/,
      ],
      [{ TEMPORAL_TLS_CERT: notPem }, /^dura: TEMPORAL_TLS_CERT: .*not-pem\.txt is not a PEM certificate\n$/],
      [{ TEMPORAL_TLS_KEY: '' }, /^dura: TEMPORAL_TLS_KEY: required when TEMPORAL_TLS_CERT is set\n$/],
    ];
    for (const [extra, message] of cases) {
      const result = await dura({ ...withOldKey, ...extra }, 'list');
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, message);
    }
    const bad = startWorkerProcess(
      { ...tlsEnv, ...withOldKey, TEMPORAL_TLS_CA: path.join(dir, 'nope.pem') },
      dir,
    );
    const exit = await bad.exited;
    assert.equal(exit.code, 1);
    assert.match(
      bad.stderr(),
      /^TEMPORAL_TLS_CA: cannot read .*nope\.pem: no such file or directory \(ENOENT\)\n$/,
    );
    assert.deepEqual(bad.logs(), [], 'nothing started');
  });
});
