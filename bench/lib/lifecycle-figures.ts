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
