/** Runs the real worker (worker/main.ts through tsx) as a subprocess and reads its JSON log lines. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withLinkKey } from './link-key';

const root = path.join(__dirname, '..', '..');
const tsx = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export type LogLine = Record<string, unknown> & { level: string; msg: string };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when it exited. */
  at: number;
}

export interface WorkerProcess {
  pid: number;
  /** Every stdout line so far (complete lines only), as written. */
  lines(): string[];
  /** Those lines that parse as JSON. */
  logs(): LogLine[];
  stderr(): string;
  /** Resolves with the first log line that matches; rejects after `ms` or if the worker exits first. */
  waitForLog(match: (line: LogLine) => boolean, ms?: number): Promise<LogLine>;
  signal(name: NodeJS.Signals): void;
  exited: Promise<Exit>;
  /** Kills it if it still runs (for `after` hooks). */
  stop(): Promise<Exit>;
}

export function startWorkerProcess(env: NodeJS.ProcessEnv, cwd: string): WorkerProcess {
  const child = spawn(process.execPath, ['--import', tsx, path.join(root, 'worker', 'main.ts')], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...withLinkKey(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exit: Exit | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => resolve((exit = { code, signal, at: Date.now() }))),
  );
  const lines = () => out.split('\n').slice(0, -1);
  const logs = () =>
    lines().flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  return {
    pid: child.pid!,
    lines,
    logs,
    stderr: () => err,
    async waitForLog(match, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = logs().find(match);
        if (found) return found;
        if (exit || Date.now() > deadline)
          throw new Error(
            `${exit ? `worker exited (${exit.code ?? exit.signal})` : 'timed out'} before the log line;` +
              ` stdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    signal: (name) => child.kill(name),
    exited,
    stop() {
      if (!exit) child.kill('SIGKILL');
      return exited;
    },
  };
}
