/**
 * SDK-only: a plain worker's CPU per `query` as its cache grows, with a workflow that does nothing
 * (so no dura code runs). `npm run bench:sdk-cache-scan -- [--sizes 600,3000,10000] [--queries 2000]`
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { pool } from '../lib/agreements-at-scale';
import { threadCpuMeter } from '../lib/cpu';
import { seededRandom } from '../lib/fit';
import { benchMain, numberFlag, stop, stringFlag } from '../lib/process';
import { startDevServer } from '../lib/server';

const SIZES = (stringFlag('--sizes') ?? '600,3000,10000').split(',').map(Number);
const QUERIES = numberFlag('--queries', 2000);
const CALLERS = 4;

benchMain('core-cache-scan', 3600, async (bench) => {
  const server = await startDevServer(bench);
  const connection = await Connection.connect({ address: server.address });
  bench.defer(() => connection.close());
  const client = new Client({ connection });
  const tsx = pathToFileURL(
    path.join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs'),
  ).href;
  const worker = spawn(process.execPath, ['--import', tsx, path.join(__dirname, 'worker.ts')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: server.address },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  bench.defer(() => stop(worker));
  await new Promise<void>((resolve) =>
    worker.stdout.on('data', (b: Buffer) => /polling/.test(String(b)) && resolve()),
  );
  const pid = worker.pid!;
  let started = 0;
  for (const size of SIZES) {
    const t0 = Date.now();
    await pool(started, size, 32, async (i) => {
      const handle = await client.workflow.start('idleWorkflow', {
        taskQueue: 'core-scan',
        workflowId: `idle-${i}`,
      });
      await handle.executeUpdate('touch'); // a workflow task on this worker: cached and sticky
    });
    started = size;
    const warm = (Date.now() - t0) / 1000;
    const random = seededRandom(size);
    const meter = threadCpuMeter(pid);
    const q0 = Date.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (let k = 0; k < QUERIES / CALLERS; k++)
          await client.workflow.getHandle(`idle-${Math.floor(random() * size)}`).query('ping');
      }),
    );
    const seconds = (Date.now() - q0) / 1000;
    const byThread = meter.since();
    const per = (s: number) => Number(((s * 1000) / QUERIES).toFixed(2));
    const core = Object.entries(byThread)
      .filter(([k]) => /^(tokio-runtime-w|workflow-proces) /.test(k))
      .reduce((t, [, s]) => t + s, 0);
    const total = Object.values(byThread).reduce((t, s) => t + s, 0);
    console.log(
      JSON.stringify({
        cached: size,
        warmSeconds: warm,
        queriesPerSecond: Number((QUERIES / seconds).toFixed(0)),
        workerMsPerQuery: per(total),
        coreMsPerQuery: per(core),
        byThread: Object.fromEntries(
          Object.entries(byThread)
            .slice(0, 6)
            .map(([k, s]) => [k, per(s)]),
        ),
      }),
    );
  }
});
