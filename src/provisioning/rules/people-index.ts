/**
 * id -> employee over one snapshot's people, without hashing everyone up front.
 *
 * Snapshots list their people sorted by id (`takeSnapshot`, files written by orgsync). A plan for a
 * few events in a large org asks for only a few people by id, and pairs everyone with their
 * previous version in id order; a `Map` of everyone is then most of a plan's time, and it grows
 * faster than the org (a 2,000,000-entry hash table no longer fits in the CPU's caches: 26x the
 * time of 200,000 entries on the benchmark machine). So this index:
 * - checks once, in one pass, whether the ids are strictly ascending (code-unit order, as
 *   snapshots are sorted; strictly, so no id appears twice);
 * - answers `get` by binary search while lookups are few, and builds the `Map` once they are not
 *   (more than 1/32 of the people plus 64): evaluating the rules for everyone costs what it did,
 *   plus at most that many searches;
 * - pairs people in id order with `ascending()`, a cursor that walks forward (no lookup at all);
 * - for people not sorted (hand-built snapshots), is the `Map` (built on first use), with the
 *   last of two people with one id winning, as before.
 * Same answers as the `Map` in every case.
 */
import { idsStrictlyAscending } from '../../diff/input.js';
import type { Employee } from '../../model.js';

export class PeopleIndex implements ReadonlyMap<string, Employee> {
  /** Ids strictly ascending in code-unit order. */
  readonly sorted: boolean;
  private map: Map<string, Employee> | undefined;
  private searches = 0;
  private readonly searchBudget: number;

  /** @param list the snapshot's people (not copied: the index assumes it does not change) */
  constructor(readonly list: readonly Employee[]) {
    this.sorted = idsStrictlyAscending(list);
    this.searchBudget = (list.length >>> 5) + 64;
  }

  private built(): Map<string, Employee> {
    if (!this.map) {
      const m = new Map<string, Employee>();
      for (const e of this.list) m.set(e.id, e);
      this.map = m;
    }
    return this.map;
  }

  private search(id: string): number {
    const list = this.list;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = list[mid]!.id;
      if (k < id) lo = mid + 1;
      else if (k > id) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  get(id: string): Employee | undefined {
    if (this.map || !this.sorted || ++this.searches > this.searchBudget) return this.built().get(id);
    const i = this.search(id);
    return i < 0 ? undefined : this.list[i];
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  get size(): number {
    return this.sorted ? this.list.length : this.built().size;
  }

  /**
   * Lookups in ascending id order, answered by walking forward through the sorted people (each
   * person passed once over all calls). A lookup out of order is answered by `get`.
   */
  ascending(): (id: string) => Employee | undefined {
    if (!this.sorted) return (id) => this.get(id);
    const list = this.list;
    let i = 0;
    let last: string | undefined;
    return (id) => {
      if (last !== undefined && id < last) return this.get(id);
      last = id;
      while (i < list.length && list[i]!.id < id) i++;
      return i < list.length && list[i]!.id === id ? list[i] : undefined;
    };
  }

  *entries(): MapIterator<[string, Employee]> {
    if (!this.sorted) return yield* this.built().entries();
    for (const e of this.list) yield [e.id, e];
  }

  *keys(): MapIterator<string> {
    if (!this.sorted) return yield* this.built().keys();
    for (const e of this.list) yield e.id;
  }

  *values(): MapIterator<Employee> {
    if (!this.sorted) return yield* this.built().values();
    yield* this.list;
  }

  [Symbol.iterator](): MapIterator<[string, Employee]> {
    return this.entries();
  }

  forEach(fn: (value: Employee, key: string, map: ReadonlyMap<string, Employee>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}

/** `map.get`, or for a sorted `PeopleIndex` its `ascending()` cursor (for lookups in ascending id order). */
export function ascendingLookup(map: ReadonlyMap<string, Employee>): (id: string) => Employee | undefined {
  return map instanceof PeopleIndex ? map.ascending() : (id) => map.get(id);
}
