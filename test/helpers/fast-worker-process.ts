/**
 * The real worker with a compressed calendar (fast-worker-entry.ts) as a subprocess that the fault
 * tests can `kill -9` and start again. Its JSON log lines go to a file under the test's directory
 * (appended across restarts) so that a failure can show them.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeEntry } from './cli-entry';
import { withLinkKey } from './link-key';
import { workflowsPath } from './agreements';
import { workflowBundle } from './env';

const entry = path.join(__dirname, 'fast-worker-entry.ts');

export interface FastWorker {
  pid: number;
  /** Resolves at the `polling` log line; rejects if the process exits first. */
  polling: Promise<void>;
  /** How it ended: a signal (ours) or an exit code (its own doing). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `kill -9` at once; resolves when it is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, the way a process manager stops it; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Bundles the workflow code once and writes it where the worker entry reads it. */
export async function prebuiltBundle(dir: string): Promise<string> {
  const file = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(file, (await workflowBundle(workflowsPath)).code);
  return file;
}

export function startFastWorker(env: NodeJS.ProcessEnv, dir: string, logName = 'worker.log'): FastWorker {
  const child = spawn(process.execPath, nodeEntry(entry), {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...withLinkKey(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = fs.createWriteStream(path.join(dir, logName), { flags: 'a' });
  log.write(`--- worker ${child.pid} started ${new Date().toISOString()}\n`);
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      log.end(`--- worker ${child.pid} ended (${signal ?? code}) ${new Date().toISOString()}\n`);
      resolve({ code, signal });
    }),
  );
  const polling = new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      log.write(chunk);
      if (seen !== 'done') {
        seen = (seen + chunk).slice(-10_000);
        if (seen.includes('"msg":"polling"')) {
          seen = 'done';
          resolve();
        }
      }
    });
    void exited.then((how) =>
      reject(new Error(`the worker ended (${how.signal ?? how.code}) before polling`)),
    );
  });
  polling.catch(() => undefined); // a worker killed while starting is expected in the chaos test
  return {
    pid: child.pid!,
    polling,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The last `chars` of a worker log, for a failure message. */
export function workerLogTail(dir: string, logName = 'worker.log', chars = 3000): string {
  const file = path.join(dir, logName);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-chars) : '';
}

/** A fault run's directory: kept (and named) when the test failed or DURA_FAULTS_KEEP is set, else removed. */
export function keepOrRemove(dir: string, failed: boolean): void {
  if (failed || process.env.DURA_FAULTS_KEEP) console.log(`    kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
