/**
 * CPU seconds per process, from /proc (Linux): how much of the machine each part of a run used — the
 * dev server, each worker, the client process — which says where the time goes better than wall time
 * on a shared machine. A client run with runTimed is counted through this process's children's time.
 */
import * as fs from 'node:fs';
import { run } from './process';

const TICKS = Number(run('getconf', ['CLK_TCK']).stdout.trim()) || 100;

/** utime, stime, cutime, cstime of /proc/<pid>/stat, in seconds (zeros once the process is gone). */
function stat(pid: number | 'self'): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), from field 3 on.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].map((i) => Number(fields[i]) / TICKS);
  } catch {
    return [0, 0, 0, 0];
  }
}

/** A process's own CPU seconds so far (user + system). */
export const cpuSeconds = (pid: number): number => stat(pid)[0]! + stat(pid)[1]!;

/** CPU seconds of this process's finished (waited-for) children. */
export const childrenCpuSeconds = (): number => stat('self')[2]! + stat('self')[3]!;

/**
 * A process tree's CPU seconds so far: the root's, its live descendants' and (through the root's
 * cutime/cstime) those it has reaped, so a PostgreSQL backend that exits between two readings still counts.
 */
export function treeCpuSeconds(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const own = (pid: number) => stat(pid)[0]! + stat(pid)[1]!;
  const below = (pid: number): number =>
    (children.get(pid) ?? []).reduce((total, child) => total + own(child) + below(child), 0);
  return own(root) + stat(root)[2]! + stat(root)[3]! + below(root);
}

/** What a meter reads: pids (summed), or a function giving CPU seconds so far (e.g. treeCpuSeconds). */
export type CpuSource = number | number[] | (() => number);

/**
 * Snapshots named processes' CPU (and `client`, `bench`: this process's finished children and itself);
 * `since()` gives each one's seconds since the snapshot.
 */
export function cpuMeter(pids: Record<string, CpuSource>): { since(): Record<string, number> } {
  const sum = (p: CpuSource) =>
    typeof p === 'function' ? p() : [p].flat().reduce((total, pid) => total + cpuSeconds(pid), 0);
  const at = () => ({
    ...Object.fromEntries(Object.entries(pids).map(([name, p]) => [name, sum(p)])),
    client: childrenCpuSeconds(),
    bench: stat('self')[0]! + stat('self')[1]!,
  });
  const start: Record<string, number> = at();
  return {
    since: () => {
      const now: Record<string, number> = at();
      return Object.fromEntries(Object.keys(now).map((k) => [k, Number((now[k]! - start[k]!).toFixed(2))]));
    },
  };
}

/** Each thread's CPU seconds so far (user + system) by `<name> <tid>`, the main thread's tid being the pid. */
function threadSeconds(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      threads.set(`${name} ${tid === String(pid) ? 'main' : tid}`, (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return threads;
}

/**
 * One process's CPU by thread (Linux names them: `tokio-runtime-w` and `workflow-proces` are the SDK's
 * Rust core, `node main` the event loop; the other `node` threads are the workflow thread, V8's garbage
 * collection helpers and libuv's pool), for where a worker's time goes beyond what the V8 profiler sees.
 */
export function threadCpuMeter(pid: number): { since(): Record<string, number> } {
  const start = threadSeconds(pid);
  return {
    since: () =>
      Object.fromEntries(
        [...threadSeconds(pid)]
          .map(([thread, s]) => [thread, Number((s - (start.get(thread) ?? 0)).toFixed(2))] as const)
          .filter(([, s]) => s > 0)
          .sort((a, b) => b[1] - a[1]),
      ),
  };
}
