/**
 * Which daemon runs a watch, when several share the watches through the cluster: rendezvous
 * (highest-random-weight) hashing. Every daemon scores each (watch, live daemon) pair with the same hash
 * and the highest score owns the watch; no daemon coordinates with another. When a daemon leaves, only
 * its own watches move (each to its second choice); when one joins, it takes about 1/N of every other
 * daemon's. Two daemons whose views of the membership differ for a moment may both think they own a
 * watch: the run claim on (watch, scheduled time) in the state store is what keeps a time from running
 * twice, not this.
 */

/** 32-bit FNV-1a of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit moves every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The rendezvous owners of keys over a set of daemon names. Node hashes are computed once per set; a
 * key costs one string hash and two mixes per node.
 */
export class Rendezvous {
  readonly nodes: readonly string[];
  readonly #seeds: Uint32Array;

  /** `nodes`: the live daemons' names (order and duplicates do not matter). */
  constructor(nodes: Iterable<string>) {
    this.nodes = [...new Set(nodes)].sort();
    this.#seeds = Uint32Array.from(this.nodes, (n) => fnv1a(n));
  }

  /** The owner of `key`, or null when no daemon is live. Ties (never seen in practice) go to the first name. */
  owner(key: string): string | null {
    if (this.nodes.length === 0) return null;
    const k = fnv1a(key);
    let best = -1;
    let at = 0;
    for (let i = 0; i < this.#seeds.length; i++) {
      // Two rounds: one mix of (key ^ node) alone lets keys that differ in few bits pick the same node.
      const score = fmix32(fmix32(k ^ this.#seeds[i]!) + this.#seeds[i]!);
      if (score > best) {
        best = score;
        at = i;
      }
    }
    return this.nodes[at]!;
  }

  /** True when `node` owns `key`. */
  owns(node: string, key: string): boolean {
    return this.owner(key) === node;
  }
}
