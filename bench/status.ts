/**
 * `status` latency with 10,000 open agreements: p50/p95/p99 of the `status` query from 4 and 16
 * concurrent callers, with every agreement cached in the worker and with a small cache (most queries
 * replay the agreement's history); then the cold CLI, `dura status` against the official
 * `temporal workflow query`, by bench/cold-status.ts itself. Targets: p99 < 250 ms; the cold CLI no
 * slower than the official one.
 *
 * `npm run bench:status [-- --quick] [--queries 1000] [--fresh-seed] [--profile]
 *   [--worker-options '{"workflowThreadPoolSize":2}'] [--cold-runs 15] [--agreements N] [--cached-only]
 *   [--worker-node-options '--max-old-space-size=1400']`
 *
 * The agreements: bench/lib/seed-snapshot.ts (seeded now through `dura request`'s update-with-start,
 * or a copy of an earlier seed of the same workflow bundle; the table says which). Each scenario runs
 * a fresh real worker (`node lib/worker/main.js`, metrics on): "cached" has DURA_WORKER_CACHE=10000
 * and is first warmed with every agreement (a workflow task each on that worker, so it holds them and
 * they are sticky to it, like a long-running worker); "evicted" has DURA_WORKER_CACHE=100 and no
 * warm-up, so about 99% of queries replay a history. Callers are in-process @temporalio/client loops
 * over one connection, each querying agreements picked by a seeded PRNG (the same ones every run).
 * `--profile`: the workers run under `node --cpu-prof` and where their CPU went is printed (slower).
 * `--worker-options`: also measure both scenarios with these SDK worker options (bench/lib/worker-tuning.ts).
 * `--quick`: 600 agreements, 200 queries per row, evicted cache 20, 3 cold runs.
 * `--agreements N`: N open agreements instead (its own seed snapshot). `--cached-only`: the cached
 * scenario alone, no cold CLI (with these two, a profile of the worker at several cache sizes is short).
 * `--worker-node-options`: NODE_OPTIONS for the measured workers (e.g. a smaller heap, to see what a
 * worker near its heap limit costs without caching 10,000 agreements).
 */
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { connectClient, statusLoad, warmAgreements } from './lib/agreements-at-scale';
import { cpuMeter, threadCpuMeter } from './lib/cpu';
import { latency, latencyCells, type Latency } from './lib/fit';
import { contextLine, machineInfo, sqlitePragmas, versions } from './lib/machine';
import {
  benchMain,
  freePort,
  hasFlag,
  numberFlag,
  runBenchScript,
  stop,
  stringFlag,
  type Bench,
} from './lib/process';
import { monotonicMicros, profileArgs, summarizeProfiles, type Window } from './lib/profile';
import { printJson, printTable } from './lib/report';
import { scaleServer, SCALE_TASK_QUEUE, seedLine, type Seed } from './lib/seed-snapshot';
import type { DevServer } from './lib/server';
import { cachedWorkflows, mib, pidWithArgument, rssBytes } from './lib/worker-probe';
import { tuningArgs, workerTuning } from './lib/worker-tuning';
import { duraEnv, startWorkers } from './lib/workers';

const QUICK = hasFlag('--quick');
const COUNT = numberFlag('--agreements', QUICK ? 600 : 10_000);
const CACHED_ONLY = hasFlag('--cached-only');
const QUERIES = numberFlag('--queries', QUICK ? 200 : 1000);
const CLIENTS = [4, 16];
const EVICTED_CACHE = QUICK ? 20 : 100;
const TARGET_P99_MS = 250;
const PROFILE = hasFlag('--profile');
const TUNING = stringFlag('--worker-options');
const WORKER_NODE_OPTIONS = stringFlag('--worker-node-options');

interface Row {
  scenario: string;
  cacheSize: number;
  tuning?: string;
  clients: number;
  latency: Latency;
  queriesPerSecond: number;
  /** CPU milliseconds per query, by process, during the row. */
  cpuMsPerQuery: Record<string, number>;
  /**
   * The worker's CPU milliseconds per query by thread: `workflow-proces` and `tokio-runtime-w` are the
   * SDK's Rust core, `node main` the event loop, the busiest other `node` thread the workflow thread.
   */
  workerThreadsMsPerQuery: Record<string, number>;
  /** Of the worker's CPU per query, the SDK's Rust core's (its threads above). */
  workerCoreMsPerQuery: number;
  workerRssMiB: number;
  cachedAfter?: number;
}

async function main(bench: Bench): Promise<void> {
  if (TUNING) workerTuning(TUNING); // a bad value fails now, not after the seed
  const loadBefore = machineInfo().loadavg;
  const { server, client, seed } = await scaleServer(bench, connectClient, COUNT);
  const rows: Row[] = [];
  const warmSeconds: Record<string, number> = {};
  const tunings = [undefined, ...(TUNING ? [TUNING] : [])];
  for (const tuning of tunings) {
    for (const scenario of CACHED_ONLY ? (['cached'] as const) : (['cached', 'evicted'] as const)) {
      const cacheSize = scenario === 'cached' ? COUNT : EVICTED_CACHE;
      const label = tuning ? `${scenario}, tuned` : scenario;
      const measured = await measureScenario(bench, server, client, { label, cacheSize, tuning });
      rows.push(...measured.rows);
      if (measured.warmSeconds) warmSeconds[label] = measured.warmSeconds;
    }
  }
  const cold = CACHED_ONLY ? undefined : await coldStatus();
  report(rows, warmSeconds, cold, seed, server, loadBefore);
}

async function measureScenario(
  bench: Bench,
  server: DevServer,
  client: Client,
  o: { label: string; cacheSize: number; tuning?: string },
): Promise<{ rows: Row[]; warmSeconds?: number }> {
  const metrics = `127.0.0.1:${await freePort()}`;
  const name = `status-${o.label.replace(/\W+/g, '-')}`;
  const profileDir = path.join(bench.dir, `profile-${name}`);
  const env = duraEnv(bench, {
    address: server.address,
    taskQueue: SCALE_TASK_QUEUE,
    extra: {
      DURA_WORKER_CACHE: String(o.cacheSize),
      DURA_METRICS_ADDRESS: metrics,
      ...(o.tuning ? { DURA_BENCH_WORKER_OPTIONS: o.tuning } : {}),
      ...(WORKER_NODE_OPTIONS ? { NODE_OPTIONS: WORKER_NODE_OPTIONS } : {}),
    },
  });
  const nodeArgs = [...(o.tuning ? tuningArgs() : []), ...(PROFILE ? profileArgs(profileDir) : [])];
  const [worker] = await startWorkers(bench, { kind: 'real', env, name, nodeArgs });
  let warmSeconds: number | undefined;
  if (o.cacheSize >= COUNT) {
    warmSeconds = (await warmAgreements(client, { from: 0, to: COUNT, concurrency: 16 })) / 1000;
    const cached = await cachedWorkflows(metrics);
    if (cached !== COUNT) throw new Error(`the warmed worker caches ${cached} agreements, not ${COUNT}`);
  }
  const rows: Row[] = [];
  const measured: Window[] = [];
  for (const clients of CLIENTS) {
    const from = monotonicMicros();
    const meter = cpuMeter({ server: pidWithArgument(server.dbFile), worker: worker!.pid! });
    const threads = threadCpuMeter(worker!.pid!);
    const { samples, seconds } = await statusLoad(client, {
      count: COUNT,
      clients,
      queries: QUERIES,
      seed: 1000 + clients,
    });
    const cpu = meter.since();
    const byThread = threads.since();
    measured.push({ from, to: monotonicMicros() });
    rows.push({
      scenario: o.label,
      cacheSize: o.cacheSize,
      ...(o.tuning ? { tuning: o.tuning } : {}),
      clients,
      latency: latency(samples),
      queriesPerSecond: Number((samples.length / seconds).toFixed(1)),
      cpuMsPerQuery: Object.fromEntries(
        ['server', 'worker', 'bench'].map((k) => [k, Number(((cpu[k]! * 1000) / samples.length).toFixed(1))]),
      ),
      workerThreadsMsPerQuery: Object.fromEntries(
        Object.entries(byThread).map(([k, s]) => [k, Number(((s * 1000) / samples.length).toFixed(2))]),
      ),
      workerCoreMsPerQuery: Number(
        Object.entries(byThread)
          .filter(([k]) => /^(tokio-runtime-w|workflow-proces) /.test(k))
          .reduce((total, [, s]) => total + (s * 1000) / samples.length, 0)
          .toFixed(2),
      ),
      workerRssMiB: mib(rssBytes(worker!.pid!)),
      cachedAfter: await cachedWorkflows(metrics),
    });
    console.error(`  ${o.label}, ${clients} callers: p99 ${rows.at(-1)!.latency.p99} ms`);
    console.error(
      `worker CPU ms/query by thread, ${o.label}, ${clients} callers: ` +
        Object.entries(rows.at(-1)!.workerThreadsMsPerQuery)
          .slice(0, 8)
          .map(([k, ms]) => `${k} ${ms}`)
          .join(', '),
    );
  }
  await stop(worker!, 60_000);
  if (PROFILE) {
    const label = `worker CPU, ${o.label} (cache ${o.cacheSize})`;
    summarizeProfiles(profileDir, `${label}, the query rows`, 15, measured);
    summarizeProfiles(profileDir, `${label}, whole run (start, warm-up, queries)`);
  }
  return { rows, warmSeconds };
}

interface Cold {
  table: string[];
  result: { ratio: number; stats: Record<string, { median: number; p90: number }> } & Record<string, unknown>;
}

/** bench/cold-status.ts as it is (its own dev server, worker and agreement), run as `npm run bench:cold-status` runs it. */
async function coldStatus(): Promise<Cold> {
  const args = QUICK ? ['--quick'] : ['--runs', String(numberFlag('--cold-runs', 15))];
  return (await runBenchScript('cold-status', args)) as Cold;
}

function report(
  rows: Row[],
  warmSeconds: Record<string, number>,
  cold: Cold | undefined,
  seed: Seed,
  server: DevServer,
  loadBefore: number[],
): void {
  const machine = machineInfo();
  const v = versions(server.temporal);
  console.log(`\`status\` query latency, ${QUERIES} queries per row, ${seedLine(seed)}; milliseconds`);
  console.log(contextLine(machine, v, server.pragmas));
  printTable(
    [
      ...['scenario (cache)', 'callers', 'p50', 'p95', 'p99', 'max', 'q/s', 'server CPU ms/q'],
      ...['worker CPU ms/q', 'of it Rust core', 'worker RSS MiB'],
    ],
    rows.map((r) => [
      `${r.scenario} (${r.cacheSize})`,
      r.clients,
      ...latencyCells(r.latency),
      r.queriesPerSecond.toFixed(0),
      r.cpuMsPerQuery.server!.toFixed(1),
      r.cpuMsPerQuery.worker!.toFixed(1),
      r.workerCoreMsPerQuery.toFixed(1),
      r.workerRssMiB.toFixed(0),
    ]),
  );
  const worst = Math.max(...rows.map((r) => r.latency.p99));
  const missed = rows.filter((r) => r.latency.p99 >= TARGET_P99_MS);
  console.log(
    `target p99 < ${TARGET_P99_MS} ms: ${missed.length ? `MISSED in ${missed.map((r) => `${r.scenario}/${r.clients}`).join(', ')}` : 'met'}` +
      `; warm-up ${Object.entries(warmSeconds)
        .map(([k, s]) => `${k} ${s.toFixed(0)} s`)
        .join(', ')}`,
  );
  if (cold) {
    console.log('\ncold CLI (bench/cold-status.ts, its own dev server with one agreement):');
    for (const line of cold.table) console.log(`  ${line}`);
    const ratio = cold.result.ratio;
    console.log(`cold dura status / official: ${ratio} (target ≤ 1: ${ratio <= 1 ? 'met' : 'MISSED'})`);
  }
  const coldRatio = cold?.result.ratio;
  printJson({
    bench: 'status',
    quick: QUICK,
    agreements: COUNT,
    queriesPerRow: QUERIES,
    seed,
    machine: { ...machine, loadavgBefore: loadBefore },
    versions: v,
    sqlitePragmas: sqlitePragmas(server.pragmas),
    rows,
    warmSeconds,
    ...(cold && { cold: cold.result }),
    ratio: worst,
    target: TARGET_P99_MS,
    met: missed.length === 0 && coldRatio !== undefined && coldRatio <= 1,
  });
}

benchMain('status', QUICK ? 1800 : 9000, main);
