/**
 * Worker memory with open agreements: the real worker's RSS with 1,000 / 5,000 / 10,000 agreements
 * awaiting signature, at dura's default cache (DURA_WORKER_CACHE=2000) and with every one cached, and
 * the bytes each cached agreement costs under each. Target: at most 0.5 MB (500,000 bytes) per cached
 * agreement, under both.
 *
 * `npm run bench:memory [-- --quick] [--fresh-seed] [--seed-workers 2] [--seed-concurrency 64]
 *   [--worker-options '{"workflowThreadPoolSize":2}']`
 *
 * A dev server (temp SQLite, production pragmas) gets 10,000 agreements through `dura request`'s own
 * update-with-start (bench/lib/seed-snapshot.ts: seeded now, or a copy of an earlier seed of the same
 * workflow bundle, younger than a week; the table says which). Then, per cache setting, a fresh worker
 * process (`node lib/worker/main.js`, its Prometheus metrics on, mail to a temp outbox though it sends
 * none here) idles, then is warmed with the first 1,000, 5,000 and 10,000 agreements in turn (one
 * workflow task each, bench/lib/agreements-at-scale.ts warmAgreements); after each step, once settled,
 * VmRSS from /proc and the cache size from the worker's own `temporal_sticky_cache_size` (the bench
 * fails without it: it never assumes what is cached). Two figures, each against the target: at the
 * default cache, RSS over idle per cached agreement once the cache is full; with all cached, the slope.
 * `--worker-options`: every measured worker runs with these SDK options (bench/lib/worker-tuning.ts).
 * `--quick`: 100 / 300 / 600 agreements and a default cache scaled to 200, for a smoke run.
 */
import type { ChildProcess } from 'node:child_process';
import { connectClient, warmAgreements } from './lib/agreements-at-scale';
import { leastSquares } from './lib/fit';
import { contextLine, machineInfo, sqlitePragmas, versions } from './lib/machine';
import { benchMain, freePort, hasFlag, stop, stringFlag, type Bench } from './lib/process';
import { printJson, printTable } from './lib/report';
import { scaleServer, SCALE_TASK_QUEUE, seedLine, type Seed } from './lib/seed-snapshot';
import { cachedWorkflows, settledRss } from './lib/worker-probe';
import { tuningArgs, workerTuning } from './lib/worker-tuning';
import { duraEnv, startWorkers } from './lib/workers';

const QUICK = hasFlag('--quick');
const SIZES = QUICK ? [100, 300, 600] : [1000, 5000, 10_000];
const COUNT = SIZES.at(-1)!;
/** dura's default (common/config.ts); `--quick` scales it down so the default still evicts. */
const DEFAULT_CACHE = QUICK ? 200 : 2000;
const TARGET_BYTES = 500_000;
const TUNING = stringFlag('--worker-options');

interface Point {
  config: string;
  cacheSize: number;
  warmed: number;
  cached: number;
  rssBytes: number;
  warmSeconds: number;
}

async function main(bench: Bench): Promise<void> {
  if (TUNING) workerTuning(TUNING); // a bad value fails now, not after the seed
  const loadBefore = machineInfo().loadavg;
  const { server, client, seed } = await scaleServer(bench, connectClient, COUNT);
  const points: Point[] = [];
  const configs = [
    { config: 'default', cacheSize: DEFAULT_CACHE },
    { config: 'all cached', cacheSize: COUNT },
  ];
  for (const { config, cacheSize } of configs) {
    // A worker process per setting: nothing one leaves behind (heap, fragmentation) reaches the next.
    const metrics = `127.0.0.1:${await freePort()}`;
    const env = duraEnv(bench, {
      address: server.address,
      taskQueue: SCALE_TASK_QUEUE,
      extra: {
        DURA_WORKER_CACHE: String(cacheSize),
        DURA_METRICS_ADDRESS: metrics,
        ...(TUNING ? { DURA_BENCH_WORKER_OPTIONS: TUNING } : {}),
      },
    });
    const nodeArgs = TUNING ? tuningArgs() : [];
    const [worker] = await startWorkers(bench, { kind: 'real', env, name: `memory-${cacheSize}`, nodeArgs });
    const measure = async (warmed: number, warmSeconds: number) => {
      const rssBytes = await settledRss(worker!.pid!);
      // Never assumed once agreements ran: without the worker's own count there is no per-cached figure.
      // An idle worker has run none, and the SDK reports the gauge only from its first.
      const cached = warmed === 0 ? ((await cachedWorkflows(metrics)) ?? 0) : await cachedWorkflows(metrics);
      if (cached === undefined)
        throw new Error(
          `the worker at ${metrics} reports no temporal_sticky_cache_size: cannot count what it caches`,
        );
      points.push({ config, cacheSize, warmed, cached, rssBytes, warmSeconds });
      console.error(`  ${config}: ${warmed} warmed, ${cached} cached, RSS ${mb(rssBytes)} MB`);
    };
    await measure(0, 0); // the idle worker: polling, nothing cached
    let warmed = 0;
    for (const size of SIZES) {
      const ms = await warmAgreements(client, { from: warmed, to: size, concurrency: 16 });
      warmed = size;
      await measure(warmed, ms / 1000);
    }
    await stopWorker(worker!);
  }
  report(points, seed, server.temporal, server.pragmas, loadBefore);
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  // Its cache goes with it: evicting 10,000 agreements one by one takes a while, hence the longer grace.
  await stop(worker, 60_000);
}

function report(
  points: Point[],
  seed: Seed,
  temporal: string,
  pragmas: string[],
  loadBefore: number[],
): void {
  const fit = leastSquares(
    points.map((p) => p.cached),
    points.map((p) => p.rssBytes),
  );
  const allCached = points.filter((p) => p.config === 'all cached');
  const fitAll = leastSquares(
    allCached.map((p) => p.cached),
    allCached.map((p) => p.rssBytes),
  );
  const idle = points.filter((p) => p.warmed === 0).map((p) => p.rssBytes);
  const machine = machineInfo();
  const v = versions(temporal);
  console.log(`worker RSS with open agreements (awaiting signature), ${seedLine(seed)}; MB = 10^6 bytes`);
  console.log(contextLine(machine, v, pragmas));
  printTable(
    ['cache setting', 'warmed', 'cached', 'RSS MB', 'over idle MB', 'per cached kB', 'warm s'],
    points.map((p) => {
      const base = points.find((q) => q.config === p.config && q.warmed === 0)!.rssBytes;
      return [
        `${p.config} (${p.cacheSize})`,
        p.warmed,
        p.cached,
        mb(p.rssBytes),
        mb(p.rssBytes - base),
        p.cached ? ((p.rssBytes - base) / p.cached / 1000).toFixed(0) : '-',
        p.warmSeconds.toFixed(0),
      ];
    }),
  );
  // Each setting on its own: at the default cache, RSS over idle divided by what is cached at the
  // largest step (the cache full, the rest evicted); with all cached, the slope over its own points.
  const atDefault = points.filter((p) => p.config === 'default' && p.cached > 0).at(-1)!;
  const defaultIdle = points.find((p) => p.config === 'default' && p.warmed === 0)!.rssBytes;
  const perCachedAtDefault = (atDefault.rssBytes - defaultIdle) / atDefault.cached;
  const perCached = Math.max(perCachedAtDefault, fitAll.slope);
  const verdict = (bytes: number) => (bytes <= TARGET_BYTES ? 'met' : 'MISSED');
  console.log(
    `bytes per cached agreement, target ≤ ${TARGET_BYTES / 1000} kB: at the default cache ` +
      `(${atDefault.cached} cached of ${atDefault.warmed}) ${(perCachedAtDefault / 1000).toFixed(0)} kB, ` +
      `${verdict(perCachedAtDefault)}; all cached (least squares, ${fitAll.points} points, R² ` +
      `${fitAll.r2.toFixed(3)}) ${(fitAll.slope / 1000).toFixed(0)} kB, ${verdict(fitAll.slope)}; ` +
      `both settings in one fit ${(fit.slope / 1000).toFixed(0)} kB (for comparison with earlier runs)`,
  );
  console.log(
    `idle worker RSS: ${idle.map(mb).join(' / ')} MB; intercept of the fit ${mb(fit.intercept)} MB`,
  );
  printJson({
    bench: 'memory',
    quick: QUICK,
    sizes: SIZES,
    defaultCache: DEFAULT_CACHE,
    ...(TUNING ? { workerOptions: JSON.parse(TUNING) as unknown } : {}),
    seed,
    machine: { ...machine, loadavgBefore: loadBefore },
    versions: v,
    sqlitePragmas: sqlitePragmas(pragmas),
    points,
    fit: { ...fit, slope: Math.round(fit.slope), intercept: Math.round(fit.intercept) },
    fitAllCached: { ...fitAll, slope: Math.round(fitAll.slope), intercept: Math.round(fitAll.intercept) },
    idleRssBytes: idle,
    perCachedAtDefaultBytes: Math.round(perCachedAtDefault),
    perCachedAllCachedBytes: Math.round(fitAll.slope),
    ratio: Number((perCached / 1e6).toFixed(3)),
    target: TARGET_BYTES / 1e6,
    met: perCached <= TARGET_BYTES,
  });
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

benchMain('memory', QUICK ? 1200 : 10_800, main);
