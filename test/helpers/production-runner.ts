/**
 * The production profile for a test file: `scripts/production.sh up` in a temporary directory on free
 * ports (PostgreSQL, the real Temporal server on it, N dura workers, `dura web`), then `down`. Each
 * process writes its output to <dir>/<name>.log (temporal, worker-1 …, web, postgres/postgres.log), which
 * the error messages quote.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(__dirname, '..', '..');
const script = path.join(root, 'scripts', 'production.sh');
const run = promisify(execFile);

export interface ProductionRunner {
  /** 127.0.0.1:<port>, the Temporal frontend. */
  temporalAddress: string;
  /** postgres://postgres:<password>@127.0.0.1:<port>/dura, dura's records. */
  databaseUrl: string;
  /** http://127.0.0.1:<port>, the researcher's pages. */
  webUrl: string;
  /** Data, logs and pid files. */
  dir: string;
  /** What dura's CLI needs to reach this stack (TEMPORAL_ADDRESS, DATABASE_URL, DURA_DATA_DIR). */
  env: Record<string, string>;
  /** The workers' pids as started: workerPids[i] is worker-(i+1), its log <dir>/worker-(i+1).log. */
  workerPids: number[];
  /** Stops the Temporal server (SIGTERM) and starts it again on the same configuration and databases. */
  restartServer(): Promise<void>;
  /** `up` again, on a stack partly up: what stopped starts again. Its stderr. */
  upAgain(): Promise<string>;
  /** Sends a signal (default SIGKILL) to workerPids[i]. */
  killWorker(i: number, signal?: NodeJS.Signals): void;
  /** Stops it all (web, workers, server, PostgreSQL) and removes the directory unless `keep`. */
  down(): Promise<void>;
}

export interface ProductionOptions {
  /** Worker processes (default 2). */
  workers?: number;
  /**
   * More environment for every process (DURA_WORKER_CACHE, SMTP_URL, TEMPORAL_SHARDS …): the workers get
   * it all (a compressed calendar's DURA_BENCH_DAY_SECONDS, the mail sink's SMTP_URL).
   */
  env?: NodeJS.ProcessEnv;
  /**
   * The workers' script, relative to the project (DURA_WORKER_ENTRY; default lib/worker/main.js, the
   * built worker). A .ts file runs from the sources through tsx, e.g. test/helpers/fast-worker-entry.ts,
   * the worker with a compressed calendar.
   */
  workerEntry?: string;
  /** Keep the directory after down() (to read the logs). */
  keep?: boolean;
}

export async function startProduction(options: ProductionOptions = {}): Promise<ProductionRunner> {
  // As root PostgreSQL runs as `postgres`, which must reach the directory: not under /root, not 0700.
  const dir = mkdtempSync(path.join(process.getuid?.() === 0 ? '/tmp' : os.tmpdir(), 'dura-production-'));
  chmodSync(dir, 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The script picks free ports when none is given; what this process was pointed at is not for it.
  const inherited = [
    'TEMPORAL_ADDRESS',
    'DATABASE_URL',
    'DURA_DATA_DIR',
    'DURA_WEB_URL',
    'DURA_METRICS_ADDRESS',
  ];
  for (const name of [
    ...inherited,
    'TEMPORAL_PORT',
    'POSTGRES_PORT',
    'POSTGRES_PASSWORD',
    'DURA_WEB_PORT',
    'DURA_WORKER_ENTRY',
  ])
    delete env[name];
  Object.assign(env, options.env, {
    DURA_PRODUCTION_DIR: dir,
    DURA_WORKERS: String(options.workers ?? 2),
    ...(options.workerEntry ? { DURA_WORKER_ENTRY: options.workerEntry } : {}),
  });

  const script_ = (command: string) =>
    run('bash', [script, command], { env, cwd: root, maxBuffer: 16 * 1024 * 1024 });
  let keep = options.keep ?? false;
  const remove = () => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  const downSync = () => {
    try {
      execFileSync('bash', [script, 'down'], { env, cwd: root, stdio: 'ignore' });
    } finally {
      remove();
    }
  };
  // A test run that dies (or mocha --exit) must leave no server behind.
  process.on('exit', downSync);

  try {
    await script_('up');
  } catch (error) {
    const output = (error as { stderr?: string }).stderr ?? '';
    const logs = ['temporal.log', 'worker-1.log', 'web.log', 'postgres/postgres.log']
      .map((file) => path.join(dir, file))
      .filter((file) => existsSync(file))
      .map((file) => `--- ${file}\n${tail(file)}`);
    process.off('exit', downSync);
    keep = true; // the logs are the diagnosis
    downSync();
    throw new Error(
      `scripts/production.sh up failed in ${dir}:\n${output.slice(-4000)}\n${logs.join('\n')}`,
      {
        cause: error,
      },
    );
  }

  const state = Object.fromEntries(
    readFileSync(path.join(dir, 'production.env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const workerPids = Array.from({ length: Number(state.DURA_WORKERS) }, (_, i) =>
    Number(readFileSync(path.join(dir, `worker-${i + 1}.pid`), 'utf8').trim()),
  );
  const temporalAddress = `127.0.0.1:${state.TEMPORAL_PORT}`;
  const databaseUrl = `postgres://postgres:${state.POSTGRES_PASSWORD}@127.0.0.1:${state.POSTGRES_PORT}/dura`;
  return {
    temporalAddress,
    databaseUrl,
    webUrl: `http://127.0.0.1:${state.DURA_WEB_PORT}`,
    dir,
    env: {
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: databaseUrl,
      DURA_DATA_DIR: path.join(dir, 'dura'),
    },
    workerPids,
    async restartServer() {
      await script_('restart-server');
    },
    async upAgain() {
      return (await script_('up')).stderr;
    },
    killWorker(i, signal = 'SIGKILL') {
      const pid = workerPids[i];
      if (pid === undefined) throw new Error(`no worker ${i} (there are ${workerPids.length})`);
      process.kill(pid, signal);
    },
    async down() {
      process.off('exit', downSync);
      try {
        await script_('down');
      } finally {
        remove();
      }
    },
  };
}

function tail(file: string, lines = 30): string {
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}
