/** Small statistics the scale benchmarks share: percentiles of latencies and a least-squares line. */

/** The q-quantile (0..1) by nearest rank, as latency percentiles are usually given. */
export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) throw new Error('percentile of no samples');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Number(x.toFixed(1));
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 0.5)),
    p95: r(percentile(sorted, 0.95)),
    p99: r(percentile(sorted, 0.99)),
    max: r(sorted.at(-1)!),
    mean: r(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** p50, p95, p99 and max in whole milliseconds, a table's cells. */
export const latencyCells = (l: Latency): string[] => [l.p50, l.p95, l.p99, l.max].map((x) => x.toFixed(0));

export interface Line {
  slope: number;
  intercept: number;
  /** Coefficient of determination: how much of y's spread the line explains. */
  r2: number;
  points: number;
}

/** Ordinary least squares of y on x. */
export function leastSquares(xs: number[], ys: number[]): Line {
  const n = xs.length;
  if (n < 2 || ys.length !== n) throw new Error('least squares needs two or more points');
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  if (sxx === 0) throw new Error('least squares needs two different x values');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy), points: n };
}

/** A PRNG with a seed (mulberry32), so two runs query the same agreements in the same order. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
