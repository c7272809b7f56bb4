/**
 * A binary min-heap of due times, FIFO among equal keys. Items record their index (used by `rebuild`
 * and handy when debugging) and an insertion sequence for the tie-break.
 */

/** What the heap needs from an item: its key and a slot it may write. */
export interface HeapItem {
  /** The sort key (smallest first). */
  dueMono: number;
  /** The item's slot in the heap, or -1 when it is not in the heap. Owned by the heap. */
  heapIndex: number;
  /** Insertion order, so equal keys leave in FIFO order (fair and deterministic). Owned by the heap. */
  heapSeq: number;
}

function before(a: HeapItem, b: HeapItem): boolean {
  return a.dueMono < b.dueMono || (a.dueMono === b.dueMono && a.heapSeq < b.heapSeq);
}

export class MinHeap<T extends HeapItem> {
  private items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapSeq = this.seq++;
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top) this.removeAt(0);
    return top;
  }

  /** Replaces the content with `items` in O(n) (after every key changed, e.g. on a clock jump). */
  rebuild(items: T[]): void {
    for (const it of this.items) it.heapIndex = -1;
    this.items = items;
    items.forEach((it, i) => (it.heapIndex = i));
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private removeAt(i: number): void {
    const items = this.items;
    const gone = items[i]!;
    const last = items.pop()!;
    gone.heapIndex = -1;
    if (i < items.length) {
      items[i] = last;
      last.heapIndex = i;
      this.up(i);
      this.down(last.heapIndex);
    }
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(item, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!before(child, item)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
