/**
 * The bounded FIFO of fires waiting for a free run slot. Bounded so a stuck cluster cannot grow it
 * without limit; the scheduler counts and logs what does not fit.
 */
export class RunQueue<T> {
  readonly limit: number;
  private items: T[] = [];
  private head = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Appends; false when the queue is full. */
  push(q: T): boolean {
    if (this.size >= this.limit) return false;
    this.items.push(q);
    return true;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const q = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as T;
    // Compact now and then instead of Array.shift's O(n) per call.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return q;
  }

  /** Removes the first queued item matching `match` (the fire of a deleted watch). */
  remove(match: (q: T) => boolean): void {
    for (let i = this.head; i < this.items.length; i++) {
      if (match(this.items[i]!)) {
        this.items.splice(i, 1);
        return;
      }
    }
  }

  /** Empties the queue, returning what was in it. */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}
