/**
 * The worker of the baseline workflows (bench/workflows): the same SDK and defaults as dura's worker
 * (worker/main.ts: one process, the same workflow cache size), with activities that do nothing.
 * TEMPORAL_ADDRESS and BENCH_TASK_QUEUE say where; it logs the same `polling` line that
 * bench/lib/workers.ts waits for, and stops on SIGINT/SIGTERM (the SDK's runtime drains it).
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DEFAULT_STICKY_TIMEOUT_SECONDS } from '../../common/config';

/** The baseline's activities: a round trip through Temporal and nothing else. */
export const baselineActivities = {
  async noop(): Promise<void> {},
};

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'bench-baseline';
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities: baselineActivities,
      maxCachedWorkflows: 2000, // dura's DURA_WORKER_CACHE default
      stickyQueueScheduleToStartTimeout: `${DEFAULT_STICKY_TIMEOUT_SECONDS} seconds`, // and its sticky timeout
    });
    const running = worker.run();
    console.log(JSON.stringify({ msg: 'polling', taskQueue, address }));
    await running;
  } finally {
    await connection.close();
  }
}

if (require.main === module)
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(String(err));
      process.exit(1);
    },
  );
