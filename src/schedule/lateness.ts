/**
 * Fire lateness (start − scheduled time) as a fixed-bucket histogram: constant memory however many
 * fires, cheap to export as a metric, precise enough for "p99 under 25 ms".
 */

/** Bucket upper bounds in ms; the last bucket catches everything above. */
export const LATENESS_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 60_000, Infinity] as const;

export interface LatenessSnapshot {
  count: number;
  sumMs: number;
  maxMs: number;
  /** Cumulative counts per upper bound, Prometheus style. */
  buckets: Array<{ le: number; count: number }>;
  /** Upper bound of the bucket holding the 50th / 99th percentile (ms). */
  p50Ms: number;
  p99Ms: number;
}

export class LatenessHistogram {
  private readonly counts = new Array<number>(LATENESS_BUCKETS_MS.length).fill(0);
  private count = 0;
  private sum = 0;
  private max = 0;

  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    let i = 0;
    while (v > LATENESS_BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Upper bound of the bucket that holds quantile `q` (0..1); the max when it falls in the last bucket. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(LATENESS_BUCKETS_MS[i]!, this.max);
    }
    return this.max;
  }

  snapshot(): LatenessSnapshot {
    let cumulative = 0;
    const buckets = LATENESS_BUCKETS_MS.map((le, i) => ({ le, count: (cumulative += this.counts[i]!) }));
    return { count: this.count, sumMs: this.sum, maxMs: this.max, buckets, p50Ms: this.quantile(0.5), p99Ms: this.quantile(0.99) };
  }
}
