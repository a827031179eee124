/**
 * The rule context's id -> employee index (PeopleIndex) gives the same answers as the Map it
 * replaced, for sorted snapshots (binary search, then a Map once lookups are many), unsorted ones and
 * ones with an id twice (the last wins), and its forward cursor finds previous versions in id order.
 */
import { describe, expect, it } from 'vitest';
import type { Employee } from '../../src/model.js';
import { PeopleIndex } from '../../src/provisioning/rules/people-index.js';
import { rng } from '../../src/simulator/sample-org.js';
import { emp } from './helpers.js';

const byCodeUnit = (a: Employee, b: Employee) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function reference(list: Employee[]): Map<string, Employee> {
  const m = new Map<string, Employee>();
  for (const e of list) m.set(e.id, e);
  return m;
}

/** Ids that sort differently by number and by code unit, non-ASCII ones, and a few absent ones. */
function people(n: number, r: () => number): Employee[] {
  const ids = new Set<string>();
  while (ids.size < n) {
    const x = Math.floor(r() * n * 4);
    ids.add(r() < 0.1 ? `Ü-${x}` : r() < 0.5 ? `e${x}` : `E${x}`);
  }
  return [...ids].map((id) => emp(id));
}

describe('PeopleIndex', () => {
  it('answers like a Map for sorted, unsorted and duplicated people, before and after it builds its own Map', () => {
    const r = rng(7);
    for (const n of [0, 1, 2, 31, 500, 5000]) {
      const sorted = people(n, r).sort(byCodeUnit);
      const shuffled = [...sorted].sort(() => r() - 0.5);
      const dup = sorted.length > 2 ? [...sorted, { ...sorted[1]!, displayName: 'second copy' }] : sorted;
      for (const list of [sorted, shuffled, dup]) {
        const idx = new PeopleIndex(list);
        const ref = reference(list);
        const ascending = list.every((e, i) => i === 0 || list[i - 1]!.id < e.id);
        expect(idx.sorted, `n ${n}`).toBe(ascending);
        if (list === sorted) expect(idx.sorted).toBe(true);
        if (list === dup && n > 2) expect(idx.sorted).toBe(false);
        expect(idx.size).toBe(ref.size);
        expect([...idx.keys()].sort()).toEqual([...ref.keys()].sort());
        // more lookups than the search budget: the index switches to a Map half way through
        const asked = [...ref.keys(), 'absent', '', 'e', 'zzz', ...ref.keys()];
        for (const id of asked) {
          expect(idx.get(id), id).toBe(ref.get(id));
          expect(idx.has(id)).toBe(ref.has(id));
        }
        const seen: string[] = [];
        idx.forEach((v, k) => {
          expect(v).toBe(ref.get(k));
          seen.push(k);
        });
        expect(seen.length).toBe(ref.size);
      }
    }
  });

  it('iterates a sorted index in id order, as the snapshot lists its people', () => {
    const list = [emp('a'), emp('b'), emp('c')];
    expect([...new PeopleIndex(list).values()]).toEqual(list);
    expect([...new PeopleIndex(list)].map(([k]) => k)).toEqual(['a', 'b', 'c']);
  });

  it('a forward cursor pairs everyone with their previous version, and answers lookups out of order too', () => {
    const r = rng(11);
    const before = people(3000, r).sort(byCodeUnit);
    // the current snapshot: some people gone, some new, in id order
    const after = [...before.filter(() => r() < 0.8), ...people(500, r)]
      .filter((e, i, a) => a.findIndex((x) => x.id === e.id) === i)
      .sort(byCodeUnit);
    const ref = reference(before);
    const prevOf = new PeopleIndex(before).ascending();
    for (const e of after) expect(prevOf(e.id), e.id).toBe(ref.get(e.id));
    // out of order after the walk: still right
    for (const e of before.slice(0, 50)) expect(prevOf(e.id)).toBe(e);
    // an unsorted index's cursor is its Map
    const unsorted = new PeopleIndex([...before].reverse()).ascending();
    for (const e of after) expect(unsorted(e.id)).toBe(ref.get(e.id));
  });
});
