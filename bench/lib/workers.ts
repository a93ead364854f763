/**
 * Worker processes for a benchmark: the real dura worker (lib/worker/main.js), the same worker with a
 * compressed calendar (lib/bench/lib/fast-worker.js) or a baseline worker (lib/bench/lib/baseline-worker.js),
 * each a separate process as in production, with a temp records database and mail to an SMTP sink.
 * `startWorkers` returns once every one has logged `polling`, so no start-up lands inside a measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, stop, type Bench } from './process';

export const WORKER_SCRIPTS = {
  real: 'lib/worker/main.js',
  fast: 'lib/bench/lib/fast-worker.js',
  baseline: 'lib/bench/lib/baseline-worker.js',
} as const;

/**
 * The environment of dura's processes (CLI and workers): nothing inherited but PATH and HOME, so a
 * developer's own TEMPORAL_ADDRESS or DATABASE_URL can never point a benchmark at real data.
 */
export function duraEnv(
  bench: Bench,
  o: { address: string; taskQueue: string; databaseUrl?: string; smtpUrl?: string; extra?: NodeJS.ProcessEnv },
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: o.address,
    DURA_TASK_QUEUE: o.taskQueue,
    DATABASE_URL: o.databaseUrl ?? `sqlite:${path.join(bench.dir, 'dura.sqlite')}`,
    DURA_DATA_DIR: path.join(bench.dir, 'data'),
    ...(o.smtpUrl ? { SMTP_URL: o.smtpUrl } : {}),
    ...o.extra,
  };
}

export interface WorkerOptions {
  kind: keyof typeof WORKER_SCRIPTS;
  count?: number;
  env: NodeJS.ProcessEnv;
  /** More environment for the i-th worker (from 0), e.g. its own DURA_METRICS_ADDRESS. */
  envOf?: (i: number) => NodeJS.ProcessEnv;
  /** Log file prefix under bench.dir (default: the kind). */
  name?: string;
  /** Node options before the script, e.g. bench/lib/profile.ts profileArgs. */
  nodeArgs?: string[];
}

export async function startWorkers(bench: Bench, o: WorkerOptions, timeoutMs = 60_000): Promise<ChildProcess[]> {
  const script = path.join(repoRoot, WORKER_SCRIPTS[o.kind]);
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const children = Array.from({ length: o.count ?? 1 }, (_, i) => {
    const logFile = path.join(bench.dir, `${o.name ?? o.kind}-${i}.log`);
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), script], {
      cwd: bench.dir, // relative defaults (data/) land in the temp directory
      env: { ...o.env, ...o.envOf?.(i) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = fs.createWriteStream(logFile);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    bench.defer(() => stop(child));
    return { child, logFile };
  });
  await Promise.all(children.map(({ child, logFile }) => polling(child, logFile, timeoutMs)));
  return children.map((c) => c.child);
}

/** Resolves at the worker's `polling` log line; rejects if it exits or is silent for too long. */
function polling(child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(`no \`polling\` line within ${timeoutMs / 1000} s`), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-64_000);
      if (/"msg":"polling"/.test(seen)) done();
    };
    const onExit = (code: number | null) => fail(`exited (${code}) before polling`);
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve();
    };
    function fail(why: string) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      reject(new Error(`worker ${why}; see ${logFile}`));
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}
