/** A plain SDK worker for idleWorkflow: TEMPORAL_ADDRESS, CACHE. Logs {"msg":"polling"} once up. */
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: 'core-scan',
    workflowsPath: require.resolve('./workflows'),
    maxCachedWorkflows: Number(process.env.CACHE ?? 20000),
  });
  const running = worker.run();
  console.log(JSON.stringify({ msg: 'polling' }));
  await running;
  await connection.close();
}
void main().then(
  () => process.exit(0),
  (err: unknown) => (console.error(err), process.exit(1)),
);
