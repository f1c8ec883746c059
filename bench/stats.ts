import { mulberry32 } from '../src/shared/random';

/** Pure statistics of the benchmark: no I/O, so the test can check them on known inputs. */

/** Nearest-rank percentile (p in 0..100) of unsorted values; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Jain's fairness index (Σx)² / (n·Σx²): 1 when every party gets the same, 1/n when one gets all.
 * Null when nobody got anything (the index is undefined, not "fair").
 */
export function jainIndex(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sum = values.reduce((s, v) => s + v, 0);
  const squares = values.reduce((s, v) => s + v * v, 0);
  if (squares === 0) return null;
  return (sum * sum) / (values.length * squares);
}

export interface LatencySummary {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
  max: number | null;
}

export function summarize(values: readonly number[]): LatencySummary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    mean: mean(values),
    max: values.length ? Math.max(...values) : null,
  };
}

/** A running integral of a step function sampled over time (busy GPU slots, open crews). */
export class Integrator {
  private readonly points: { t: number; cum: number }[] = [];
  private lastT: number | undefined;
  private lastV = 0;
  private cum = 0;

  /** Records that the value is `v` from time `t` on (ms); the previous value holds until then. */
  sample(t: number, v: number): void {
    if (this.lastT !== undefined && t >= this.lastT) this.cum += this.lastV * (t - this.lastT);
    this.lastT = t;
    this.lastV = v;
    this.points.push({ t, cum: this.cum });
  }

  /** ∫v dt over [t0, t1] (value·ms), linear between recorded points. */
  between(t0: number, t1: number): number {
    return this.at(t1) - this.at(t0);
  }

  private at(t: number): number {
    const pts = this.points;
    if (pts.length === 0) return 0;
    if (t <= pts[0]!.t) return pts[0]!.cum;
    const last = pts[pts.length - 1]!;
    if (t >= last.t) return last.cum + this.lastV * (t - last.t);
    let lo = 0;
    let hi = pts.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.t <= t) lo = mid;
      else hi = mid;
    }
    const a = pts[lo]!;
    const b = pts[hi]!;
    return a.cum + ((b.cum - a.cum) * (t - a.t)) / Math.max(1, b.t - a.t);
  }
}

/** Counts events into fixed-width buckets (per second by default) for the chart. */
export function bucketize(times: readonly number[], t0: number, t1: number, widthMs = 1000): [number, number][] {
  const n = Math.max(1, Math.ceil((t1 - t0) / widthMs));
  const counts = new Array<number>(n).fill(0);
  for (const t of times) {
    if (t < t0 || t >= t1) continue;
    counts[Math.floor((t - t0) / widthMs)]! += 1;
  }
  return counts.map((c, i) => [((i + 1) * widthMs) / 1000, c / (widthMs / 1000)]);
}

/** A deterministic PRNG so a benchmark's order mix is the same on every run. */
export const rng = mulberry32;
