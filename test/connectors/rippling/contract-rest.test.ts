import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rippling } from '../../../connectors/rippling/index.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import type { ProgressEvent } from '../../../src/http/client.js';
import {
  COMPANY,
  D,
  errorFixture,
  errorReply,
  fast,
  L,
  mockRestAll,
  mockRestCompany,
  mockRestLookups,
  mockRestWorkers,
  NOW,
  REST,
  rf,
  T,
  W,
  failure,
} from './helpers.js';

const TOKEN = 'rpl_live_contract_7f3e9a1c5d2b8e40';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Rippling REST API contract (nock, recorded-style fixtures)', () => {
  it('reads workers with expanded users over three pages (relative and absolute next_link) into a valid snapshot', async () => {
    const scope = mockRestAll(TOKEN);
    const snap = await takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW });
    expect(scope.isDone()).toBe(true);
    expect(snap.connector).toBe('rippling');
    expect(snap.company).toEqual({ id: COMPANY, name: 'Lumen Freight', legalName: 'Lumen Freight Holdings, Inc.' });
    expect(snap.employees).toHaveLength(11);
    expect(snap.warnings).toEqual([]);
    const e = new Map(snap.employees.map((x) => [x.id, x]));

    // manager_id is the manager's worker id, and every one resolves inside the snapshot.
    expect(e.get(W(1))!.managerId).toBeNull();
    expect(e.get(W(2))!.managerId).toBe(W(1));
    expect(e.get(W(3))!.managerId).toBe(W(2));
    expect(e.get(W(8))!.managerId).toBe(W(4));
    expect(e.get(W(11))!.managerId).toBe(W(7));
    for (const x of snap.employees) if (x.managerId) expect(e.has(x.managerId)).toBe(true);

    expect(e.get(W(2))).toEqual({
      id: W(2),
      employeeNumber: '2',
      firstName: 'Katherine',
      lastName: 'Brennan',
      preferredName: 'Kate',
      displayName: 'Kate Brennan',
      workEmail: 'kate.brennan@lumenfreight.example',
      personalEmail: 'kbrennan@mail.example',
      jobTitle: 'VP of Engineering',
      managerId: W(1),
      groupIds: [D(2), T(1)],
      locationId: L(1),
      employmentStatus: 'ACTIVE',
      employmentStatusRaw: 'ACTIVE',
      employmentType: 'FULL_TIME',
      employmentTypeRaw: 'Salaried, full-time',
      startDate: '2021-09-13',
      terminationDate: null,
      customFields: {},
      updatedAt: '2026-02-20T16:45:12.318Z',
    });
    // A preferred given name that repeats the given name is no preferred name.
    expect(e.get(W(1))).toMatchObject({
      firstName: 'Marisol',
      preferredName: null,
      displayName: 'Marisol Ortega',
      personalEmail: 'marisol.ortega@mail.example',
    });
    // Personal email from the user's HOME email when the worker has none; none at all stays null.
    expect(e.get(W(7))!.personalEmail).toBe('hana.sato@mail.example');
    expect(e.get(W(4))!.personalEmail).toBeNull();
    expect(e.get(W(7))!.displayName).toBe('Hana Satō');
  });

  it('maps statuses, types, teams and remote workers, with fallbacks for values outside the spec', async () => {
    mockRestAll(TOKEN);
    const snap = await takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW });
    const e = (n: number) => snap.employees.find((x) => x.id === W(n))!;
    expect(e(3)).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'TERMINATED',
      terminationDate: '2026-01-16',
      locationId: L(2),
    });
    // A future end date on an ACTIVE worker is a scheduled termination: still ACTIVE.
    expect(e(4)).toMatchObject({
      employmentStatus: 'ACTIVE',
      terminationDate: '2026-03-31',
      groupIds: [D(2), T(1), T(2)],
    });
    expect(e(5)).toMatchObject({
      employmentStatus: 'PENDING',
      employmentStatusRaw: 'ACCEPTED',
      startDate: '2026-03-16',
      locationId: L(3),
      groupIds: [D(4)],
    });
    expect(e(6)).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'CONTRACTOR',
      employmentTypeRaw: 'Contractor',
      locationId: null,
    });
    expect(e(7)).toMatchObject({
      employmentType: 'PART_TIME',
      employmentTypeRaw: 'Hourly, part-time',
      groupIds: [D(5)],
    });
    expect(e(8)).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'INTERN',
      employmentTypeRaw: 'Summer Intern',
      terminationDate: '2026-08-28',
    });
    // Values outside the spec's enums: documented fallbacks with the raw value kept.
    expect(e(9)).toMatchObject({
      employmentStatus: 'UNKNOWN',
      employmentStatusRaw: 'SUSPENDED',
      employmentType: 'OTHER',
      employmentTypeRaw: 'Board Advisor',
    });
    // A declined offer (future start) is TERMINATED, never a scheduled termination or a pending hire.
    expect(e(10)).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'TERMINATED',
      startDate: '2026-03-23',
      terminationDate: null,
    });
    // A worker whose user did not expand: the user is joined from /users/; type TEMP.
    expect(e(11)).toMatchObject({
      firstName: 'Siobhán',
      lastName: "O'Connell",
      displayName: "Siobhán O'Connell",
      workEmail: 'siobhan.oconnell@lumenfreight.example',
      employmentStatus: 'ACTIVE',
      employmentType: 'TEMPORARY',
      terminationDate: '2026-06-30',
    });
  });

  it('reads departments (paged, self-parent dropped), teams and work locations', async () => {
    mockRestAll(TOKEN);
    const snap = await takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW });
    const g = new Map(snap.groups.map((x) => [x.id, x]));
    expect(snap.groups).toHaveLength(8);
    expect(g.get(D(3))).toEqual({
      id: D(3),
      name: 'Go To Market',
      type: 'DEPARTMENT',
      typeRaw: 'department',
      parentId: null,
    });
    expect(g.get(D(4))).toMatchObject({ name: 'Sales', type: 'DEPARTMENT', parentId: D(3) });
    expect(g.get(T(2))).toEqual({ id: T(2), name: 'Payments', type: 'TEAM', typeRaw: 'team', parentId: T(1) });
    expect(snap.locations.find((l) => l.id === L(2))).toEqual({
      id: L(2),
      name: 'Portland Office',
      address: {
        line1: '1120 NW Couch St',
        line2: 'Suite 400',
        city: 'Portland',
        region: 'OR',
        postalCode: '97209',
        country: 'US',
      },
      timezone: null,
    });
  });

  it('keeps the raw worker as remoteData only when asked', async () => {
    mockRestAll(TOKEN);
    const snap = await takeSnapshot(rippling({ apiToken: TOKEN, includeRemoteData: true, http: fast }), { now: NOW });
    const w2 = snap.employees.find((x) => x.id === W(2))!;
    expect((w2.remoteData as { user: { username: string } }).user.username).toBe('kate.brennan');
    mockRestAll(TOKEN);
    const plain = await takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW });
    expect(plain.employees.every((x) => x.remoteData === undefined)).toBe(true);
  });

  it('rebases absolute next_links on Rippling hosts onto a configured base URL (proxy)', async () => {
    const proxy = 'https://rippling-proxy.internal.example';
    const scope = mockRestWorkers(TOKEN, mockRestCompany(TOKEN, mockRestLookups(TOKEN, nock(proxy))));
    const snap = await takeSnapshot(rippling({ apiToken: TOKEN, baseUrl: proxy, http: fast }), { now: NOW });
    expect(scope.isDone()).toBe(true);
    expect(snap.employees).toHaveLength(11);
  });

  it('keeps expand=user and order_by=id when a next_link drops them', async () => {
    const page1 = rf('rest/GET_workers_page1.json');
    page1.next_link = '/workers/?cursor=eyJvIjo0fQ';
    const scope = mockRestWorkers(TOKEN, mockRestCompany(TOKEN, mockRestLookups(TOKEN)), [
      page1,
      rf('rest/GET_workers_page2.json'),
      rf('rest/GET_workers_page3.json'),
    ]);
    const snap = await takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW });
    expect(scope.isDone()).toBe(true); // page 2 was requested with expand=user, order_by=id and the cursor
    expect(snap.employees.find((x) => x.id === W(5))!.firstName).toBe('Dmitri');
  });

  it('refuses a next_link to a foreign host: no token sent there, no snapshot', async () => {
    const page1 = rf('rest/GET_workers_page1.json');
    page1.next_link = 'https://collector.attacker.example/workers/?cursor=x';
    mockRestLookups(TOKEN);
    mockRestCompany(TOKEN);
    nock(REST).get('/workers/').query({ expand: 'user', order_by: 'id' }).reply(200, page1);
    const foreign = nock('https://collector.attacker.example').get(/.*/).reply(200, { results: [], next_link: null });
    const err = await failure(takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('foreign_link');
    expect(foreign.isDone()).toBe(false);
  });

  it('a next_link that repeats is an incomplete sync, not an endless loop', async () => {
    const page1 = rf('rest/GET_workers_page1.json');
    const page2 = rf('rest/GET_workers_page2.json');
    page2.next_link = '/workers/?expand=user&cursor=eyJvIjo0fQ';
    mockRestWorkers(TOKEN, mockRestCompany(TOKEN, mockRestLookups(TOKEN)), [page1, page2]);
    const err = await failure(takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('repeated_token');
  });

  describe('errors', () => {
    it('401: auth error with an actionable message, not retried', async () => {
      let calls = 0;
      const f = errorFixture('401.json');
      nock(REST)
        .get('/departments/')
        .times(5)
        .reply(() => {
          calls++;
          return errorReply(f) as unknown as [number, nock.Body, Record<string, string>];
        });
      const err = await failure(takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW }));
      expect(err.kind).toBe('auth');
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/rejected the API token \(401\).*Invalid token/);
      expect(calls).toBe(1);
    });

    it('403 on workers: auth error naming the workers.read scope', async () => {
      mockRestCompany(TOKEN, mockRestLookups(TOKEN));
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id' })
        .reply(...errorReply(errorFixture('403.json')));
      const err = await failure(takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW }));
      expect(err.kind).toBe('auth');
      expect(err.message).toContain("'workers.read' scope");
    });

    it('403 on employment types: the sync completes without types and says so in the log', async () => {
      const warnings: string[] = [];
      mockRestWorkers(TOKEN, mockRestCompany(TOKEN, mockRestLookups(TOKEN, undefined, { employmentTypes: false })));
      nock(REST)
        .get('/employment-types/')
        .reply(...errorReply(errorFixture('403.json')));
      const snap = await takeSnapshot(
        rippling({ apiToken: TOKEN, http: { ...fast, logger: { warn: (m) => warnings.push(m) } } }),
        { now: NOW },
      );
      expect(snap.employees).toHaveLength(11);
      expect(snap.employees.every((x) => x.employmentType === null && x.employmentTypeRaw === null)).toBe(true);
      expect(warnings.some((w) => /employment types/.test(w) && /403/.test(w))).toBe(true);
    });

    it('404: config error that points at the base URL and the api option', async () => {
      nock(REST)
        .get('/departments/')
        .reply(...errorReply(errorFixture('404.json')));
      const err = await failure(takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW }));
      expect(err.kind).toBe('config');
      expect(err.message).toMatch(/404.*'api' option/);
    });

    it('429 with Retry-After, then success: waits what Rippling asked', async () => {
      const token = `${TOKEN}-429`;
      const events: ProgressEvent[] = [];
      mockRestLookups(token);
      mockRestCompany(token);
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id' })
        .reply(...errorReply(errorFixture('429_retry_after.json')));
      mockRestWorkers(token);
      const snap = await takeSnapshot(
        rippling({ apiToken: token, http: { ...fast, onProgress: (ev) => events.push(ev) } }),
        { now: NOW },
      );
      expect(snap.employees).toHaveLength(11);
      const retry = events.find((ev) => ev.type === 'retry');
      expect(retry).toMatchObject({ type: 'retry', delayMs: 1000 });
    });

    it('429 without Retry-After: the wait is read from the throttle message', async () => {
      const token = `${TOKEN}-429b`;
      const events: ProgressEvent[] = [];
      mockRestLookups(token);
      mockRestCompany(token);
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id' })
        .reply(...errorReply(errorFixture('429_body_only.json')));
      mockRestWorkers(token);
      const snap = await takeSnapshot(
        rippling({ apiToken: token, http: { ...fast, onProgress: (ev) => events.push(ev) } }),
        { now: NOW },
      );
      expect(snap.employees).toHaveLength(11);
      expect(events.find((ev) => ev.type === 'retry')).toMatchObject({ delayMs: 1000 });
    });

    it('500 on the middle page on every attempt: incomplete after retries+1 attempts, no snapshot', async () => {
      let calls = 0;
      mockRestCompany(TOKEN, mockRestLookups(TOKEN));
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id' })
        .reply(200, rf('rest/GET_workers_page1.json'));
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id', cursor: 'eyJvIjo0fQ' })
        .times(10)
        .reply(() => {
          calls++;
          return [500, errorFixture('500.json').body as nock.Body, { 'content-type': 'application/json' }];
        });
      const err = await failure(
        takeSnapshot(rippling({ apiToken: TOKEN, http: { ...fast, retry: { ...fast.retry, retries: 2 } } }), {
          now: NOW,
        }),
      );
      expect(err.kind).toBe('incomplete');
      expect(err.status).toBe(500);
      expect(err.message).toMatch(/did not complete; no snapshot/);
      expect(calls).toBe(3);
    });

    it('504 from the gateway (HTML) is retried, then succeeds', async () => {
      mockRestCompany(TOKEN, mockRestLookups(TOKEN));
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id' })
        .reply(...errorReply(errorFixture('504_gateway_timeout.json')));
      mockRestWorkers(TOKEN);
      const snap = await takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW });
      expect(snap.employees).toHaveLength(11);
    });

    it('malformed JSON on every attempt: incomplete with a clear message', async () => {
      mockRestCompany(TOKEN, mockRestLookups(TOKEN));
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id' })
        .times(3)
        .reply(200, '{"results":[{"id":"65f1', { 'content-type': 'application/json' });
      const err = await failure(
        takeSnapshot(rippling({ apiToken: TOKEN, http: { ...fast, retry: { ...fast.retry, retries: 2 } } }), {
          now: NOW,
        }),
      );
      expect(err.kind).toBe('incomplete');
      expect(err.message).toMatch(/malformed JSON/);
    });

    it('a list body without results: incomplete, never an empty company', async () => {
      mockRestCompany(TOKEN, mockRestLookups(TOKEN));
      nock(REST)
        .get('/workers/')
        .query({ expand: 'user', order_by: 'id' })
        .reply(200, { data: [] }, { 'content-type': 'application/json' });
      const err = await failure(takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW }));
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('unexpected_shape');
    });

    it('a worker without an id: validation error naming the row, no snapshot', async () => {
      const page1 = rf('rest/GET_workers_page1.json');
      delete page1.results[1].id;
      mockRestWorkers(TOKEN, mockRestCompany(TOKEN, mockRestLookups(TOKEN)), [page1]);
      const err = await failure(takeSnapshot(rippling({ apiToken: TOKEN, http: fast }), { now: NOW }));
      expect(err.kind).toBe('validation');
      expect(err.message).toMatch(/employees record \(#2\)/);
    });
  });
});
