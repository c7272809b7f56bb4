/**
 * Event-loop delay on `/metrics` is a rolling window: scraping does not reset it (two scrapers see the
 * same figures), and what fell out of the window no longer counts.
 */
import { createHistogram } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.ts';
import { TimerDelaySampler } from '../../src/loop-delay.ts';
import { FakeClock } from '../kit/fake-clock.ts';

/** A sampler the test records into by hand, instead of the real timer. */
function handSampler() {
  const histogram = createHistogram();
  return { histogram, start() {}, stop() {} };
}
const ms = (n: number) => n * 1e6;

async function quantiles(m: ReturnType<typeof createMetrics>): Promise<Record<string, number>> {
  const text = await m.registry.getSingleMetricAsString('vigil_event_loop_delay_seconds');
  return Object.fromEntries([...text.matchAll(/quantile="([^"]+)"\} (\S+)/g)].map(([, q, v]) => [q!, Number(v)]));
}

describe('vigil_event_loop_delay_seconds', () => {
  it('reads the same for every scraper, and forgets a delay once it leaves the one-minute window', async () => {
    const clock = new FakeClock();
    const sampler = handSampler();
    const m = createMetrics({ clock, loopDelay: { sampler } });
    m.watchEventLoop();
    try {
      for (let i = 0; i < 98; i++) sampler.histogram.record(ms(1));
      sampler.histogram.record(ms(40));
      sampler.histogram.record(ms(250));
      const first = await quantiles(m);
      expect(first['1']).toBeCloseTo(0.25, 2);
      expect(first['0.5']).toBeCloseTo(0.001, 3);
      // A second scraper right after sees the same, not an empty interval.
      expect(await quantiles(m)).toEqual(first);
      // Still inside the window 50 s later (folded into past slots, with new samples beside it).
      await clock.advance(50_000);
      sampler.histogram.record(ms(2));
      expect((await quantiles(m))['1']).toBeCloseTo(0.25, 2);
      // Past the window: only the recent sample counts.
      await clock.advance(20_000);
      sampler.histogram.record(ms(3));
      const later = await quantiles(m);
      expect(later['1']).toBeCloseTo(0.003, 3);
    } finally {
      m.close();
    }
  });

  it('reports zeros before any sample', async () => {
    const clock = new FakeClock();
    const m = createMetrics({ clock, loopDelay: { sampler: handSampler() } });
    m.watchEventLoop();
    try {
      expect(await quantiles(m)).toEqual({ '0.5': 0, '0.99': 0, '1': 0 });
    } finally {
      m.close();
    }
  });
});

describe('TimerDelaySampler', () => {
  it('records how long the event loop was blocked', async () => {
    const sampler = new TimerDelaySampler(5);
    sampler.start();
    try {
      const until = performance.now() + 30;
      while (performance.now() < until) {
        // Blocks the loop: the sampler's next tick is at least this late.
      }
      await expect.poll(() => sampler.histogram.count, { interval: 5, timeout: 2000 }).toBeGreaterThan(0);
      expect(sampler.histogram.max).toBeGreaterThanOrEqual(ms(20));
    } finally {
      sampler.stop();
    }
  });
});
