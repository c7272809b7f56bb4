import { describe, expect, it } from 'vitest';
import { Rendezvous } from '../../src/schedule/ownership.ts';

const keys = Array.from({ length: 10_000 }, (_, i) => `_main:watch-${i}`);
const owners = (r: Rendezvous) => new Map(keys.map((k) => [k, r.owner(k)]));

describe('rendezvous ownership', () => {
  it('gives every key one owner, the same whatever the order of the names, spread evenly', () => {
    const a = owners(new Rendezvous(['d1', 'd2', 'd3']));
    const b = owners(new Rendezvous(['d3', 'd1', 'd2', 'd1']));
    expect(b).toEqual(a);
    const counts = new Map<string, number>();
    for (const o of a.values()) counts.set(o!, (counts.get(o!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['d1', 'd2', 'd3']);
    for (const c of counts.values()) expect(Math.abs(c - 10_000 / 3)).toBeLessThan(250);
  });

  it('a daemon leaving moves only its own watches; one joining takes about a quarter, from every other', () => {
    const three = owners(new Rendezvous(['d1', 'd2', 'd3']));
    const two = owners(new Rendezvous(['d1', 'd3']));
    for (const k of keys) if (three.get(k) !== 'd2') expect(two.get(k)).toBe(three.get(k));
    const four = owners(new Rendezvous(['d1', 'd2', 'd3', 'd4']));
    const moved = keys.filter((k) => four.get(k) !== three.get(k));
    // Everything that moved went to the new daemon.
    expect(new Set(moved.map((k) => four.get(k)))).toEqual(new Set(['d4']));
    expect(Math.abs(moved.length - 2_500)).toBeLessThan(250);
    const from = new Set(moved.map((k) => three.get(k)));
    expect(from).toEqual(new Set(['d1', 'd2', 'd3']));
  });

  it('keys differing in their last character only still spread', () => {
    const r = new Rendezvous(['a', 'b']);
    const n = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'].map((k) => r.owner(k));
    expect(new Set(n).size).toBe(2);
  });

  it('nobody owns anything without live daemons', () => {
    expect(new Rendezvous([]).owner('x')).toBeNull();
    expect(new Rendezvous(['solo']).owns('solo', 'x')).toBe(true);
  });
});
