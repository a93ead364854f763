/**
 * What a benchmark reads from a running worker from outside, so that measuring changes nothing in it:
 * its resident memory (/proc/<pid>/status VmRSS, Linux) and, from the Prometheus metrics the worker
 * serves with DURA_METRICS_ADDRESS, how many workflows its cache holds right now.
 */
import * as fs from 'node:fs';
import { sleep } from './process';

/** Resident set size in bytes (VmRSS is in kB). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * RSS once the worker has settled: after `settleMs` of quiet (the V8 heap shrinks back after a burst
 * of work, Core's buffers drain), the median of `samples` readings a second apart.
 */
export async function settledRss(pid: number, settleMs = 10_000, samples = 5): Promise<number> {
  await sleep(settleMs);
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i) await sleep(1000);
    readings.push(rssBytes(pid));
  }
  readings.sort((a, b) => a - b);
  return readings[readings.length >> 1]!;
}

/** One gauge from a Prometheus text page, summed over its label sets (undefined when absent). */
export function gauge(page: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of page.split('\n')) {
    if (!line.startsWith(name) || !/[\s{]/.test(line[name.length] ?? '')) continue;
    total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Workflows in the worker's cache, from Core's `sticky_cache_size` gauge. */
export async function cachedWorkflows(metricsAddress: string): Promise<number | undefined> {
  const response = await fetch(`http://${metricsAddress}/metrics`);
  return gauge(await response.text(), 'temporal_sticky_cache_size');
}

export const mib = (bytes: number): number => Number((bytes / 2 ** 20).toFixed(1));

/** The pid of the one running process with `argument` on its command line (e.g. the dev server's db file). */
export function pidWithArgument(argument: string): number {
  const found = fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(argument);
      } catch {
        return false; // gone meanwhile
      }
    });
  if (found.length !== 1) throw new Error(`${found.length} processes run with ${argument}`);
  return Number(found[0]);
}
