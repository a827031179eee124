import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rippling } from '../../../connectors/rippling/index.js';
import { ripplingId, startRipplingSimulator, updateRipplingData } from '../../../connectors/rippling/simulator.js';
import { sync } from '../../../src/sync.js';
import { OrgsyncError } from '../../../src/errors.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { errorFixture, errorReply, fast, mockRestLookups, NOW, REST, rf, W } from './helpers.js';

const TOKEN = 'rpl_incremental_contract_5c1e8b3a9d70';
const SINCE = new Date('2026-02-27T00:00:00.000Z');
const FILTER = { expand: 'user', filter: 'updated_at ge 2026-02-27T00:00:00Z', order_by: 'updated_at' };

describe('Rippling REST incremental reads (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('filters workers by updated_at, joins users for workers that came without one, reports no deletions', async () => {
    const scope = mockRestLookups(TOKEN)
      .get('/workers/')
      .query(FILTER)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, rf('rest/GET_workers_updated_since.json'))
      .get('/users/')
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, rf('rest/GET_users.json'));
    const changes = await rippling({ apiToken: TOKEN, http: fast }).readChanges!(SINCE, { now: NOW });
    expect(scope.isDone()).toBe(true);
    expect(changes.deletedIds).toEqual([]);
    expect(changes.employees.map((e) => e.id)).toEqual([W(3), W(11)]);
    expect(changes.employees[0]).toMatchObject({
      employmentStatus: 'TERMINATED',
      terminationDate: '2026-01-16',
      managerId: W(2),
      updatedAt: '2026-02-28T09:14:03.000Z',
    });
    // Worker 11's user was not expanded: joined from /users/ by user_id.
    expect(changes.employees[1]).toMatchObject({
      firstName: 'Siobhán',
      lastName: "O'Connell",
      personalEmail: 'siobhan.oc@mail.example',
      employmentType: 'TEMPORARY',
    });
    expect((changes.raw[1] as { user: { id: string } }).user.id).toBe('65f1c2a9e4b0a1d2c3f9000b');
  });

  it('does not read /users/ when every worker came with its user', async () => {
    const body = rf('rest/GET_workers_updated_since.json');
    body.results = body.results.slice(0, 1);
    const scope = mockRestLookups(TOKEN).get('/workers/').query(FILTER).reply(200, body);
    const users = nock(REST).get('/users/').reply(200, rf('rest/GET_users.json'));
    const changes = await rippling({ apiToken: TOKEN, http: fast }).readChanges!(SINCE, { now: NOW });
    expect(scope.isDone()).toBe(true);
    expect(users.isDone()).toBe(false);
    expect(changes.employees).toHaveLength(1);
  });

  it('a worker updated during the walk appears twice: the later copy wins', async () => {
    const page1 = rf('rest/GET_workers_updated_since.json');
    page1.results = [page1.results[0]];
    page1.next_link =
      '/workers/?expand=user&filter=updated_at+ge+2026-02-27T00%3A00%3A00Z&order_by=updated_at&cursor=eyJvIjoxfQ';
    const page2 = rf('rest/GET_workers_updated_since.json');
    page2.results = [{ ...page2.results[0], title: 'Senior Software Engineer', updated_at: '2026-03-02T11:59:00Z' }];
    mockRestLookups(TOKEN)
      .get('/workers/')
      .query(FILTER)
      .reply(200, page1)
      .get('/workers/')
      .query({ ...FILTER, cursor: 'eyJvIjoxfQ' })
      .reply(200, page2);
    const changes = await rippling({ apiToken: TOKEN, http: fast }).readChanges!(SINCE, { now: NOW });
    expect(changes.employees).toHaveLength(1);
    expect(changes.employees[0]).toMatchObject({
      id: W(3),
      jobTitle: 'Senior Software Engineer',
      updatedAt: '2026-03-02T11:59:00.000Z',
    });
  });

  it("a rejected filter (400) is a vendor error with Rippling's message, not retried", async () => {
    let calls = 0;
    mockRestLookups(TOKEN)
      .get('/workers/')
      .query(true)
      .times(3)
      .reply(() => {
        calls++;
        return errorReply(errorFixture('400_invalid_filter.json')) as unknown as [
          number,
          nock.Body,
          Record<string, string>,
        ];
      });
    let err: unknown;
    try {
      await rippling({ apiToken: TOKEN, http: fast }).readChanges!(SINCE, { now: NOW });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('vendor');
    expect((err as OrgsyncError).message).toContain('Invalid filter field: updated');
    expect(calls).toBe(1);
  });
});

describe('Rippling REST incremental reads against the simulator', () => {
  const TODAY = '2026-03-02';
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("returns exactly the workers changed since the watermark, in the simulator's filter syntax", async () => {
    const org = sampleOrg({ size: 40, today: TODAY });
    const r = await startRipplingSimulator(org, { routes: { pageSize: 7 } });
    sim = r.sim;
    const connector = rippling({ ...r.options, http: fast });
    const since = new Date(`2026-03-01T00:00:00Z`);
    // The sample's updatedAt is today - (key % 90) days: only person 1 changed yesterday.
    let changes = await connector.readChanges!(since, { now: new Date(`${TODAY}T12:00:00Z`) });
    expect(changes.employees.map((e) => e.id)).toEqual([ripplingId(1)]);
    const query = sim.log
      .filter((l) => l.path.startsWith('/workers/'))
      .map((l) => new URLSearchParams(l.path.split('?')[1]));
    expect(query[0]!.get('filter')).toBe('updated_at ge 2026-03-01T00:00:00Z');
    expect(query[0]!.get('order_by')).toBe('updated_at');
    expect(query[0]!.get('expand')).toBe('user');

    // A change at the vendor: person 12 leaves today.
    const w = r.data.rest.workers.find((x) => x['id'] === ripplingId(12))!;
    Object.assign(w, {
      status: 'TERMINATED',
      end_date: TODAY,
      updated_at: `${TODAY}T10:00:00Z`,
      termination_details: { type: 'INVOLUNTARY', reason: 'Restructuring' },
    });
    changes = await connector.readChanges!(since, { now: new Date(`${TODAY}T12:00:00Z`) });
    expect(changes.employees.map((e) => e.id)).toEqual([ripplingId(1), ripplingId(12)]);
    expect(changes.employees[1]).toMatchObject({
      employmentStatus: 'TERMINATED',
      terminationDate: TODAY,
      firstName: org.people[11]!.firstName,
    });
  });

  it('a token without users.read: incremental syncs complete like full ones (no names, a warning), not fail', async () => {
    const org = sampleOrg({ size: 40, today: TODAY });
    const r = await startRipplingSimulator(org);
    sim = r.sim;
    const connector = rippling({ ...r.options, apiToken: r.data.restrictedToken, http: fast });
    const t0 = new Date(`${TODAY}T08:00:00Z`);
    const first = await sync(connector, { now: t0 });
    expect(first.mode).toBe('full');
    expect(first.snapshot.warnings.some((w) => /cannot read users \(403\)/.test(w))).toBe(true);

    // A change at the vendor after the watermark: person 12's title.
    updateRipplingData(
      r.data,
      { ...org, people: org.people.map((p) => (p.key === 12 ? { ...p, title: 'Staff Engineer' } : p)) },
      new Date(`${TODAY}T09:00:00Z`),
    );
    const second = await sync(connector, { previous: first.snapshot, now: new Date(`${TODAY}T10:00:00Z`) });
    expect(second.mode).toBe('incremental');
    expect(second.changedIds).toEqual([ripplingId(12)]);
    expect(second.snapshot.employees.find((e) => e.id === ripplingId(12))!.jobTitle).toBe('Staff Engineer');
    expect(second.snapshot.warnings.some((w) => /cannot read users \(403\)/.test(w))).toBe(true);
    expect(sim.log.filter((l) => l.path.startsWith('/users/')).every((l) => l.status === 403)).toBe(true);
  });

  it('joins users when the server does not expand them', async () => {
    const org = sampleOrg({ size: 40, today: TODAY });
    const r = await startRipplingSimulator(org, { routes: { pageSize: 7, ignoreExpand: true } });
    sim = r.sim;
    const changes = await rippling({ ...r.options, http: fast }).readChanges!(new Date('2026-02-20T00:00:00Z'), {
      now: new Date(`${TODAY}T12:00:00Z`),
    });
    expect(changes.employees.length).toBeGreaterThan(3);
    for (const e of changes.employees) {
      const p = org.people.find((x) => ripplingId(x.key) === e.id)!;
      expect(e).toMatchObject({ firstName: p.firstName, lastName: p.lastName });
    }
    expect(sim.log.some((l) => l.path.startsWith('/users/'))).toBe(true);
  });
});
