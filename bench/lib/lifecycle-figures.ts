/**
 * The lifecycle bench's three figures (bench/lifecycle.ts), each dura against the same-shape baseline
 * measured in the same run: wall (lifecycles/s), CPU per lifecycle, history bytes per lifecycle.
 */
import type { HistorySize } from './history';
import { printTable, round } from './report';

/** wall and CPU ratios: at least; history bytes (dura / baseline): at most. */
export const TARGETS = { wall: 0.9, cpu: 0.75, historyBytes: 1.3 };

/** One engine over all its runs, per lifecycle. */
export interface Side {
  /** Lifecycles per second. */
  rate: number;
  /** CPU ms of the dev server and of this engine's worker. */
  cpu: { server: number; worker: number };
  history: HistorySize;
}

export interface Figure {
  ratio: number;
  target: number;
  met: boolean;
}

export interface Figures {
  /** dura rate / baseline rate. */
  wall: Figure;
  /** baseline CPU / dura CPU. */
  cpu: Figure;
  /** dura history bytes / baseline history bytes. */
  historyBytes: Figure;
}

const cpuMs = (s: Side) => s.cpu.server + s.cpu.worker;

export function lifecycleFigures(dura: Side, baseline: Side): Figures {
  const wall = dura.rate / baseline.rate;
  const cpu = cpuMs(baseline) / cpuMs(dura);
  const bytes = dura.history.bytes / baseline.history.bytes;
  return {
    wall: { ratio: round(wall, 3), target: TARGETS.wall, met: wall >= TARGETS.wall },
    cpu: { ratio: round(cpu, 3), target: TARGETS.cpu, met: cpu >= TARGETS.cpu },
    historyBytes: {
      ratio: round(bytes, 3),
      target: TARGETS.historyBytes,
      met: bytes <= TARGETS.historyBytes,
    },
  };
}

/**
 * The figures' table: each row both sides, the ratio (which way round it says), target, verdict.
 * `probeJsonKB`: the probe's history as `temporal workflow show --output json` prints it, for
 * comparison with earlier figures (JSON's per-event overhead, the same on both sides, dilutes the ratio).
 */
export function printFigures(
  dura: Side,
  baseline: Side,
  f: Figures,
  probeJsonKB: { dura: number; baseline: number },
): void {
  const verdict = (x: Figure, atMost = false) => [
    `${atMost ? '≤' : '≥'} ${x.target}`,
    x.met ? 'met' : 'missed',
  ];
  const cpu = (s: Side) => `${s.cpu.server} + ${s.cpu.worker}`;
  const kB = (s: Side) => round(s.history.bytes / 1000, 1);
  const events = (dura.history.events / baseline.history.events).toFixed(2);
  printTable(
    ['per lifecycle, all runs', 'dura', 'baseline', 'ratio', 'target', ''],
    [
      [
        'lifecycles/s (wall)',
        round(dura.rate, 3),
        round(baseline.rate, 3),
        `dura/base ${f.wall.ratio.toFixed(2)}`,
        ...verdict(f.wall),
      ],
      ['CPU ms, server + worker', cpu(dura), cpu(baseline), `base/dura ${f.cpu.ratio.toFixed(2)}`, ...verdict(f.cpu)],
      ['history events', dura.history.events, baseline.history.events, `dura/base ${events}`, '', ''],
      [
        'history kB (as stored)',
        kB(dura),
        kB(baseline),
        `dura/base ${f.historyBytes.ratio.toFixed(2)}`,
        ...verdict(f.historyBytes, true),
      ],
      [
        'history kB (JSON, probe)',
        probeJsonKB.dura,
        probeJsonKB.baseline,
        `dura/base ${(probeJsonKB.dura / probeJsonKB.baseline).toFixed(2)}`,
        '',
        '',
      ],
    ],
  );
}

/**
 * A worker's CPU ms per lifecycle by thread over its engine's runs, busiest first. Threads are named
 * `<name> <tid>` (bench/lib/cpu.ts threadCpuMeter): `node main` is the event loop (activities,
 * payloads); of the other `node` threads the busiest is the workflow thread (the sandbox), the rest
 * V8's garbage-collection helpers, libuv's pool and dura's mail thread; `tokio-runtime-w` and
 * `workflow-proces` are the SDK's Rust core.
 */
export function threadsPerLifecycle(runs: Record<string, number>[], lifecycles: number): [string, number][] {
  const total = new Map<string, number>();
  for (const run of runs) for (const [thread, s] of Object.entries(run)) total.set(thread, (total.get(thread) ?? 0) + s);
  return [...total]
    .map(([thread, s]) => [thread, round((s / lifecycles) * 1000, 1)] as [string, number])
    .filter(([, ms]) => ms >= 0.5)
    .sort((a, b) => b[1] - a[1]);
}

/** Both workers' threads side by side, busiest first (each engine's own runs only). */
export function printThreads(dura: [string, number][], baseline: [string, number][]): void {
  const rows = Array.from({ length: Math.max(dura.length, baseline.length) }, (_, i) => [
    dura[i]?.[0] ?? '',
    dura[i]?.[1] ?? '',
    baseline[i]?.[0] ?? '',
    baseline[i]?.[1] ?? '',
  ]);
  printTable(['dura worker thread', 'CPU ms/lifecycle', 'baseline worker thread', 'CPU ms/lifecycle'], rows);
}
