/**
 * The real Temporal server on PostgreSQL for a benchmark: scripts/production.sh (README "Production")
 * with no dura workers of its own (DURA_WORKERS=0; the benchmark starts its own), in the run's temp
 * directory, every port a free one on 127.0.0.1, brought down by the bench's cleanup. dura's records go to
 * the same PostgreSQL, as in production. `startServer` picks it with `--server production`, otherwise the
 * dev server (bench/lib/server.ts), so one benchmark script measures either.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cpuSeconds, treeCpuSeconds } from './cpu';
import { repoRoot, run, runTimed, stringFlag, type Bench } from './process';
import { startDevServer, type BenchServer } from './server';
import { temporalCliPath } from '../../scripts/tools';

export interface ProductionServer extends BenchServer {
  databaseUrl: string;
  /** The directory production.sh keeps data, logs and pids in. */
  dir: string;
  serverVersion: string;
  postgresVersion: string;
  shards: number;
}

const script = path.join(repoRoot, 'scripts', 'production.sh');

/** `--server production` on the command line: the real server; otherwise the dev server. */
export const productionFlag = (): boolean => stringFlag('--server') === 'production';

export function startServer(bench: Bench): Promise<BenchServer> {
  return productionFlag() ? startProductionServer(bench) : startDevServer(bench);
}

export async function startProductionServer(bench: Bench): Promise<ProductionServer> {
  // As root PostgreSQL runs as `postgres`, which must reach its directory (mkdtemp makes it 0700).
  fs.chmodSync(bench.dir, 0o755);
  const dir = path.join(bench.dir, 'production');
  fs.mkdirSync(dir, { mode: 0o755 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.DURA_CACHE ? { DURA_CACHE: process.env.DURA_CACHE } : {}),
    ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
    DURA_PRODUCTION_DIR: dir,
    DURA_WORKERS: '0',
    TEMPORAL_SHARDS: stringFlag('--shards') ?? '4',
  };
  bench.defer(async () => {
    const down = await runTimed('bash', [script, 'down'], env);
    if (down.status !== 0) console.error(`production.sh down: ${down.stderr.trim()}`);
  });
  const up = await runTimed('bash', [script, 'up'], env);
  if (up.status !== 0) {
    const log = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : '');
    throw new Error(`production.sh up failed:\n${up.stderr.slice(-3000)}\n${log('temporal.log').slice(-2000)}`);
  }
  const state = Object.fromEntries(
    fs
      .readFileSync(path.join(dir, 'production.env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const temporalPid = Number(fs.readFileSync(path.join(dir, 'temporal.pid'), 'utf8').trim());
  const postmaster = Number(
    fs.readFileSync(path.join(dir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  const serverDir = run('bash', ['-c', `. '${repoRoot}/scripts/lib.sh' && echo "$TEMPORAL_SERVER_DIR"`]);
  const serverVersion = path.basename(serverDir.stdout.trim());
  const postgresVersion = fs.readFileSync(path.join(dir, 'postgres', 'data', 'PG_VERSION'), 'utf8').trim();
  const shards = Number(state.TEMPORAL_SHARDS);
  return {
    address: `127.0.0.1:${state.TEMPORAL_PORT}`,
    temporal: temporalCliPath(),
    pragmas: [],
    storage: `Temporal server ${serverVersion} on PostgreSQL ${postgresVersion} (${shards} shards; dura's records there too)`,
    // The server and every PostgreSQL process (its backends come and go with the pools).
    cpu: () => cpuSeconds(temporalPid) + treeCpuSeconds(postmaster),
    databaseUrl: `postgres://postgres:${state.POSTGRES_PASSWORD}@127.0.0.1:${state.POSTGRES_PORT}/dura`,
    dir,
    serverVersion,
    postgresVersion,
    shards,
  };
}
