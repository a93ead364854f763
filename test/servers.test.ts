// Smoke tests: a real workflow runs on each of the two official Temporal servers.
import { strict as assert } from 'node:assert';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createWorker, devServerEnv, taskQueue, timeSkippingEnv } from './helpers/env';
import { DuraStage } from '../workflows/search-attributes';
import { fortnight, finish, staged } from './workflows/smoke';
import { skipTime } from './helpers/time-skipping';

const workflowsPath = require.resolve('./workflows/smoke');

describe('time-skipping test server', function () {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await timeSkippingEnv()));
  after(async () => env?.teardown());

  it('runs a workflow with a 14-day timer in seconds of wall time', async () => {
    const queue = taskQueue();
    const worker = await createWorker(env, { taskQueue: queue, workflowsPath });
    const started = Date.now();
    const serverStart = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute(fortnight, { taskQueue: queue, workflowId: `smoke-${queue}` }),
    );
    assert.equal(result, 'reminded');
    const skipped = (await env.currentTimeMs()) - serverStart;
    assert.ok(skipped >= 14 * 24 * 3600_000, `server time advanced only ${skipped} ms`);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms of wall time`);
  });

  it('a skip rides out a time lock left taken: released once its clock stops skipping, nothing pending', async () => {
    const queue = taskQueue();
    const worker = await createWorker(env, { taskQueue: queue, workflowsPath });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(fortnight, {
        taskQueue: queue,
        workflowId: `smoke-${queue}`,
      });
      // What the server's bug leaves behind: one lock more than anyone will release.
      await env.connection.testService!.lockTimeSkipping({});
      const released = await skipTime(env, 15 * 24 * 3600_000, () => [handle], 1_000);
      assert.equal(released, 1);
      assert.equal((await handle.describe()).status.name, 'COMPLETED');
      // Balanced again: a skip with nothing left taken releases nothing.
      assert.equal(await skipTime(env, 24 * 3600_000, () => [handle], 1_000), 0);
    });
  });
});

describe('CLI dev server', function () {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await devServerEnv()));
  after(async () => env?.teardown());

  it('finds a workflow by its DuraStage search attribute', async () => {
    const queue = taskQueue();
    const worker = await createWorker(env, { taskQueue: queue, workflowsPath });
    await worker.runUntil(async () => {
      const workflowId = `dura-smoke-${queue}.example.edu`;
      const handle = await env.client.workflow.start(staged, {
        taskQueue: queue,
        workflowId,
        args: ['awaiting-signature'],
        typedSearchAttributes: [{ key: DuraStage, value: 'awaiting-initiation' }],
      });
      const found = await listUntil(env, `DuraStage='awaiting-signature' AND WorkflowId='${workflowId}'`, 1);
      assert.deepEqual(found, [workflowId]);
      assert.deepEqual(
        await listUntil(env, `DuraStage='awaiting-initiation' AND WorkflowId='${workflowId}'`, 0),
        [],
      );
      await handle.signal(finish);
      assert.equal(await handle.result(), 'awaiting-signature');
    });
  });
});

/** Visibility is eventually consistent: poll until the expected count shows (or give up after 10 s). */
async function listUntil(env: TestWorkflowEnvironment, query: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ids: string[] = [];
    for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
    if (ids.length === count || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
