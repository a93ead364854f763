/**
 * The Temporal CLI dev server as a process the test owns (devServerEnv() owns its own and cannot be
 * killed mid-run): state in a SQLite file with production's pragmas (WAL, synchronous=NORMAL), dura's
 * search attributes, 127.0.0.1 on a free port. It can be `kill -9`'d and started again on the same file
 * and port, which is what a crashed and restarted server does to its clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporalCliPath } from '../../scripts/tools';
import { devServerSearchAttributeArgs } from '../../workflows/search-attributes';
import { freePort } from './mail';
import { assertEveryHistoryReplays } from './replay-all';

export interface DevServerProcess {
  /** host:port, the same across restarts. */
  address: string;
  dbFile: string;
  /** Starts it (again) on the same file and port; resolves once it answers. */
  start(): Promise<void>;
  /** `kill -9`: no shutdown of any kind. Resolves when the process is gone. */
  kill(): Promise<void>;
  /**
   * For `after` hooks: replays every history the server holds (throwing, after the stop, when one does
   * not replay), then SIGTERM.
   */
  stop(): Promise<void>;
  /** A client of its own (reconnects by itself after a restart). */
  client(): Promise<Client>;
  /** The server's log lines (stdout and stderr), for failure messages. */
  log(): string;
}

export async function devServerProcess(dir: string): Promise<DevServerProcess> {
  const temporal = temporalCliPath();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const dbFile = path.join(dir, 'temporal.sqlite');
  const logFile = path.join(dir, 'temporal.log');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let connection: Connection | undefined;

  const args = [
    ...['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless'],
    ...['--db-filename', dbFile, '--log-level', 'error'],
    ...['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL'],
    ...devServerSearchAttributeArgs(),
  ];

  async function healthy(): Promise<boolean> {
    const probe = await Connection.connect({ address, connectTimeout: '1s' }).catch(() => undefined);
    if (!probe) return false;
    try {
      await probe.withDeadline(Date.now() + 1000, () =>
        probe.workflowService.describeNamespace({ namespace: 'default' }),
      );
      return true;
    } catch {
      return false;
    } finally {
      await probe.close();
    }
  }

  const server: DevServerProcess = {
    address,
    dbFile,
    async start() {
      const log = fs.openSync(logFile, 'a');
      const started = spawn(temporal, args, { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      const deadline = Date.now() + 60_000;
      while (!(await healthy())) {
        if (started.exitCode !== null) throw new Error(`the dev server exited:\n${server.log()}`);
        if (Date.now() > deadline) throw new Error(`the dev server did not answer in 60 s:\n${server.log()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited;
    },
    async stop() {
      let failure: unknown;
      if (child?.exitCode === null)
        await server
          .client()
          .then((client) => assertEveryHistoryReplays(client, 'the dev server process'))
          .catch((err: unknown) => (failure = err));
      await connection?.close().catch(() => undefined);
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      if (failure) throw failure;
    },
    async client() {
      connection ??= await Connection.connect({ address });
      return new Client({ connection });
    },
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : ''),
  };
  return server;
}
