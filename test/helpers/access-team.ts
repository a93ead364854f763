/**
 * The access team at work during a fault test: `dura` commands run as they run them, each a subprocess
 * with the environment the test builds and no time limit of the test's own (the CLI bounds its waits,
 * client/update-retry.ts), and what those runs amount to, for the test's report.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { cliEntry } from './cli-entry';

const root = path.join(__dirname, '..', '..');
const WAITING = /^dura: waiting for a worker to (?:take|finish) .+? \((.+); trying for up to [^)]+\)$/gm;

export interface DuraRun {
  args: string[];
  status: number | null;
  out: string;
  err: string;
  ms: number;
  /** The reason of each waiting line it printed (the CLI prints at most one). */
  waited: string[];
}

/**
 * `built`: the compiled CLI (bin/dura.js, as installed by `npm link`; `npm run build` first), which starts
 * in a fraction of the CPU the sources through tsx take: the production profile runs 150 of them on 2 CPUs.
 */
export function duraCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  { built = false }: { built?: boolean } = {},
): Promise<DuraRun> {
  const started = Date.now();
  const cli = built ? [path.join(root, 'bin', 'dura.js')] : cliEntry();
  const child = spawn(process.execPath, [...cli, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolve) =>
    child.once('close', (status) =>
      resolve({
        args,
        status,
        out,
        err,
        ms: Date.now() - started,
        waited: [...err.matchAll(WAITING)].map((m) => m[1]!),
      }),
    ),
  );
}

/** "150 run(s): exit 0 ×150; 37 waited {reason: n}; 2 printed more than one line; median 2.1 s, longest 64 s". */
export function describeRuns(runs: DuraRun[]): string {
  const count = (keys: string[]) => {
    const counts: Record<string, number> = {};
    for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
    return counts;
  };
  const exits = Object.entries(count(runs.map((r) => String(r.status))))
    .map(([status, n]) => `exit ${status} ×${n}`)
    .join(', ');
  const waited = runs.filter((r) => r.waited.length);
  const twice = runs.filter((r) => r.waited.length > 1).length;
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const s = (n: number | undefined) => `${((n ?? 0) / 1000).toFixed(1)} s`;
  return (
    `${runs.length} run(s): ${exits}; ${waited.length} waited ${JSON.stringify(count(waited.map((r) => r.waited[0]!)))}` +
    `${twice ? `; ${twice} printed the waiting line more than once` : ''}; ` +
    `median ${s(ms[Math.floor(ms.length / 2)])}, longest ${s(ms[ms.length - 1])}`
  );
}

/** A `dura import` file of one registered-tier request per domain, as the access team keeps them. */
export function requestsCsv(domains: string[], institution = 'Chaos University'): string {
  const header = 'institution_name,domain,requester_name,requester_email,official_name,official_email,tiers';
  const rows = domains.map(
    (d, i) => `${institution} ${i},${d},Ada Researcher,ada@${d},Sam Official,so@${d},registered`,
  );
  return [header, ...rows].join('\n') + '\n';
}
