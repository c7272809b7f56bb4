/**
 * The refreshed view of an index: a refresh applies only what changed since the last one, in place,
 * and the result is exactly `docs` (same documents, same order, which unsorted searches return); a view
 * a point in time or scroll holds is never changed by a later refresh.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../kit/fake-clock.ts';
import { Store } from './store.ts';
import { SearchContexts, snapshotOf } from './contexts.ts';

function store(): Store {
  return new Store({ distribution: 'elasticsearch', clock: new FakeClock(), refreshIntervalMs: -1 });
}

/** A small deterministic generator, so a failing sequence can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('test cluster index view', () => {
  it('after every refresh the view is docs, in docs order; between refreshes it does not move', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = store();
      s.createIndex('v');
      const data = s.get('v');
      const next = lcg(seed);
      let seen: Array<[string, unknown]> = [];
      for (let step = 0; step < 2000; step++) {
        const r = next();
        const id = `d${Math.floor(next() * 40)}`;
        if (r < 0.55) s.write('v', id, { step });
        else if (r < 0.85) {
          if (data.docs.has(id) || next() < 0.5) s.delete('v', id);
        } else {
          expect([...data.searchable]).toEqual(seen);
          s.refresh(data);
          expect([...data.searchable.keys()]).toEqual([...data.docs.keys()]);
          expect([...data.searchable.values()]).toEqual([...data.docs.values()]);
          seen = [...data.searchable];
        }
      }
    }
  });

  it('refreshes the view in place, but replaces a view a point in time holds', () => {
    const s = store();
    s.write('v', 'a', { n: 1 });
    const data = s.get('v');
    s.refresh(data);
    const view = data.searchable;
    s.write('v', 'b', { n: 2 });
    s.refresh(data);
    expect(data.searchable).toBe(view);
    expect([...view.keys()]).toEqual(['a', 'b']);

    const contexts = new SearchContexts(s.clock);
    const { pit } = contexts.openPit(snapshotOf([data], true), 60_000);
    s.write('v', 'a', { n: 3 });
    s.delete('v', 'b');
    s.refresh(data);
    expect([...pit.parts[0]!.docs.values()].map((d) => d.source)).toEqual([{ n: 1 }, { n: 2 }]);
    expect([...data.searchable.values()].map((d) => d.source)).toEqual([{ n: 3 }]);
    // The new view is nobody's snapshot: it is refreshed in place again.
    const next = data.searchable;
    s.write('v', 'c', { n: 4 });
    s.refresh(data);
    expect(data.searchable).toBe(next);
  });
});
