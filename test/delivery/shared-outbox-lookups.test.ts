/**
 * The shared outbox's look-ups of earlier entries after a takeover: the sends of one turn ask with one
 * request, each answer holds only its own watch's earlier entries, and a request that cannot return
 * them all falls back to one look-up each.
 */
import { describe, expect, it } from 'vitest';
import { SharedOutbox } from '../../src/delivery/shared-outbox.ts';
import { silentLogger } from '../../src/log.ts';
import type { ClaimedEntry, OutboxClaims } from '../../src/state/types.ts';
import { FakeClock } from '../kit/fake-clock.ts';

const entry = (key: string, watchId: string, seq: number): ClaimedEntry =>
  ({ key, tenant: '_main', watchId, seq, claim: { node: 'gone', until: 0 } }) as unknown as ClaimedEntry;

function setUp(stored: ClaimedEntry[], pageFull = false) {
  const calls = { pendingOf: 0, pendingBefore: 0 };
  const claims = {
    pendingClaims: async () => [],
    pendingOf: async () => (calls.pendingOf++, { entries: stored, complete: !pageFull }),
    pendingBefore: async (tenant: string, watchId: string, seq: number) => (calls.pendingBefore++, stored.filter((x) => x.watchId === watchId && x.seq < seq)),
    claim: async (key: string) => ({ ok: true as const, entry: stored.find((x) => x.key === key)! }),
  } as unknown as OutboxClaims;
  const clock = new FakeClock();
  const shared = new SharedOutbox({ claims, node: 'me', leaseMs: 10_000, clock, logger: silentLogger() });
  const sent: string[] = [];
  shared.sendNow = async (e) => void sent.push(e.key);
  return { shared, calls, sent };
}

describe('shared outbox: earlier entries of gained watches', () => {
  const stored = [entry('a-1', 'a', 1), entry('b-1', 'b', 2), entry('a-9', 'a', 9)];

  it('the sends of one turn look them up with one request; each sends only its own watch\'s earlier ones first', async () => {
    const { shared, calls, sent } = setUp(stored);
    await shared.adopt(new Set(['_main/a', '_main/b', '_main/c']));
    await Promise.all([shared.before(entry('a-5', 'a', 5)), shared.before(entry('b-7', 'b', 7)), shared.before(entry('c-3', 'c', 3))]);
    expect(calls).toEqual({ pendingOf: 1, pendingBefore: 0 });
    expect(sent.sort()).toEqual(['a-1', 'b-1']);
  });

  it('when one request cannot return them all, each is looked up alone', async () => {
    const { shared, calls, sent } = setUp(stored, true);
    await shared.adopt(new Set(['_main/a', '_main/b']));
    await Promise.all([shared.before(entry('a-5', 'a', 5)), shared.before(entry('b-7', 'b', 7))]);
    expect(calls).toEqual({ pendingOf: 1, pendingBefore: 2 });
    expect(sent.sort()).toEqual(['a-1', 'b-1']);
  });
});
