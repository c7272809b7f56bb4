/**
 * Entries grouped by due time: a min-heap of slots, one slot per distinct due time, each slot a FIFO
 * of entries. Watches that share a schedule (every `* * * * * ?` watch, every daily 09:00) share one
 * slot, so 10 000 watches due at the same second cost one heap operation, not 10 000 — which is what
 * keeps the fire lag of a big simultaneous batch low.
 *
 * Moving or removing an entry is O(1): the entry points at its current slot, and a slot skips entries
 * that point elsewhere when it fires (a stale reference is left behind until then).
 */
import { MinHeap, type HeapItem } from './heap.ts';

/** A group of entries due at the same monotonic time. */
export class Slot<E> implements HeapItem {
  dueMono: number;
  heapIndex = -1;
  heapSeq = 0;
  readonly items: E[] = [];
  /** Items before this index were taken by a {@link DueQueue.takeDue} that stopped part-way. */
  head = 0;

  constructor(dueMono: number) {
    this.dueMono = dueMono;
  }
}

/** What the queue needs from an entry. */
export interface Slotted<E> {
  /** Due time (monotonic ms); Infinity: not scheduled. */
  dueMono: number;
  /** The slot holding the entry. Owned by the queue. */
  slot: Slot<E> | null;
}

export class DueQueue<E extends Slotted<E>> {
  private readonly heap = new MinHeap<Slot<E>>();
  private readonly byDue = new Map<number, Slot<E>>();
  /** The slot `place` used last, while it is still in the heap. */
  private last: Slot<E> | null = null;

  /** Earliest due time of any slot (possibly a slot whose entries all moved away); Infinity if none. */
  nextDue(): number {
    return this.heap.peek()?.dueMono ?? Infinity;
  }

  /** (Re)places `e` by its current `dueMono`. */
  place(e: E): void {
    if (e.dueMono === Infinity) {
      e.slot = null;
      return;
    }
    // A batch re-places its entries one after another into the same next slot: skip the map lookup.
    let slot = this.last !== null && this.last.dueMono === e.dueMono ? this.last : this.byDue.get(e.dueMono);
    if (!slot) {
      slot = new Slot<E>(e.dueMono);
      this.byDue.set(slot.dueMono, slot);
      this.heap.push(slot);
    }
    this.last = slot;
    if (e.slot !== slot) {
      slot.items.push(e);
      e.slot = slot;
    }
  }

  /** Takes `e` out; it will not be returned by {@link takeDue}. */
  unplace(e: E): void {
    e.slot = null;
  }

  /**
   * Calls `fn` for every entry due at or before `mono`, earliest slot first, FIFO within a slot. The
   * entry's slot is cleared before `fn`, which may place it again (strictly later than `mono`).
   * `canTake` is asked before each entry: once it says no, the rest stay due where they are, in order,
   * for a later call (back-pressure: they wait in the schedule instead of a queue). Returns false when
   * it stopped so, with entries still due.
   */
  takeDue(mono: number, fn: (e: E) => void, canTake?: () => boolean): boolean {
    for (let slot = this.heap.peek(); slot && slot.dueMono <= mono; slot = this.heap.peek()) {
      const items = slot.items;
      for (; slot.head < items.length; slot.head++) {
        const e: E = items[slot.head]!;
        if (e.slot !== slot) continue;
        if (canTake && !canTake()) return false;
        e.slot = null;
        fn(e);
      }
      // Every entry of the slot was taken (or moved away); `fn` may have placed some into later slots.
      this.heap.pop();
      this.byDue.delete(slot.dueMono);
      if (this.last === slot) this.last = null;
    }
    return true;
  }

  /** Drops every slot and places `entries` afresh (after all due times changed, e.g. a clock jump). */
  rebuild(entries: Iterable<E>): void {
    this.heap.rebuild([]);
    this.byDue.clear();
    this.last = null;
    for (const e of entries) {
      e.slot = null;
      this.place(e);
    }
  }
}
