/**
 * Scale figures of the production profile (issue 17, item 4; README "Performance"), in one run:
 * 1. the lifecycle and intake benchmarks (bench/lifecycle.ts, bench/intake.ts, each run whole as its
 *    own process) on the dev server + SQLite and on the real Temporal server + PostgreSQL
 *    (`--server production`: scripts/production.sh in the run's temp directory, dura's records on the
 *    same PostgreSQL), one after the other, and the ratios real / dev of what they measure;
 * 2. `status` under load on the real server: N open agreements seeded there now (through `dura
 *    request`'s update-with-start, as bench/status.ts seeds the dev server; no snapshot), then p50/p99
 *    from 16 concurrent callers with 1, 2 and 3 worker processes (bench/lib/production-status.ts).
 *    Target: p99 < 250 ms.
 *
 * `npm run bench:production [-- --quick] [--only comparison|status] [--agreements 10000]
 *   [--queries 1000] [--workers 1,2,3] [--callers 16] [--lifecycles 100] [--intake-rows 500]
 *   [--shards 4] [--seed-workers 2] [--seed-concurrency 64]`
 *
 * Intake runs with `--rows 500 --no-like-for-like` unless told (its 2,000 rows and like-for-like runs
 * take ~20 min a server here); lifecycle with its defaults (100 lifecycles, 2 rounds).
 * `--quick`: both benchmarks' `--quick`, 600 agreements, 200 queries a row.
 * Every server listens on 127.0.0.1 on free ports and is stopped at the end, as are the workers.
 */
import { connectClient } from './lib/agreements-at-scale';
import { latencyCells } from './lib/fit';
import { contextLine, machineInfo, versions } from './lib/machine';
import { benchMain, hasFlag, numberFlag, runBenchScript, stringFlag, type Bench } from './lib/process';
import { startProductionServer } from './lib/production-server';
import { statusWithWorkers, type WorkersRow } from './lib/production-status';
import { comparisonRows, type SideResults } from './lib/production-comparison';
import { printJson, printTable, round } from './lib/report';
import { SCALE_TASK_QUEUE, seedLine, seedNow, type Seed } from './lib/seed-snapshot';
import { temporalCliPath } from '../scripts/tools';

const QUICK = hasFlag('--quick');
const ONLY = stringFlag('--only');
const COUNT = numberFlag('--agreements', QUICK ? 600 : 10_000);
const QUERIES = numberFlag('--queries', QUICK ? 200 : 1000);
const list = (flag: string, fallback: string) => (stringFlag(flag) ?? fallback).split(',').map(Number);
const WORKERS = list('--workers', '1,2,3');
const CALLERS = list('--callers', '16');
const TARGET_P99_MS = 250;
const FIGURES = {
  lifecycle: QUICK ? ['--quick'] : ['--agreements', String(numberFlag('--lifecycles', 100))],
  intake: [
    ...(QUICK ? ['--quick'] : ['--rows', String(numberFlag('--intake-rows', 500))]),
    '--no-like-for-like',
  ],
};

async function main(bench: Bench): Promise<void> {
  const loadBefore = machineInfo().loadavg;
  const sides = ONLY === 'status' ? undefined : await compare();
  const status = ONLY === 'comparison' ? undefined : await statusAtScale(bench);
  report(sides, status, loadBefore);
}

/** Each benchmark on the dev server, then on the real one, its table printed as it comes. */
async function compare(): Promise<Record<'dev' | 'production', SideResults>> {
  const sides = { dev: {} as SideResults, production: {} as SideResults };
  for (const name of ['lifecycle', 'intake'] as const)
    for (const side of ['dev', 'production'] as const) {
      const args = [...FIGURES[name], ...(side === 'production' ? ['--server', 'production'] : [])];
      console.error(`  ${name} on the ${side} server: ${args.join(' ')}`);
      const { table, result } = await runBenchScript(name, args);
      console.log(
        `\n${name}, ${side === 'dev' ? 'dev server + SQLite' : 'real server + PostgreSQL'} (bench/${name}.ts ${args.join(' ')}):`,
      );
      for (const line of table) console.log(`  ${line}`);
      sides[side][name] = result;
    }
  return sides;
}

interface StatusResult {
  storage: string;
  seed: Seed;
  rows: WorkersRow[];
}

async function statusAtScale(bench: Bench): Promise<StatusResult> {
  const server = await startProductionServer(bench);
  const client = await connectClient(server.address);
  bench.defer(() => client.connection.close());
  const seed = await seedNow(bench, server, client, {
    count: COUNT,
    taskQueue: SCALE_TASK_QUEUE,
    fresh: true,
    workers: numberFlag('--seed-workers', 2),
    concurrency: numberFlag('--seed-concurrency', 64),
  });
  console.error(`  ${seedLine(seed)}`);
  const rows: WorkersRow[] = [];
  for (const workers of WORKERS)
    rows.push(
      ...(await statusWithWorkers(bench, server, client, {
        workers,
        count: COUNT,
        clients: CALLERS,
        queries: QUERIES,
      })),
    );
  return { storage: server.storage, seed, rows };
}

function report(
  sides: Record<'dev' | 'production', SideResults> | undefined,
  status: StatusResult | undefined,
  loadBefore: number[],
): void {
  const machine = machineInfo();
  const v = versions(temporalCliPath());
  console.log(
    `\nproduction scale figures; ${contextLine(machine, v, status?.storage ?? 'as each table says')}`,
  );
  console.log('the machine may be shared: compare within this run (ratios), not with other runs');
  const comparison = sides && comparisonRows(sides.dev, sides.production);
  if (comparison) {
    console.log('\nreal server + PostgreSQL against dev server + SQLite, same run:');
    printTable(
      ['figure', 'dev + SQLite', 'real + PostgreSQL', 'real / dev'],
      comparison.map((r) => [r.figure, r.dev, r.production, r.ratio.toFixed(2)]),
    );
  }
  let worst: number | undefined;
  if (status) {
    console.log(`\n\`status\` on the real server, ${QUERIES} queries a row; ${seedLine(status.seed)}; ms:`);
    printTable(
      [
        'workers',
        'callers',
        'p50',
        'p95',
        'p99',
        'max',
        'q/s',
        'server+PG CPU ms/q',
        'workers CPU ms/q',
      ].concat(['cached per worker', 'RSS MiB', 'warm-up s']),
      status.rows.map((r) => [
        r.workers,
        r.clients,
        ...latencyCells(r.latency),
        r.queriesPerSecond.toFixed(0),
        r.cpuMsPerQuery.server!.toFixed(1),
        r.cpuMsPerQuery.workers!.toFixed(1),
        r.cached.join('/'),
        r.workerRssMiB.map((m) => m.toFixed(0)).join('/'),
        r.warmSeconds,
      ]),
    );
    const most = status.rows.filter((r) => r.workers === Math.max(...WORKERS));
    worst = Math.max(...most.map((r) => r.latency.p99));
    const verdict = status.rows.map(
      (r) => `${r.workers}w/${r.clients}c ${r.latency.p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`,
    );
    console.log(`target p99 < ${TARGET_P99_MS} ms: ${verdict.join(', ')}`);
  }
  printJson({
    bench: 'production-scale',
    quick: QUICK,
    machine: { ...machine, loadavgBefore: loadBefore },
    versions: v,
    ...(comparison && { comparison, dev: sides!.dev, production: sides!.production }),
    ...(status && { status: { ...status, agreements: COUNT, queriesPerRow: QUERIES } }),
    ...(worst !== undefined && { ratio: round(worst, 0), target: TARGET_P99_MS, met: worst < TARGET_P99_MS }),
  });
}

benchMain('production-scale', QUICK ? 2400 : 3 * 3600, main);
