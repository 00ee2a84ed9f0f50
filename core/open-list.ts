/**
 * The things open now (answers in flight, WebSocket sessions) for the end of a shutdown's grace: an array
 * where a closed item's slot takes the last one, not a Set.
 *
 * V8 rebuilds a Set's hash table as entries come and go. It leaves the old table its entries and a link to
 * the new one, and makes the new one in the old generation if the old was there (`OrderedHashTable::Rehash`,
 * deps/v8/src/objects/ordered-hash-table.cc). Once the Set's table had been promoted, every table it left
 * behind held its items, and minor GCs keep what the old generation points to: each closed answer survived
 * with its whole request until a full GC. Under load that came on at random and stayed: 2 MB of dead
 * requests promoted per scavenge, each 5 ms instead of 0.6, a full GC every half second (docs/design.md).
 * An array's old storage links to nothing newer.
 */
export class OpenList<T extends object> {
  private readonly items: T[] = [];
  /** Where an item sits in `items`, stored on it, so that closing it takes no search. */
  private readonly slot = Symbol('oxy.openSlot');

  add(item: T): void {
    (item as Record<symbol, number>)[this.slot] = this.items.length;
    this.items.push(item);
  }

  /** Takes out an item added once and not taken out since. */
  delete(item: T): void {
    const slot = (item as Record<symbol, number>)[this.slot]!;
    const last = this.items.pop()!;
    if (last === item) return;
    this.items[slot] = last;
    (last as Record<symbol, number>)[this.slot] = slot;
  }

  /** The items open now, in a copy. */
  all(): T[] {
    return [...this.items];
  }
}
