/** Builders and a small harness for lifecycle tests on the time-skipping server. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { agreementWorkflow } from '../../workflows/agreement';
import type { AgreementRequest, AgreementStatus, Tier } from '../../common/agreement';
import { requestAgreement, type RequestOptions } from '../../client/agreements';
import { cancelUpdate, statusQuery } from '../../workflows/messages';
import { createWorker, taskQueue, timeSkippingEnv } from './env';
import { fakeActivities } from './fake-activities';

export const workflowsPath = require.resolve('../../workflows');

let institutions = 0;
/** A request from a fresh institution (each test its own domain, so its own workflow id). */
export function aRequest(overrides: Partial<AgreementRequest> & { receivedAt: string }): AgreementRequest {
  const n = ++institutions;
  return {
    institution: { name: `Test University ${n}`, domain: `u${n}-${process.pid}.example.edu` },
    requester: { name: 'Ada Researcher', email: `ada@u${n}.example.edu` },
    signingOfficial: {
      name: 'Sam Official',
      email: `so@u${n}.example.edu`,
      title: 'Director, Sponsored Programs',
    },
    tiers: ['registered'] as Tier[],
    ...overrides,
  };
}

export interface Lifecycle {
  env: TestWorkflowEnvironment;
  fake: ReturnType<typeof fakeActivities>;
  request(
    request: AgreementRequest,
    options?: Omit<RequestOptions, 'taskQueue'>,
  ): ReturnType<typeof requestAgreement>;
  status(id: string): Promise<AgreementStatus>;
  handle(id: string): WorkflowHandle<typeof agreementWorkflow>;
  /** Server time now, as an ISO string (the time-skipping server's clock, not the machine's). */
  now(): Promise<string>;
  days(n: number): Promise<void>;
  /** Messages of one agreement in send order, as `kind -> recipient`. */
  sent(agreementId: string, kind?: string): string[];
}

/**
 * One time-skipping server and one worker (fake I/O, real calendar) for a whole test file. The worker
 * runs until the file ends. Agreements are never terminated: the Java test server's clock stays locked
 * after an update-with-start workflow is terminated or cancelled (Temporal's cancel, not ours).
 */
export function lifecycleHarness(): Lifecycle {
  const queue = taskQueue('agreement');
  const fake = fakeActivities();
  let running: Promise<void> | undefined;
  let worker: Worker | undefined;
  const opened = new Set<string>();
  const harness = {
    fake,
    request: async (request, options) => {
      const result = await requestAgreement(harness.env.client, request, { taskQueue: queue, ...options });
      opened.add(result.agreementId);
      return result;
    },
    status: (id) => harness.env.client.workflow.getHandle(id).query(statusQuery),
    handle: (id) => harness.env.client.workflow.getHandle<typeof agreementWorkflow>(id),
    now: async () => new Date(await harness.env.currentTimeMs()).toISOString(),
    days: (n) => harness.env.sleep(n * 24 * 3600_000),
    sent: (agreementId, kind) => fake.sent(kind, agreementId),
  } as Lifecycle;
  before(async function () {
    harness.env = await timeSkippingEnv();
    worker = await createWorker(harness.env, {
      taskQueue: queue,
      workflowsPath,
      activities: fake.activities,
    });
    running = worker.run();
  });
  // Each test's agreements end with it (by the access team's cancel, so they close normally), so
  // that the next test's clock does not also drive their reminders.
  afterEach(async function () {
    for (const id of opened) {
      const handle = harness.env.client.workflow.getHandle(id);
      if ((await handle.describe()).status.name === 'RUNNING')
        await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over' }] }).catch(() => undefined);
    }
    opened.clear();
  });
  after(async function () {
    worker?.shutdown();
    await running;
    await harness.env?.teardown();
  });
  return harness;
}

/**
 * Commits a scenario's history under test/histories/ when DURA_REFRESH_HISTORIES=1, for the replay test.
 */
export async function saveHistory(
  env: TestWorkflowEnvironment,
  workflowId: string,
  name: string,
): Promise<void> {
  if (!process.env.DURA_REFRESH_HISTORIES) return;
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const dir = path.join(__dirname, '..', 'histories');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), historyToJSON(history) + '\n');
}
