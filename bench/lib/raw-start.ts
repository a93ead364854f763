/**
 * The intake baseline's client, a process of its own like `dura import`: the raw @temporalio/client
 * starting `--count` no-op workflows (bench/workflows/noop.ts) with `--concurrency` in flight, the way
 * a script with no dura in it would. Prints one JSON line: how many, and the milliseconds from the
 * process start (Node and the client library loading included, as for the CLI) and from connecting.
 * Environment: TEMPORAL_ADDRESS, BENCH_TASK_QUEUE; `--prefix` makes the workflow ids unique per run.
 */
import { Client, Connection } from '@temporalio/client';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1]!;
}

async function main(): Promise<void> {
  const count = Number(flag('--count', '2000'));
  const concurrency = Number(flag('--concurrency', '8'));
  const prefix = flag('--prefix', 'noop');
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'bench-baseline';
  const connected = performance.now();
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const client = new Client({ connection });
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++)
      await client.workflow.start('noopWorkflow', { taskQueue, workflowId: `${prefix}-${i}`, args: [] });
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  const done = performance.now();
  await connection.close();
  console.log(JSON.stringify({ started: count, processMs: Math.round(done), connectedMs: Math.round(done - connected) }));
}

main().catch((err: unknown) => {
  console.error(`raw-start: ${String(err)}`);
  process.exit(1);
});
