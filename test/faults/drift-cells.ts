/**
 * Issue 12 §2: records that move while a paged walk is under way. A person is deleted (or
 * inserted) at the vendor after page 1 was read and before page 2 is: offset, index and
 * page-number walks then shift by one, and without the core's drift guard (src/pagination/drift.ts)
 * the walk silently misses someone who exists (or reads someone twice). Each cell requires a
 * complete snapshot in which every person who existed for the whole sync appears exactly once.
 * Shared by the fault matrix (every registered paged connector) and test/faults/drift.test.ts
 * (connectors the registry does not run, e.g. Rippling's legacy limit/offset API).
 */
import { expect } from 'vitest';
import type { SampleOrg } from '../../src/simulator/sample-org.js';
import type { VendorFaultAdapter } from './adapters.js';
import {
  attempt,
  expectComplete,
  INSERTED_EMAIL,
  NOW,
  org,
  withInsertedPerson,
  type Outcome,
  type Running,
} from './helpers.js';

/** The sample company without the person whose work email is `email`. */
export function withoutPerson(base: SampleOrg, email: string): SampleOrg {
  return { ...base, people: base.people.filter((p) => p.workEmail.toLowerCase() !== email.toLowerCase()) };
}

/** Employee listing requests (page requests of every walk) since log index `from`. */
function listingCalls(r: Running, from: number): number {
  const p = r.target.simulator.employeesPath;
  return r.running.sim.log.slice(from).filter((l) => (typeof p === 'string' ? l.path.includes(p) : p.test(l.path)))
    .length;
}

export interface DriftResult {
  outcome: Outcome;
  /** Employee-listing requests the sync needed (the baseline's were `baselineCalls`). */
  calls: number;
}

/**
 * Delete one person of page 1 (not its last record) after page 1 was read: every later record moves
 * back by one. The snapshot must hold everybody else exactly once; the deleted person may be there
 * (read before the deletion) or not.
 */
export async function deletionDuringWalk(r: Running, a: () => VendorFaultAdapter): Promise<DriftResult> {
  const byId = new Map(r.baseline.employees.map((e) => [e.id, e]));
  let victim: string | undefined;
  const match = r.target.simulator.employeesPath;
  // Page 1: pick a person it holds, with a work email (to find them in the sample company) and no reports.
  r.running.sim.inject({
    match,
    after: 0,
    fault: {
      type: 'transform',
      fn: (res) => {
        if (res.status !== 200) return res;
        const ids = a()
          .items(res)
          .map((it) => a().idOf(it));
        const managers = new Set(r.baseline.employees.map((e) => e.managerId));
        victim = ids.slice(1, -1).find((id) => byId.get(id)?.workEmail && !managers.has(id));
        return res;
      },
    },
  });
  r.running.sim.inject({
    match,
    after: 1,
    fault: { type: 'before', fn: () => r.running.update(withoutPerson(org(), byId.get(victim!)!.workEmail!), NOW) },
  });
  const from = r.running.sim.log.length;
  try {
    const outcome = await attempt(r);
    const s = expectComplete(r, outcome);
    expect(victim, 'a person of page 1 was deleted').toBeDefined();
    const counts = new Map<string, number>();
    for (const e of s.employees) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    for (const e of r.baseline.employees) {
      if (e.id === victim) continue;
      expect(counts.get(e.id), `${e.id} exactly once`).toBe(1);
    }
    expect(
      s.employees.every((e) => byId.has(e.id)),
      'nobody unknown',
    ).toBe(true);
    return { outcome, calls: listingCalls(r, from) };
  } finally {
    // Restore the victim with the update time it had, so later cells still match the baseline.
    const was = victim ? byId.get(victim)?.updatedAt : undefined;
    r.running.update(org(), was ? new Date(was) : NOW);
  }
}

/**
 * Insert a person at the front of every listing after page 1 was read: every later record moves
 * forward by one. Everybody of the baseline exactly once; the new person may be there or not.
 */
export async function insertionDuringWalk(r: Running): Promise<DriftResult> {
  r.running.sim.inject({
    match: r.target.simulator.employeesPath,
    after: 1,
    fault: { type: 'before', fn: () => r.running.update(withInsertedPerson(org()), NOW) },
  });
  const from = r.running.sim.log.length;
  try {
    const outcome = await attempt(r);
    const s = expectComplete(r, outcome);
    const counts = new Map<string, number>();
    for (const e of s.employees) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    for (const e of r.baseline.employees) expect(counts.get(e.id), `${e.id} exactly once`).toBe(1);
    const extra = s.employees.filter((e) => !r.baseline.employees.some((b) => b.id === e.id));
    expect(extra.every((e) => e.workEmail === INSERTED_EMAIL)).toBe(true);
    expect(extra.length).toBeLessThanOrEqual(1);
    return { outcome, calls: listingCalls(r, from) };
  } finally {
    r.running.update(org(), NOW);
  }
}
