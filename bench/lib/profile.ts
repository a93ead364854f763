/**
 * Where a process's CPU went, from the V8 profiles that `node --cpu-prof` writes at exit: self time
 * by part (dura's own directories, each npm package, Node's internals, the garbage collector) and the
 * busiest functions. For `--profile <dir>` runs of the benchmarks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printTable } from './report';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
  /** Microseconds on the monotonic clock (process.hrtime's, across processes). */
  startTime: number;
}

/** A stretch of a run on the monotonic clock, in microseconds (`monotonicMicros()` at its ends). */
export interface Window {
  from: number;
  to: number;
}

export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** Node arguments that make a process write its profile into `dir` when it exits (not allowed in NODE_OPTIONS). */
export const profileArgs = (dir: string): string[] => ['--cpu-prof', `--cpu-prof-dir=${dir}`];

function partOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  if (/workflow-bundle|webpack/.test(url)) return 'workflow sandbox';
  const own = /\/lib\/([^/]+)\//.exec(url);
  return own ? `dura ${own[1]}/` : path.basename(url);
}

/**
 * Self time by part and by function over every profile in `dir` (a process's main thread and its
 * worker threads each write one), counting only samples inside `windows` when given (e.g. the measured
 * rows, not the warm-up before them).
 */
export function summarizeProfiles(
  dir: string,
  label: string,
  top = 12,
  windows?: Window[],
): Record<string, number> {
  const self = new Map<string, number>();
  const functions = new Map<string, number>();
  const threads: string[] = [];
  let total = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    let at = profile.startTime;
    let threadMs = 0;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (windows && !windows.some((w) => at >= w.from && at <= w.to)) return;
      const ms = delta / 1000;
      const frame = byId.get(id)!;
      if (frame.functionName === '(idle)') return;
      total += ms;
      threadMs += ms;
      const part = partOf(frame.url, frame.functionName);
      self.set(part, (self.get(part) ?? 0) + ms);
      const name = frame.functionName || '(anonymous)';
      const fn = `${name.length > 80 ? `${name.slice(0, 77)}...` : name} ${part}:${frame.lineNumber + 1}`;
      functions.set(fn, (functions.get(fn) ?? 0) + ms);
    });
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    const thread = file.split('.')[4];
    threads.push(`${thread === '0' ? 'main thread' : `thread ${thread}`} ${Math.round(threadMs)} ms`);
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => [k, Math.round(ms), `${((100 * ms) / total).toFixed(1)}%`]);
  console.log(
    `\n${label}: ${Math.round(total)} ms of CPU sampled (idle excluded${windows ? ', measured rows only' : ''}; ${threads.join(', ')})`,
  );
  printTable(['part', 'self ms', 'share'], rows(self));
  printTable(['function', 'self ms', 'share'], rows(functions));
  return Object.fromEntries([...self.entries()].map(([k, ms]) => [k, Math.round(ms)]));
}
