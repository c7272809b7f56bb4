import { describe, expect, it } from 'vitest';
import { DueQueue, type Slot } from '../../src/schedule/due-queue.ts';
import { MinHeap } from '../../src/schedule/heap.ts';
import { LatenessHistogram } from '../../src/schedule/lateness.ts';
import { RunQueue } from '../../src/schedule/run-queue.ts';

class Item {
  dueMono: number;
  slot: Slot<Item> | null = null;
  readonly name: string;
  constructor(name: string, due: number) {
    this.name = name;
    this.dueMono = due;
  }
}

function takeAll(q: DueQueue<Item>, mono: number): string[] {
  const out: string[] = [];
  q.takeDue(mono, (e) => out.push(e.name));
  return out;
}

describe('DueQueue', () => {
  it('returns due entries earliest first, FIFO within a due time', () => {
    const q = new DueQueue<Item>();
    for (const [n, d] of [['a', 30], ['b', 10], ['c', 20], ['d', 10], ['e', 40]] as const) q.place(new Item(n, d));
    expect(q.nextDue()).toBe(10);
    expect(takeAll(q, 30)).toEqual(['b', 'd', 'c', 'a']);
    expect(q.nextDue()).toBe(40);
    expect(takeAll(q, 39)).toEqual([]);
  });

  it('moving and removing entries is honoured without duplicates', () => {
    const q = new DueQueue<Item>();
    const a = new Item('a', 10);
    const b = new Item('b', 10);
    q.place(a);
    q.place(b);
    a.dueMono = 50;
    q.place(a);
    a.dueMono = 10; // and back again: still once
    q.place(a);
    q.unplace(b);
    expect(takeAll(q, 20)).toEqual(['a']);
    const never = new Item('never', Infinity);
    q.place(never);
    expect(q.nextDue()).toBe(50); // the stale slot a left behind; it yields nothing
    expect(takeAll(q, 100)).toEqual([]);
    expect(q.nextDue()).toBe(Infinity);
  });

  it('an entry re-placed while its slot fires waits for the next take', () => {
    const q = new DueQueue<Item>();
    const a = new Item('a', 10);
    q.place(a);
    const seen: string[] = [];
    q.takeDue(10, (e) => {
      seen.push(`${e.name}@${e.dueMono}`);
      e.dueMono += 10;
      q.place(e);
    });
    expect(seen).toEqual(['a@10']);
    expect(takeAll(q, 20)).toEqual(['a']);
  });

  it('a due time placed again after its slot was taken gets a new slot', () => {
    const q = new DueQueue<Item>();
    q.place(new Item('a', 10));
    expect(takeAll(q, 10)).toEqual(['a']);
    // The slot `place` used last has left the heap: reusing it would lose 'b'.
    q.place(new Item('b', 10));
    expect(q.nextDue()).toBe(10);
    expect(takeAll(q, 10)).toEqual(['b']);
  });

  it('rebuild places every entry afresh', () => {
    const q = new DueQueue<Item>();
    const items = [new Item('a', 5), new Item('b', 1), new Item('c', Infinity)];
    items.forEach((i) => q.place(i));
    items[0]!.dueMono = 0;
    q.rebuild(items);
    expect(takeAll(q, 10)).toEqual(['a', 'b']);
  });
});

describe('MinHeap', () => {
  it('pops in key order with FIFO ties, over many random keys', () => {
    const h = new MinHeap<{ dueMono: number; heapIndex: number; heapSeq: number; n: number }>();
    const keys = Array.from({ length: 500 }, (_, n) => ({ dueMono: (n * 7919) % 37, heapIndex: -1, heapSeq: 0, n }));
    keys.forEach((k) => h.push(k));
    const out: typeof keys = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x);
    const expected = [...keys].sort((a, b) => a.dueMono - b.dueMono || a.n - b.n);
    expect(out.map((x) => x.n)).toEqual(expected.map((x) => x.n));
  });
});

describe('LatenessHistogram', () => {
  it('counts into buckets and estimates quantiles by bucket bound', () => {
    const h = new LatenessHistogram();
    for (let i = 0; i < 98; i++) h.record(0.5);
    h.record(30);
    h.record(12_000);
    const s = h.snapshot();
    expect(s).toMatchObject({ count: 100, maxMs: 12_000, p50Ms: 1, p99Ms: 50 });
    expect(s.buckets.find((b) => b.le === 1)!.count).toBe(98);
    expect(s.buckets.at(-1)!.count).toBe(100);
    expect(h.quantile(1)).toBe(12_000);
  });
});

describe('RunQueue', () => {
  it('is FIFO, bounded, and supports removal and drain', () => {
    const q = new RunQueue<number>(3);
    expect([q.push(1), q.push(2), q.push(3), q.push(4)]).toEqual([true, true, true, false]);
    q.remove((n) => n === 2);
    expect(q.size).toBe(2);
    expect(q.shift()).toBe(1);
    expect(q.drain()).toEqual([3]);
    expect(q.shift()).toBeUndefined();
  });

  it('stays correct across compaction', () => {
    const q = new RunQueue<number>(5000);
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift()!);
    }
    for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });
});
