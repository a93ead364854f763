/**
 * Process plumbing shared by the benchmarks: one `benchMain` per script gives it a temp directory, a time
 * bound and a cleanup list that runs on success, failure, the time bound, SIGINT and SIGTERM alike, so no
 * dev server or worker outlives the script on a shared machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBuilt } from './build';

import { repoRoot } from './paths';

export { repoRoot };

/** runTimed's children still running: killed first when the bench ends early. */
const running = new Set<ChildProcess>();

export interface Bench {
  /** A fresh temp directory, removed at the end (kept with DURA_BENCH_KEEP=1, for its logs). */
  dir: string;
  /** Runs `fn` at the end, last registered first (workers stop before the server they talk to). */
  defer(fn: () => unknown): void;
  /** Seconds left before the time bound. */
  secondsLeft(): number;
}

/**
 * Runs a benchmark's body, on a fresh build (bench/lib/build.ts), with cleanup and a time bound
 * (`--timeout <s>` overrides `seconds`).
 * Exits the process: 0 when the body finished, 1 on failure or time-out, 130/143 on a signal.
 */
export function benchMain(name: string, seconds: number, body: (bench: Bench) => Promise<void>): void {
  ensureBuilt();
  const bound = numberFlag('--timeout', seconds);
  const deadline = Date.now() + bound * 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dura-bench-${name}-`));
  const deferred: (() => unknown)[] = [];
  let finishing = false;
  const finish = async (code: number, why?: string) => {
    if (finishing) return;
    finishing = true;
    // A client call still retrying on a closed connection must not end the process before the servers stop.
    process.on('uncaughtException', (err) => console.error(`bench ${name}: during cleanup: ${String(err)}`));
    if (why) console.error(`bench ${name}: ${why}`);
    for (const child of running) child.kill('SIGKILL');
    for (const fn of deferred.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`bench ${name}: cleanup: ${String(err)}`);
      }
    }
    if (process.env.DURA_BENCH_KEEP === '1') console.error(`bench ${name}: kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  // `on`, not `once`: a second Ctrl-C (or run.ts forwarding the first) must not kill the cleanup.
  process.on('SIGINT', () => void finish(130, 'interrupted'));
  process.on('SIGTERM', () => void finish(143, 'terminated'));
  const timer = setTimeout(() => void finish(1, `over its time bound of ${bound} s`), bound * 1000);
  timer.unref();
  const bench: Bench = {
    dir,
    defer: (fn) => deferred.push(fn),
    secondsLeft: () => (deadline - Date.now()) / 1000,
  };
  body(bench).then(
    () => finish(0),
    (err: unknown) => finish(1, err instanceof Error ? (err.stack ?? err.message) : String(err)),
  );
}

/** `--quick` and friends: true when the flag is on the command line. */
export const hasFlag = (flag: string): boolean => process.argv.includes(flag);

/** `--runs 25`: the number after the flag, or the default. */
export function numberFlag(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag}: expected a positive number`);
  return value;
}

/** `--compare <dir>`: the text after the flag, or undefined. */
export function stringFlag(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at < 0 ? undefined : process.argv[at + 1];
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(command, args, { env, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
}

export interface Timed {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/**
 * A child process timed from spawn to exit, without blocking this process: the bench's own servers
 * (the SMTP sink) keep answering meanwhile, which `run` (spawnSync) would stall.
 */
export function runTimed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (status) => {
      running.delete(child);
      resolve({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
  });
}

/**
 * Another figure script (bench/<name>.ts) as `npm run bench:<name>` runs it, on the tree as built:
 * its table (stdout but the JSON line) and its JSON line, parsed.
 */
export async function runBenchScript(
  name: string,
  args: string[],
): Promise<{ table: string[]; result: { ratio?: number } & Record<string, unknown> }> {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const script = path.join(repoRoot, 'bench', `${name}.ts`);
  const r = await runTimed(tsx, [script, ...args], { ...process.env, DURA_BENCH_NO_BUILD: '1' });
  if (r.status !== 0) throw new Error(`bench/${name}.ts failed: ${r.stderr.trim().slice(-4000)}`);
  const lines = r.stdout.trim().split('\n');
  const json = [...lines].reverse().find((l) => l.startsWith('{"bench"'));
  if (!json) throw new Error(`bench/${name}.ts printed no JSON line`);
  return { table: lines.filter((l) => l !== json), result: JSON.parse(json) as Record<string, unknown> };
}

/** Retries `attempt` (exit status 0, or true) every 250 ms until it succeeds or `ms` pass. */
export async function waitFor(
  what: string,
  attempt: () => { status: number | null } | boolean | Promise<boolean>,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  const ok = async () => {
    const r = await attempt();
    return typeof r === 'boolean' ? r : r.status === 0;
  };
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${ms / 1000} s`);
    await sleep(250);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port free on 127.0.0.1 right now (the server that takes it listens there only). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`: a worker finishes its tasks, a hung one still goes. */
export async function stop(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
