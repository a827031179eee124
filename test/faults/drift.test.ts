/**
 * Issue 12 §2 for Rippling's legacy platform API (limit/offset, no total count): the connector the
 * fault matrix does not run (the registry's Rippling simulator serves the REST API). A person
 * deleted after page 1 was read used to shift every later page back by one, so the walk silently
 * missed an existing person and the diff reported them REMOTE_DELETED; an insertion read someone
 * twice. The core now re-reads one record of overlap per page and walks again when it moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rippling } from '../../connectors/index.js';
import { ripplingLegacySimulator } from '../../connectors/rippling/simulator.js';
import { deletionDuringWalk, insertionDuringWalk } from './drift-cells.js';
import { adapters } from './adapters.js';
import { attempt, checkCommon, quiesce, start, type Running, type Target } from './helpers.js';

const target: Target = { id: 'rippling', factory: rippling, simulator: ripplingLegacySimulator };
// The legacy API lists employees as a bare array of records with `id` (the REST adapter reads `results`).
const legacyAdapter = () => ({
  ...adapters['rippling']!,
  items: (res: { body: unknown }) =>
    (typeof res.body === 'string' ? JSON.parse(res.body) : structuredClone(res.body)) as unknown[],
});

describe('Rippling legacy (limit/offset): records that move mid-walk', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start(target);
  });
  afterAll(async () => {
    await r?.running.sim.close();
  });

  it('a clean walk costs no extra request for the overlap at 120 people (limit 100: 2 pages)', async () => {
    await quiesce(r);
    r.running.sim.clearFaults();
    const from = r.running.sim.log.length;
    const o = await attempt(r);
    checkCommon(r, o);
    const pages = r.running.sim.log.slice(from).filter((l) => l.path.includes('/employees/include_terminated'));
    expect(pages.map((l) => new URLSearchParams(l.path.split('?')[1]).get('offset'))).toEqual(['0', '99']);
  });

  it('a person deleted before page 2: nobody missing, nobody twice, no REMOTE_DELETED', async () => {
    await quiesce(r);
    r.running.sim.clearFaults();
    const { outcome, calls } = await deletionDuringWalk(r, legacyAdapter as never);
    checkCommon(r, outcome);
    // Page 1, page 2 (the shift is seen), then a second walk of two pages.
    expect(calls).toBe(4);
  });

  it('a person inserted before page 2: everybody exactly once', async () => {
    await quiesce(r);
    r.running.sim.clearFaults();
    const { outcome, calls } = await insertionDuringWalk(r);
    checkCommon(r, outcome);
    expect(calls).toBe(4);
  });
});
