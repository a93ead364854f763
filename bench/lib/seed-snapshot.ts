/**
 * A dev server holding N open agreements, seeded once and kept. Seeding goes through the whole real
 * lifecycle (request, triage, initiation package, requester update, records), about a fifth of a CPU
 * second per agreement between the dev server and the worker, so 10,000 take the best part of half an
 * hour on a 2-CPU machine whatever the concurrency. After a fresh seed the dev server's and the
 * records' SQLite files are copied (SQLite's online backup, a consistent snapshot of a live database)
 * to the per-user cache, and a
 * later run starts its dev server on a copy in seconds.
 *
 * A snapshot is used only while it is exactly what a fresh seed would give: same workflow bundle (a
 * changed workflow could not replay it), same Temporal CLI, same count and task queue, and younger than
 * MAX_AGE_DAYS, well before its agreements' 14-day reminders fall due. `--fresh-seed` ignores it.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { countAwaitingSignature, seedAgreements } from './agreements-at-scale';
import { cpuMeter } from './cpu';
import { hasFlag, numberFlag, repoRoot, run, stop, type Bench } from './process';
import { startDevServer, type BenchServer, type DevServer } from './server';
import { duraEnv, startWorkers } from './workers';
import { temporalCliPath } from '../../scripts/tools';

const MAX_AGE_DAYS = 7;
/** Bumped when the way agreements are seeded changes, so an older snapshot is not taken for a new one. */
const SEED_VERSION = 2;

export interface Seed {
  count: number;
  /** `fresh`: seeded in this run; `snapshot`: a copy of an earlier run's fresh seed. */
  source: 'fresh' | 'snapshot';
  seededAt: string;
  /** Wall time of the fresh seed: first request to the last agreement awaiting signature. */
  seconds: number;
  perSecond: number;
  /** CPU seconds spent during the fresh seed, by process. */
  cpuSeconds: Record<string, number>;
  workers: number;
  concurrency: number;
  /** Seconds this run took to restore the snapshot (copy and dev server start), when it did. */
  restoreSeconds?: number;
}

export interface SeedOptions {
  count: number;
  taskQueue: string;
  fresh: boolean;
  /** Real worker processes for the fresh seed, and requests in flight. */
  workers: number;
  concurrency: number;
}

const cacheRoot = () =>
  path.join(
    process.env.DURA_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'dura'),
    'bench-seeds',
  );

function snapshotKey(o: SeedOptions, temporal: string): string {
  const hash = createHash('sha256');
  hash.update(fs.readFileSync(path.join(repoRoot, 'lib', 'workflow-bundle.js')));
  hash.update(run(temporal, ['--version']).stdout);
  hash.update(JSON.stringify({ count: o.count, taskQueue: o.taskQueue, version: SEED_VERSION }));
  return `${o.count}-${hash.digest('hex').slice(0, 16)}`;
}

/** The dev server with `count` open agreements, from a valid snapshot or seeded now (then kept). */
export async function seededServer(
  bench: Bench,
  client: (address: string) => Promise<Client>,
  o: SeedOptions,
): Promise<{ server: DevServer; client: Client; seed: Seed }> {
  const temporal = temporalCliPath();
  const dir = path.join(cacheRoot(), snapshotKey(o, temporal));
  const meta = readMeta(dir);
  if (!o.fresh && meta) {
    const started = Date.now();
    fs.copyFileSync(path.join(dir, 'temporal.sqlite'), path.join(bench.dir, 'temporal.sqlite'));
    fs.copyFileSync(path.join(dir, 'dura.sqlite'), path.join(bench.dir, 'dura.sqlite'));
    const server = await startDevServer(bench);
    const connected = await client(server.address);
    bench.defer(() => connected.connection.close());
    const open = await countAwaitingSignature(connected);
    if (open !== o.count) throw new Error(`snapshot ${dir}: ${open} agreements open, expected ${o.count}`);
    const restoreSeconds = (Date.now() - started) / 1000;
    return { server, client: connected, seed: { ...meta, source: 'snapshot', restoreSeconds } };
  }
  const server = await startDevServer(bench);
  const connected = await client(server.address);
  bench.defer(() => connected.connection.close());
  const seed = await seedNow(bench, server, connected, o);
  await keep(bench, server, dir, seed);
  return { server, client: connected, seed };
}

/** Seeds `o.count` agreements on any server (no snapshot: bench/production-scale.ts seeds the real server with it). */
export async function seedNow(bench: Bench, server: BenchServer, client: Client, o: SeedOptions): Promise<Seed> {
  // No SMTP_URL: each message is an .eml file in the run's outbox, as with `npm start`.
  const env = duraEnv(bench, { address: server.address, databaseUrl: server.databaseUrl, taskQueue: o.taskQueue });
  const workers = await startWorkers(bench, { kind: 'real', count: o.workers, env, name: 'seed' });
  const meter = cpuMeter({ server: server.cpu, workers: workers.map((w) => w.pid!) });
  const seededAt = new Date().toISOString();
  const { settledMs } = await seedAgreements(client, {
    from: 0,
    to: o.count,
    taskQueue: o.taskQueue,
    concurrency: o.concurrency,
    timeoutMs: bench.secondsLeft() * 1000,
  });
  const cpuSeconds = meter.since();
  // The measured workers start with nothing cached, as after a deployment.
  for (const worker of workers) await stop(worker);
  return {
    count: o.count,
    source: 'fresh',
    seededAt,
    seconds: settledMs / 1000,
    perSecond: Number((o.count / (settledMs / 1000)).toFixed(1)),
    cpuSeconds,
    workers: o.workers,
    concurrency: o.concurrency,
  };
}

function readMeta(dir: string): Seed | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'seed.json'), 'utf8')) as Seed;
    const ageDays = (Date.now() - Date.parse(meta.seededAt)) / 86_400_000;
    return ageDays < MAX_AGE_DAYS ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Copies both databases into the cache; a failure here costs the next run a fresh seed, nothing more. */
async function keep(bench: Bench, server: DevServer, dir: string, seed: Seed): Promise<void> {
  const root = cacheRoot();
  const staging = path.join(root, `.staging-${process.pid}`);
  try {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    backup(server.dbFile, path.join(staging, 'temporal.sqlite'));
    backup(path.join(bench.dir, 'dura.sqlite'), path.join(staging, 'dura.sqlite'));
    fs.writeFileSync(path.join(staging, 'seed.json'), `${JSON.stringify(seed)}\n`);
    // One snapshot per count: an older one (an earlier workflow bundle) goes.
    for (const old of fs.readdirSync(root).filter((d) => d.startsWith(`${seed.count}-`)))
      fs.rmSync(path.join(root, old), { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } catch (err) {
    console.error(`  seed snapshot not kept: ${String(err)}`);
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * A consistent copy of a live SQLite database by the online backup API (page by page; VACUUM INTO
 * would re-parse the dev server's schema, which this SQLite build rejects), in a child process so the
 * bench process never loads the native module.
 */
function backup(from: string, to: string): void {
  const script =
    "const D=require('better-sqlite3');const [f,t]=process.argv.slice(1);" +
    'const d=new D(f,{fileMustExist:true,readonly:true});' +
    'd.backup(t).then(()=>d.close(),(e)=>{console.error(String(e));process.exit(1)});';
  const r = spawnSync(process.execPath, ['-e', script, from, to], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`backup of ${from}: ${r.stderr.trim()}`);
}

/** One line for the top of a table: how many agreements, and how they came to be. */
export function seedLine(seed: Seed): string {
  const how =
    seed.source === 'fresh'
      ? `seeded now in ${seed.seconds.toFixed(0)} s`
      : `restored in ${seed.restoreSeconds?.toFixed(0)} s from a snapshot seeded ${seed.seededAt} in ${seed.seconds.toFixed(0)} s`;
  return `${seed.count} open agreements ${how} (${seed.perSecond}/s, ${seed.workers} workers, ${seed.concurrency} in flight)`;
}

/** The task queue of the agreements at scale (memory and status share one seed). */
export const SCALE_TASK_QUEUE = 'dura-bench-scale';

/** seededServer with the flags memory and status share: --fresh-seed, --seed-workers, --seed-concurrency. */
export function scaleServer(
  bench: Bench,
  client: (address: string) => Promise<Client>,
  count: number,
): ReturnType<typeof seededServer> {
  return seededServer(bench, client, {
    count,
    taskQueue: SCALE_TASK_QUEUE,
    fresh: hasFlag('--fresh-seed'),
    workers: numberFlag('--seed-workers', 2),
    concurrency: numberFlag('--seed-concurrency', 64),
  });
}
