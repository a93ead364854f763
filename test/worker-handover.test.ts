// An agreement cached on a worker that dies: how long until another worker answers for it. Two real
// worker processes on the CLI dev server (SQLite records, an SMTP sink); the one that holds the
// agreements is `kill -9`'d, and an access-team update and a status query are timed at once.
//
// Temporal gives an agreement's tasks (updates, queries) to the worker that caches it, on that worker's
// own sticky queue, and only after the sticky schedule-to-start timeout to any worker, which rebuilds it
// from its history. The SDK's default is 10 s; dura's (DURA_STICKY_TIMEOUT_SECONDS) 2 s.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { updateAgreement } from '../client/agreement-handle';
import { loadConfig } from '../common/config';
import { newYorkDate } from '../common/when';
import { DuraStage } from '../workflows/search-attributes';
import { dura, requestArgs } from './helpers/cli';
import { devServerEnv } from './helpers/env';
import {
  prebuiltBundle,
  startFastWorker,
  workerLogTail,
  type FastWorker,
} from './helpers/fast-worker-process';
import { startSmtp, type TestSmtp } from './helpers/mail';
import { until } from './helpers/wait';

interface HandOver {
  /** From the kill to the update's answer (`dura execute`'s update, sent through the CLI's own code). */
  updateMs: number;
  /**
   * From the kill to the answer of `dura status` (the CLI, started at the kill), and where the answer
   * came from: the CLI waits 4 s for a worker to answer, then answers from the records.
   */
  statusMs: number;
  statusSource: 'workflow' | 'records';
  /** Whether the CLI would have said "waiting for a worker" (after 3 s without one taking the update). */
  waited: boolean;
}

describe('an agreement cached on a worker that died goes to another worker', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtp;
  let dir: string;
  let bundle: string;
  const workers: FastWorker[] = [];
  const today = newYorkDate();

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dura-handover-'));
    smtp = await startSmtp();
    env = await devServerEnv();
    bundle = await prebuiltBundle(dir);
  });

  after(async function () {
    if (this.currentTest?.state === 'failed')
      for (const log of fs.readdirSync(dir).filter((f) => f.endsWith('.log')))
        console.log(`--- ${log}\n${workerLogTail(dir, log)}`);
    for (const worker of workers) await worker.stop();
    await env?.teardown();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Worker A alone takes two requests (so it holds both agreements, sticky to it), then worker B starts,
   * then A is killed; the update (to one) and the query (of the other) are sent at once, right after.
   */
  async function handOver(queue: string, workerEnv: NodeJS.ProcessEnv = {}): Promise<HandOver> {
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      DURA_TASK_QUEUE: queue,
      DATABASE_URL: `sqlite:${dir}/${queue}.sqlite`,
    };
    const start = (name: string) => {
      const worker = startFastWorker(
        {
          ...cliEnv,
          ...workerEnv,
          SMTP_URL: smtp.url,
          DURA_BENCH_DAY_SECONDS: '60', // no reminder falls due during the file
          DURA_FAULTS_WORKFLOW_BUNDLE: bundle,
          DURA_LOG_LEVEL: 'info', // its `polling` line says it is up
        },
        dir,
        `${queue}-${name}.log`,
      );
      workers.push(worker);
      return worker;
    };
    const a = start('a');
    await a.polling;
    const domains = [`update.${queue}.edu`, `status.${queue}.edu`];
    for (const domain of domains) {
      const answer = await dura(requestArgs(domain), cliEnv);
      assert.equal(answer.status, 0, answer.stderr);
    }
    for (const domain of domains) {
      const handle = env.client.workflow.getHandle(`dura-${domain}`);
      // Awaiting signature, and nothing left in flight (the last records write done).
      await until(async () => {
        const described = await handle.describe();
        const { raw } = described;
        return (
          described.typedSearchAttributes.get(DuraStage) === 'awaiting-signature' &&
          !raw.pendingActivities?.length &&
          !raw.pendingWorkflowTask
        );
      }, 30_000);
      const completed = (await handle.fetchHistory()).events?.filter(
        (e) => e.workflowTaskCompletedEventAttributes,
      );
      assert.match(
        completed?.at(-1)?.workflowTaskCompletedEventAttributes?.identity ?? '',
        new RegExp(`^${a.pid}@`),
      );
    }
    const b = start('b');
    await b.polling;
    await a.kill9();
    const killed = Date.now();
    let waited = false;
    const config = loadConfig(cliEnv);
    const [updateMs, status] = await Promise.all([
      updateAgreement(
        env.client,
        config,
        domains[0]!,
        { name: 'execute', args: [{ signedOn: today, documentRef: 'D-1' }] },
        { onWait: () => (waited = true) },
      ).then((outcome) => {
        assert.equal(outcome.outcome, 'applied', JSON.stringify(outcome));
        return Date.now() - killed;
      }),
      dura(['status', domains[1]!, '--json'], cliEnv).then((answer) => ({
        ...answer,
        ms: Date.now() - killed,
      })),
    ]);
    assert.equal(status.status, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { stage: string }).stage, 'awaiting-signature');
    const fromRecords = /no worker answered; this is the last status in the records/.test(status.stderr);
    await b.stop();
    return { updateMs, statusMs: status.ms, statusSource: fromRecords ? 'records' : 'workflow', waited };
  }

  it('within about 2 s: an update is applied and a status query answered by the worker left', async () => {
    const measured = await handOver('handover');
    console.log(
      `      hand-over after kill -9: update applied in ${measured.updateMs} ms` +
        `${measured.waited ? ' (the CLI would have said it waits)' : ''}; status answered in ${measured.statusMs} ms` +
        ` from the ${measured.statusSource}`,
    );
    assert.ok(measured.updateMs < 5000, `update took ${measured.updateMs} ms`);
    assert.equal(
      measured.statusSource,
      'workflow',
      'the status came from the records: no worker answered in 4 s',
    );
  });

  it("with the SDK's 10 s (DURA_STICKY_TIMEOUT_SECONDS=10) the same update waits about 10 s", async () => {
    const measured = await handOver('handover10', { DURA_STICKY_TIMEOUT_SECONDS: '10' });
    console.log(
      `      with 10 s: update applied in ${measured.updateMs} ms; status answered in ${measured.statusMs} ms` +
        ` from the ${measured.statusSource}`,
    );
    assert.ok(measured.updateMs > 8000, `update took only ${measured.updateMs} ms`);
    // The CLI waits 4 s for a worker to answer a query, then answers from the records.
    assert.equal(measured.statusSource, 'records');
  });
});
