/**
 * What every result is recorded with: the machine (CPUs, model, load at the time), the versions (Node,
 * Temporal CLI, SDK, dura, the records' SQLite) and the SQLite pragmas of both databases.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, run } from './process';

export interface Machine {
  nproc: number;
  cpu: string;
  memGiB: number;
  loadavg: number[];
}

export function machineInfo(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

export interface Versions {
  node: string;
  temporalCli: string;
  temporalSdk: string;
  dura: string;
  recordsSqlite: string;
}

export function versions(temporal: string): Versions {
  const pkg = (file: string) =>
    (JSON.parse(fs.readFileSync(path.join(repoRoot, file), 'utf8')) as { version: string }).version;
  return {
    node: process.version,
    temporalCli: run(temporal, ['--version']).stdout.trim(),
    temporalSdk: pkg('node_modules/@temporalio/client/package.json'),
    dura: pkg('package.json'),
    recordsSqlite: recordsSqliteVersion(),
  };
}

function recordsSqliteVersion(): string {
  // better-sqlite3 is a native module: asked in a child so the bench process never loads it.
  const r = run(process.execPath, [
    '-e',
    "const D=require('better-sqlite3');const d=new D(':memory:');" +
      "process.stdout.write(d.prepare('select sqlite_version() v').get().v)",
  ]);
  return r.status === 0 ? r.stdout : 'unknown';
}

/** The pragmas of both SQLite databases, as the figure's context says them. */
export function sqlitePragmas(serverPragmas: string[]): { temporal: string[]; records: string[] } {
  return {
    temporal: serverPragmas,
    // activities/records/db.ts sets these on every records connection.
    records: ['journal_mode=WAL', 'synchronous=NORMAL', 'busy_timeout=5000', 'foreign_keys=ON'],
  };
}

/** One line for the top of a table; `storage` is the dev server's pragmas or a BenchServer's `storage`. */
export function contextLine(m: Machine, v: Versions, storage: string[] | string): string {
  return (
    `${m.nproc} CPUs (${m.cpu}), load ${m.loadavg.join(' ')}; Node ${v.node}; ${v.temporalCli}; ` +
    `SDK ${v.temporalSdk}; server ${typeof storage === 'string' ? storage : `SQLite ${storage.join(', ')}`}`
  );
}
