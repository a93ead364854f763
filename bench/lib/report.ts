/**
 * A benchmark's output: an aligned table for people, then exactly one JSON line (`{"bench": …}`) for
 * bench/run.ts and scripts, which pick it out as the last line starting with `{"bench"`.
 */

export interface Stats {
  median: number;
  p90: number;
  min: number;
  max: number;
  n: number;
}

export function summary(samples: number[]): Stats {
  if (!samples.length) throw new Error('summary of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    median: round(median),
    p90: round(at(0.9)),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
    n: sorted.length,
  };
}

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** First column left-aligned, the others right-aligned (numbers). */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells)
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

/** The one JSON line: `bench` names the figure; `ratio` is the figure itself, `target` its goal. */
export function printJson(result: { bench: string; ratio?: number; target?: number } & Record<string, unknown>) {
  console.log(JSON.stringify(result));
}
