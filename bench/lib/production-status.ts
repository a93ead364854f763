/**
 * `status` under load on the real server with several worker processes: N fresh real workers
 * (`node lib/worker/main.js`, each caching up to every agreement, metrics on its own port) share the
 * task queue; every agreement is warmed once (a workflow task on whichever worker takes it, which makes
 * it sticky there, as a long-running deployment holds them), so each worker caches about count / N;
 * then callers query agreements picked by a seeded PRNG (bench/lib/agreements-at-scale.ts statusLoad).
 * The workers are stopped (SIGTERM: the SDK tells the server their sticky queues are gone) before the
 * next N starts.
 */
import type { Client } from '@temporalio/client';
import { statusLoad, warmAgreements } from './agreements-at-scale';
import { cpuMeter } from './cpu';
import { latency, type Latency } from './fit';
import { freePort, stop, type Bench } from './process';
import { round } from './report';
import { SCALE_TASK_QUEUE } from './seed-snapshot';
import type { BenchServer } from './server';
import { cachedWorkflows, mib, rssBytes } from './worker-probe';
import { duraEnv, startWorkers } from './workers';

export interface WorkersRow {
  workers: number;
  clients: number;
  latency: Latency;
  queriesPerSecond: number;
  /** CPU milliseconds per query: the server (with PostgreSQL), all workers together, the bench. */
  cpuMsPerQuery: Record<string, number>;
  /** Agreements each worker caches after the row. */
  cached: number[];
  workerRssMiB: number[];
  warmSeconds: number;
}

export async function statusWithWorkers(
  bench: Bench,
  server: BenchServer,
  client: Client,
  o: { workers: number; count: number; clients: number[]; queries: number },
): Promise<WorkersRow[]> {
  const metrics = await Promise.all(
    Array.from({ length: o.workers }, async () => `127.0.0.1:${await freePort()}`),
  );
  const env = duraEnv(bench, {
    address: server.address,
    databaseUrl: server.databaseUrl,
    taskQueue: SCALE_TASK_QUEUE,
    extra: { DURA_WORKER_CACHE: String(o.count) },
  });
  const workers = await startWorkers(bench, {
    kind: 'real',
    count: o.workers,
    env,
    envOf: (i) => ({ DURA_METRICS_ADDRESS: metrics[i] }),
    name: `status-${o.workers}-workers`,
  });
  const pids = workers.map((w) => w.pid!);
  const warmSeconds = (await warmAgreements(client, { from: 0, to: o.count, concurrency: 16 })) / 1000;
  const cachedNow = async () => Promise.all(metrics.map(async (m) => (await cachedWorkflows(m)) ?? 0));
  const warmed = (await cachedNow()).reduce((a, b) => a + b, 0);
  if (warmed !== o.count) throw new Error(`${o.workers} warmed workers cache ${warmed} agreements, not ${o.count}`);
  const rows: WorkersRow[] = [];
  for (const clients of o.clients) {
    const meter = cpuMeter({ server: server.cpu, workers: pids });
    const load = { count: o.count, clients, queries: o.queries, seed: 1000 + clients };
    const { samples, seconds } = await statusLoad(client, load);
    const cpu = meter.since();
    rows.push({
      workers: o.workers,
      clients,
      latency: latency(samples),
      queriesPerSecond: round(samples.length / seconds),
      cpuMsPerQuery: Object.fromEntries(
        ['server', 'workers', 'bench'].map((k) => [k, round((cpu[k]! * 1000) / samples.length)]),
      ),
      cached: await cachedNow(),
      workerRssMiB: pids.map((pid) => mib(rssBytes(pid))),
      warmSeconds: round(warmSeconds, 0),
    });
    console.error(`  ${o.workers} worker(s), ${clients} callers: p99 ${rows.at(-1)!.latency.p99} ms`);
  }
  await Promise.all(workers.map((w) => stop(w, 60_000)));
  return rows;
}
