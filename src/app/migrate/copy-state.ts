/**
 * The run-time state: each watch's state, the notifications still pending in the outbox (by their
 * idempotency keys, so a receiver that deduplicates sees the same key after the move) and, when asked,
 * the execution log (by record id). Writes go in chunks: both stores batch what is written together
 * (SQLite's group commit, the cluster's `_bulk` window), where one write at a time would wait a window each.
 */
import type { OutboxEntry } from '../../state/types.ts';
import type { WatchRef } from '../../watches/repository.ts';
import { copyOne, type Counts, type KindCount } from './counts.ts';
import type { Side } from './sides.ts';

const CHUNK = 500;

export async function copyState(src: Side, dst: Side, refs: WatchRef[], counts: Counts, o: { dryRun: boolean; includeLog: boolean }): Promise<void> {
  for (let i = 0; i < refs.length; i += CHUNK) {
    await Promise.all(
      refs.slice(i, i + CHUNK).map(async ({ tenant, id }) => {
        const state = await src.store.watchState.get(tenant, id);
        if (state) await copyOne(counts.watch_state, o.dryRun, async () => (await dst.store.watchState.get(tenant, id)) !== undefined, () => dst.store.watchState.put(tenant, id, state));
      }),
    );
  }
  let after: { createdAt: number; key: string } | undefined;
  for (;;) {
    const page = await src.store.outbox.pending(CHUNK, after);
    await Promise.all(page.map((e) => copyOne(counts.outbox, o.dryRun, async () => (await dst.store.outbox.get(e.key)) !== undefined, () => dst.store.outbox.enqueue(asNew(e)))));
    if (page.length < CHUNK) break;
    after = { createdAt: page.at(-1)!.createdAt, key: page.at(-1)!.key };
  }
  if (o.includeLog) await copyLog(src, dst, counts.log, o.dryRun);
}

async function copyLog(src: Side, dst: Side, c: KindCount, dryRun: boolean): Promise<void> {
  const there = await dst.logIds();
  let writes: Array<Promise<unknown>> = [];
  for await (const r of src.logRecords()) {
    await copyOne(c, dryRun, async () => there.has(r.id), async () => void writes.push(dst.store.log.append(r)));
    there.add(r.id);
    if (writes.length >= CHUNK) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  writes = [];
}

/** A pending entry as a new one of the target's outbox: its attempts start again (its deadline is kept). */
function asNew(e: OutboxEntry): Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'> {
  const { status: _s, attempts: _a, lastError: _l, finishedAt: _f, ...rest } = e;
  return rest;
}
