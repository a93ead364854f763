/**
 * The Temporal dev server for a benchmark: the official CLI (scripts/tools.ts), a temp SQLite file with
 * the pragmas production's `npm start` uses (journal_mode=WAL, synchronous=NORMAL — not the tests'
 * synchronous=OFF, which would flatter every figure), dura's search attributes, 127.0.0.1 on a free
 * port, stopped by the bench's cleanup.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporalCliPath } from '../../scripts/tools';
import { devServerSearchAttributeArgs } from '../../workflows/search-attributes';
import type { CpuSource } from './cpu';
import { freePort, run, stop, waitFor, type Bench } from './process';

/** What `npm start` passes (scripts/start.sh); recorded with every result. */
export const PRODUCTION_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL'];

/** The server a benchmark runs against: this dev server, or the real one (bench/lib/production-server.ts). */
export interface BenchServer {
  /** host:port for TEMPORAL_ADDRESS and `--address`. */
  address: string;
  /** The Temporal CLI binary (also for `temporal workflow …` commands). */
  temporal: string;
  /** The dev server's SQLite pragmas (none for the real server). */
  pragmas: string[];
  /** What the server stores on, for the context line: `SQLite journal_mode=WAL, …`, `PostgreSQL 15 …`. */
  storage: string;
  /** The server's CPU for bench/lib/cpu.ts cpuMeter (with the real one, PostgreSQL's too). */
  cpu: CpuSource;
  /** dura's records, when not the run's SQLite file (the real server's PostgreSQL). */
  databaseUrl?: string;
}

export interface DevServer extends BenchServer {
  dbFile: string;
  logFile: string;
  /** The server process, for CPU accounting (bench/lib/cpu.ts). */
  pid: number;
}

export async function startDevServer(
  bench: Bench,
  options: { pragmas?: string[]; logLevel?: string } = {},
): Promise<DevServer> {
  const temporal = temporalCliPath();
  const pragmas = options.pragmas ?? PRODUCTION_PRAGMAS;
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const dbFile = path.join(bench.dir, 'temporal.sqlite');
  const logFile = path.join(bench.dir, 'temporal.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    temporal,
    [
      ...['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless'],
      ...['--db-filename', dbFile, '--log-level', options.logLevel ?? 'error'],
      ...pragmas.flatMap((p) => ['--sqlite-pragma', p]),
      ...devServerSearchAttributeArgs(),
    ],
    { stdio: ['ignore', log, log] },
  );
  bench.defer(() => stop(child));
  await waitFor('the dev server', () => {
    if (child.exitCode !== null) throw new Error(`the dev server exited; see ${logFile}`);
    return run(temporal, ['operator', 'cluster', 'health', '--address', address]);
  });
  const storage = `SQLite ${pragmas.join(', ')}`;
  return { address, temporal, pragmas, storage, cpu: child.pid!, dbFile, logFile, pid: child.pid! };
}
