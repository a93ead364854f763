/**
 * One call per test file gives it a real Temporal server: the time-skipping test server, or the CLI dev
 * server with dura's search attributes. Both listen on 127.0.0.1 on a free port and stop with the env.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { DEFAULT_STICKY_TIMEOUT_SECONDS } from '../../common/config';
import { allSearchAttributes } from '../../workflows/search-attributes';
import { temporalCliPath, testServerPath } from '../../scripts/tools';
import { assertEveryHistoryReplays } from './replay-all';

let runtimeQuiet = false;
/** Keep test output readable: the SDK's own logs only for warnings and errors. */
function quietRuntime(): void {
  if (runtimeQuiet) return;
  runtimeQuiet = true;
  Runtime.install({ logger: new DefaultLogger(process.env.DURA_TEST_LOG ? 'INFO' : 'WARN') });
}

/**
 * sdk-core gives a server it starts a fixed 5 s to listen, then kills it ("did not start within 5s");
 * on a loaded CI machine the test server can need longer. Up to 3 attempts, for that error only.
 */
async function startPatiently(
  start: () => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test((err as Error)?.message ?? '')) throw err;
    }
  }
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await startPatiently(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServerPath() } },
    }),
  );
  replayAtTeardown(env, 'the time-skipping server');
  // The Java test server knows no custom search attributes until they are added.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      allSearchAttributes.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
    ),
  });
  return env;
}

const replayConverters = new WeakMap<TestWorkflowEnvironment, DataConverter>();

/** The payload codecs (encryption keys) the replay at teardown needs to read this env's histories. */
export function replayWith(env: TestWorkflowEnvironment, dataConverter: DataConverter | undefined): void {
  if (dataConverter) replayConverters.set(env, dataConverter);
}

/**
 * The env's teardown first replays every history the server holds (test/helpers/replay-all.ts), so a
 * history that today's code cannot replay fails the test file that produced it, naming the workflow.
 */
function replayAtTeardown(env: TestWorkflowEnvironment, label: string): void {
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    try {
      await assertEveryHistoryReplays(env.client, label, replayConverters.get(env));
    } finally {
      await teardown();
    }
  };
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await startPatiently(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        ip: '127.0.0.1',
        ui: false,
        searchAttributes: allSearchAttributes,
        extraArgs: [
          '--sqlite-pragma',
          'journal_mode=WAL',
          '--sqlite-pragma',
          'synchronous=OFF',
          '--log-level',
          'error',
        ],
      },
    }),
  );
  replayAtTeardown(env, 'the dev server');
  return env;
}

const bundles = new Map<string, Promise<WorkflowBundle>>();
/** Workflow code is bundled once per file (per test process), not once per test. */
export function workflowBundle(workflowsPath: string): Promise<WorkflowBundle> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

let queues = 0;
/** A fresh task queue per test keeps tests in one file independent of each other. */
export function taskQueue(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${++queues}`;
}

export async function createWorker(
  env: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'> & { workflowsPath: string },
): Promise<Worker> {
  const { workflowsPath, ...rest } = options;
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await workflowBundle(workflowsPath),
    // As dura's worker (worker/main.ts, DURA_STICKY_TIMEOUT_SECONDS).
    stickyQueueScheduleToStartTimeout: `${DEFAULT_STICKY_TIMEOUT_SECONDS} seconds`,
    ...rest,
  });
}
