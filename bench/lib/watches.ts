/**
 * Generated watch files for S2 and S6: a search check against the test cluster's `logs` index, a CEL
 * condition that is true for even-numbered watches only (~half), and a webhook action to the sink for
 * those. The search asks for `size: 0` with a total: an alerting check needs the count, not the hits.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface WatchGenOptions {
  count: number;
  dir: string;
  /** Webhook sink base URL. */
  webhookUrl: string;
  interval?: string;
}

/** The JSON of watch number `i`. */
export function benchWatch(i: number, webhookUrl: string, interval = '10s'): Record<string, unknown> {
  // The sample `logs` index has ~80 ERROR documents out of 500: "> 10" is true, "> 1000000" is false.
  const threshold = i % 2 === 0 ? 10 : 1_000_000;
  return {
    description: `bench watch ${i}`,
    trigger: { schedule: { interval } },
    checks: [
      {
        type: 'search',
        name: 'errors',
        target: 'x',
        request: { indices: ['logs'], body: { size: 0, track_total_hits: true, query: { term: { level: 'ERROR' } } } },
      },
      { type: 'condition', name: 'many errors', lang: 'cel', source: `data.x.hits.total.value > ${threshold}` },
    ],
    actions: [
      {
        type: 'webhook',
        name: 'notify',
        request: {
          method: 'POST',
          url: `${webhookUrl}/hook`,
          headers: { 'Content-Type': 'application/json' },
          body: '{"watch": "{{watch.id}}", "errors": {{data.x.hits.total.value}}, "at": "{{trigger.scheduled_time}}"}',
        },
      },
    ],
  };
}

export const watchFileName = (i: number): string => `bench-${String(i).padStart(5, '0')}.json`;

/** Writes `count` watch files into `dir` (created), in batches so the write does not take long. */
export async function writeWatches(o: WatchGenOptions): Promise<string[]> {
  await mkdir(o.dir, { recursive: true });
  const files: string[] = [];
  const batch = 200;
  for (let start = 0; start < o.count; start += batch) {
    const jobs: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(o.count, start + batch); i++) {
      const file = join(o.dir, watchFileName(i));
      files.push(file);
      jobs.push(writeFile(file, JSON.stringify(benchWatch(i, o.webhookUrl, o.interval), null, 2)));
    }
    await Promise.all(jobs);
  }
  return files;
}

/**
 * The watch of the overload scenario (S12): a static check and a webhook to the sink on every run, so
 * each execution is one notification and the delivery path is what saturates.
 */
export function overloadWatch(i: number, webhookUrl: string, interval: string): Record<string, unknown> {
  return {
    description: `overload watch ${i}`,
    trigger: { schedule: { interval } },
    checks: [{ type: 'static', name: 'n', target: 'n', value: { i } }],
    actions: [
      {
        type: 'webhook',
        name: 'notify',
        request: {
          method: 'POST',
          url: `${webhookUrl}/hook`,
          headers: { 'Content-Type': 'application/json' },
          body: '{"watch": "{{watch.id}}", "i": {{data.n.i}}, "at": "{{trigger.scheduled_time}}"}',
        },
      },
    ],
  };
}

export const overloadWatchId = (i: number): string => `overload-${String(i).padStart(5, '0')}`;

/** Writes the overload watches (`overload-NNNNN.json`), in batches. */
export async function writeOverloadWatches(o: { count: number; dir: string; webhookUrl: string; interval: string }): Promise<void> {
  await mkdir(o.dir, { recursive: true });
  for (let start = 0; start < o.count; start += 500) {
    const jobs: Array<Promise<void>> = [];
    for (let i = start; i < Math.min(o.count, start + 500); i++) {
      jobs.push(writeFile(join(o.dir, `${overloadWatchId(i)}.json`), JSON.stringify(overloadWatch(i, o.webhookUrl, o.interval))));
    }
    await Promise.all(jobs);
  }
}
