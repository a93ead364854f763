// DURA_PAYLOAD_COMPRESSION over real parts: the worker process and the CLI on the dev server, mail over
// SMTP; the official CLI reads the raw history. Turned off later, what was written compressed still reads.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataConverterFor } from '../common/codec';
import { newYorkDate } from '../common/when';
import { temporalCliPath } from '../scripts/tools';
import { dura as runDura } from './helpers/cli';
import { devServerEnv, replayWith, taskQueue } from './helpers/env';
import { startSmtp, type TestSmtp } from './helpers/mail';
import { until } from './helpers/wait';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const ON = { DURA_PAYLOAD_COMPRESSION: 'on' };
const OFF = { DURA_PAYLOAD_COMPRESSION: 'off' };

interface RawPayload {
  metadata?: Record<string, string>;
  data?: string;
}

describe('payload compression on the dev server (DURA_PAYLOAD_COMPRESSION)', function () {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let smtp: TestSmtp;
  let worker: WorkerProcess | undefined;
  let base: NodeJS.ProcessEnv;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-compressed-'));
    env = await devServerEnv();
    // Its histories hold compressed and plain payloads: the replay at teardown reads both.
    replayWith(env, dataConverterFor({}));
    smtp = await startSmtp();
    base = {
      TEMPORAL_ADDRESS: env.address,
      DURA_TASK_QUEUE: taskQueue('compressed'),
      DATABASE_URL: `sqlite:${dir}/dura.sqlite`,
      SMTP_URL: smtp.url,
    };
  });
  after(async function () {
    worker?.signal('SIGTERM');
    await worker?.exited;
    await env?.teardown();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const dura = (extra: NodeJS.ProcessEnv, ...args: string[]) => runDura(args, { ...base, ...extra });
  async function startWorker(extra: NodeJS.ProcessEnv): Promise<WorkerProcess> {
    const started = startWorkerProcess({ ...base, ...extra, DURA_WORKER_CACHE: '2' }, dir);
    await started.waitForLog((l) => l.msg === 'polling', 60_000);
    return started;
  }
  const request = (extra: NodeJS.ProcessEnv, domain: string) =>
    dura(
      extra,
      'request',
      ...['--institution-name', `University of ${domain}`, '--domain', domain],
      ...['--requester-name', 'Ada Researcher', '--requester-email', `ada@${domain}`],
      ...['--official-name', 'Sam Signer', '--official-email', `osp@${domain}`, '--tier', 'registered'],
    );
  const status = async (extra: NodeJS.ProcessEnv, agreement: string) => {
    // As a shell for the CLI alone has it (the lean path leaves SMTP_URL to the full one).
    const { SMTP_URL: _smtp, ...cliOnly } = base;
    const result = await runDura(['status', agreement, '--json'], {
      ...cliOnly,
      ...extra,
      DURA_LEAN_STATUS: 'debug',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stderr,
      '',
      'the lean path answered (DURA_LEAN_STATUS=debug says when it hands over)',
    );
    return JSON.parse(result.stdout);
  };
  const awaitingSignature = async (extra: NodeJS.ProcessEnv, domain: string) => {
    assert.equal((await request(extra, domain)).status, 0);
    await until(async () => (await status(extra, domain)).stage === 'awaiting-signature', 30_000);
    // The requester's first message is the last thing of this stage to happen.
    await until(async () => smtp.arrived.some((a) => a.rcptTo.includes(`ada@${domain}`)));
  };
  /** Every payload of the history as the official CLI shows it to anyone with access, no codec. */
  const rawPayloads = (workflowId: string) =>
    new Promise<RawPayload[]>((resolve, reject) =>
      execFile(
        temporalCliPath(),
        ['workflow', 'show', '--address', env.address, '--workflow-id', workflowId, '--output', 'json'],
        { maxBuffer: 64 * 1024 * 1024 },
        (err, stdout) => {
          if (err) return reject(err);
          const found: RawPayload[] = [];
          JSON.parse(stdout, (_key, value: unknown) => {
            const p = value as RawPayload;
            if (p && typeof p === 'object' && typeof p.data === 'string' && p.metadata) found.push(p);
            return value;
          });
          resolve(found);
        },
      ),
    );
  const encoding = (p: RawPayload) => Buffer.from(p.metadata?.encoding ?? '', 'base64').toString();
  const storedBytes = async (workflowId: string) =>
    (await env.client.workflow.getHandle(workflowId).describe()).historySize!;

  it("an agreement's payloads are compressed, its history about half as large; status reads them", async () => {
    worker = await startWorker(ON);
    await awaitingSignature(ON, 'packed.edu');
    const payloads = await rawPayloads('dura-packed.edu');
    const compressed = payloads.filter((p) => encoding(p) === 'binary/zlib-d1');
    assert.ok(compressed.length >= 5, `${compressed.length} compressed payloads`);
    // What is left as JSON is too small to gain (or a search attribute, which no codec sees).
    const plain = payloads.filter((p) => encoding(p) === 'json/plain' && !p.metadata?.type);
    for (const p of plain)
      assert.ok(Buffer.from(p.data!, 'base64').length < 48, Buffer.from(p.data!, 'base64').toString());
    const shown = await status(ON, 'packed.edu');
    assert.deepEqual(shown.requesters, [{ name: 'Ada Researcher', email: 'ada@packed.edu' }]);

    // The same agreement, to the same stage, without compression: the bytes the server keeps, compared.
    const packedBytes = await storedBytes('dura-packed.edu');
    worker.signal('SIGTERM');
    assert.equal((await worker.exited).code, 0);
    worker = await startWorker(OFF);
    await awaitingSignature(OFF, 'plain.edu');
    const plainBytes = await storedBytes('dura-plain.edu');
    console.log(
      `      stored history, awaiting signature: compressed ${packedBytes} bytes, plain ${plainBytes}`,
    );
    assert.ok(packedBytes < plainBytes * 0.75, `compressed ${packedBytes} bytes, plain ${plainBytes}`);
  });

  it('turned off, a running agreement written compressed goes on to the end', async () => {
    // This worker never saw packed.edu: it rebuilds it from its compressed history.
    assert.equal((await dura(OFF, 'execute', 'packed.edu', '--on', newYorkDate())).status, 0);
    await until(async () => (await status(OFF, 'packed.edu')).stage === 'completed', 30_000);
    assert.ok(
      smtp.arrived.some((a) => a.rcptTo.includes('ada@packed.edu') && a.mail.subject?.includes('next steps')),
      'the instructions went to the requester',
    );
    const history = await dura(OFF, 'history', 'packed.edu');
    assert.equal(history.status, 0, history.stderr);
    assert.match(history.stdout, /completed/);
  });
});
