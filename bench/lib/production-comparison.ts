/**
 * The lifecycle and intake benchmarks' JSON lines (bench/lifecycle.ts, bench/intake.ts) from the dev
 * server and from the real one, side by side: what each measured and the ratio real / dev (above 1:
 * the real server's number is larger — slower for times and CPU, faster for rates).
 */

/** One side's JSON lines, by benchmark. */
export type SideResults = Partial<Record<'lifecycle' | 'intake', Record<string, unknown>>>;

export interface ComparisonRow {
  figure: string;
  dev: number;
  production: number;
  ratio: number;
}

type Json = Record<string, unknown>;

/** A number at a dotted path of a JSON line (`cpuMsPerLifecycle.dura.server`), or undefined. */
function at(result: Json | undefined, dotted: string): number | undefined {
  let value: unknown = result;
  for (const key of dotted.split('.')) value = (value as Json | undefined)?.[key];
  return typeof value === 'number' ? value : undefined;
}

/** Intake's timed runs: the import's seconds, and the mean of the raw client's starts before and after. */
function intakeSeconds(result: Json | undefined, raw: boolean): number | undefined {
  const runs = (result?.runs as { name: string; ms: number }[] | undefined)?.filter((r) =>
    raw ? r.name.startsWith('raw client start') : r.name === 'dura import',
  );
  return runs?.length ? runs.reduce((t, r) => t + r.ms, 0) / runs.length / 1000 : undefined;
}

const FIGURES: [string, 'lifecycle' | 'intake', (r: Json | undefined) => number | undefined][] = [
  ['lifecycle: dura lifecycles/s', 'lifecycle', (r) => at(r, 'perSecond.dura')],
  ['lifecycle: baseline lifecycles/s', 'lifecycle', (r) => at(r, 'perSecond.baseline')],
  ['lifecycle: dura CPU ms/lifecycle, server (+ PostgreSQL)', 'lifecycle', (r) => at(r, 'cpuMsPerLifecycle.dura.server')],
  ['lifecycle: dura CPU ms/lifecycle, worker', 'lifecycle', (r) => at(r, 'cpuMsPerLifecycle.dura.worker')],
  ['lifecycle: baseline CPU ms/lifecycle, server (+ PostgreSQL)', 'lifecycle', (r) => at(r, 'cpuMsPerLifecycle.baseline.server')],
  ['lifecycle: baseline CPU ms/lifecycle, worker', 'lifecycle', (r) => at(r, 'cpuMsPerLifecycle.baseline.worker')],
  ['lifecycle: history bytes/lifecycle, dura', 'lifecycle', (r) => at(r, 'historyPerLifecycle.dura.bytes')],
  ['lifecycle figure: wall, dura / baseline', 'lifecycle', (r) => at(r, 'wallRatio')],
  ['lifecycle figure: CPU, baseline / dura', 'lifecycle', (r) => at(r, 'cpuRatio')],
  ['intake: dura import, s', 'intake', (r) => intakeSeconds(r, false)],
  ['intake: raw client starts, s (mean)', 'intake', (r) => intakeSeconds(r, true)],
  ['intake: engine CPU ms/request, dura', 'intake', (r) => at(r, 'engineCpuMsPerRequest.dura')],
  ['intake: engine CPU ms/request, raw starts', 'intake', (r) => at(r, 'engineCpuMsPerRequest.raw')],
  ['intake figure: raw / dura', 'intake', (r) => at(r, 'ratio')],
];

export function comparisonRows(dev: SideResults, production: SideResults): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [figure, bench, read] of FIGURES) {
    const d = read(dev[bench]);
    const p = read(production[bench]);
    if (d === undefined || p === undefined) continue;
    const r3 = (n: number) => Number(n.toFixed(3));
    rows.push({ figure, dev: r3(d), production: r3(p), ratio: r3(p / d) });
  }
  return rows;
}
