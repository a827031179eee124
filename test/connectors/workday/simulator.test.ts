/**
 * Integration tests: the Workday connector against the local Workday simulator (the sample
 * company rendered as Get_Workers pages), with injected faults and server-side throttling.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OrgsyncError } from '../../../src/errors.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { sampleOrg, type SampleOrg } from '../../../src/simulator/sample-org.js';
import {
  startSimulator,
  type Simulator,
  type SimulatorOptions,
  type SimResponse,
} from '../../../src/simulator/server.js';
import { workday } from '../../../connectors/workday/index.js';
import { renderGetWorkers } from '../../../connectors/workday/soap.js';
import {
  soapFault,
  wid,
  workdayDataFromSample,
  workdayRoutes,
  type WorkdayRequestSeen,
  type WorkdaySimData,
} from '../../../connectors/workday/simulator.js';
import { fast } from './helpers.js';

const TODAY = '2025-06-02';
const NOW = new Date(`${TODAY}T12:00:00Z`);
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(size = 40, simOptions: SimulatorOptions = {}) {
  const org = sampleOrg({ size, today: TODAY });
  const data = workdayDataFromSample(org);
  const requests: WorkdayRequestSeen[] = [];
  sim = await startSimulator(workdayRoutes(data, { onRequest: (r) => requests.push(r) }), simOptions);
  const connect = (extra: Record<string, unknown> = {}) =>
    workday({
      host: 'wd2-impl-services1.workday.com',
      tenant: data.tenant,
      username: data.username,
      password: data.password,
      baseUrl: `${sim!.url}/ccx/service/${data.tenant}`,
      pageSize: 7,
      http: fast,
      ...extra,
    });
  return { org, data, requests, connect, sim: sim! };
}

const failure = async (p: Promise<unknown>): Promise<OrgsyncError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OrgsyncError);
  return e as OrgsyncError;
};

const expectedStatus = (p: SampleOrg['people'][number]) =>
  p.status === 'terminated'
    ? 'TERMINATED'
    : p.status === 'pending'
      ? 'PENDING'
      : p.status === 'leave'
        ? 'LEAVE'
        : 'ACTIVE';
const expectedType = {
  full_time: 'FULL_TIME',
  part_time: 'PART_TIME',
  contractor: 'CONTRACTOR',
  intern: 'INTERN',
  temporary: 'TEMPORARY',
} as const;

describe('Workday simulator: full snapshot', () => {
  it('walks every page and maps every sample person (ids, managers, statuses, types, groups, locations)', async () => {
    const { org, requests, connect } = await setup(40);
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(requests.map((r) => [r.page, r.count])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 7]));
    expect(requests.every((r) => r.version === 'v44.0' && r.passwordType?.endsWith('#PasswordText'))).toBe(true);
    expect(snap.complete).toBe(true);
    expect(snap.warnings).toEqual([]);
    expect(snap.employees).toHaveLength(40);
    const byId = new Map(snap.employees.map((e) => [e.id, e]));
    for (const p of org.people) {
      const e = byId.get(wid('worker', p.key));
      expect(e, `sample person ${p.key}`).toBeDefined();
      expect(e!.employeeNumber).toBe(p.employeeNumber);
      expect(e!.workEmail).toBe(p.workEmail);
      expect(e!.personalEmail).toBe(p.personalEmail);
      expect(e!.managerId).toBe(p.managerKey === null ? null : wid('worker', p.managerKey));
      expect(e!.employmentStatus).toBe(expectedStatus(p));
      expect(e!.employmentType).toBe(expectedType[p.type]);
      expect(e!.startDate).toBe(p.hireDate);
      expect(e!.terminationDate).toBe(p.terminationDate);
      expect(e!.jobTitle).toBe(p.title);
      expect(e!.preferredName).toBe(p.preferredName);
    }
    // The sample's edge cases are all there.
    const statuses = new Set(snap.employees.map((e) => e.employmentStatus));
    expect([...statuses].sort()).toEqual(['ACTIVE', 'LEAVE', 'PENDING', 'TERMINATED']);
    expect(
      snap.employees.some(
        (e) => e.employmentStatus === 'ACTIVE' && e.terminationDate !== null && e.terminationDate > TODAY,
      ),
    ).toBe(true);

    // Groups: supervisory orgs (with their parents), one cost center per department, the company.
    const types = snap.groups.reduce<Record<string, number>>(
      (acc, g) => ({ ...acc, [g.typeRaw ?? '']: (acc[g.typeRaw ?? ''] ?? 0) + 1 }),
      {},
    );
    expect(types['COMPANY']).toBe(1);
    expect(types['COST_CENTER']).toBe(new Set(org.people.map((p) => p.department)).size);
    const ceoOrg = snap.groups.find((g) => g.id === wid('sup', 1))!;
    expect(ceoOrg).toMatchObject({ type: 'DEPARTMENT', parentId: null });
    const vpOrg = snap.groups.find((g) => g.id === wid('sup', 2))!;
    expect(vpOrg.parentId).toBe(wid('sup', 1));
    expect(snap.locations.map((l) => l.name).sort()).toEqual(org.locations.map((l) => l.name).sort());
    expect(snap.locations.find((l) => l.name === 'London')!.address).toEqual({
      line1: '1 Finsbury Ave',
      line2: null,
      city: 'London',
      region: 'England',
      postalCode: 'EC2M 2PF',
      country: 'GB',
    });
    expect(snap.company).toEqual({ id: 'acme_impl1', name: 'Acme Robotics, Inc.', legalName: 'Acme Robotics, Inc.' });
  });

  it('asks for at most 999 workers a page and reads a 1,200-person tenant in two pages', async () => {
    const { requests, connect } = await setup(1200);
    const { employees } = await connect({ pageSize: 999 }).read({ now: NOW });
    expect(employees).toHaveLength(1200);
    expect(requests.map((r) => r.page)).toEqual([1, 2]);
  });
});

describe('Workday simulator: failures', () => {
  it('429 with Retry-After, then success', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({ after: 1, times: 1, fault: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } });
    const started = Date.now();
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.log.map((l) => l.status)).toEqual([200, 429, 200, 200, 200, 200, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('server-side throttling (429 + Retry-After) slows the walk down but it completes', async () => {
    const { connect, sim } = await setup(40, { rateLimit: { requestsPerSecond: 4, burst: 2 } });
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.stats.throttled).toBeGreaterThan(0);
  });

  it('500 forever: an incomplete error after the retries, and no snapshot', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({ times: Infinity, fault: { type: 'status', status: 500 } });
    const err = await failure(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(sim.log).toHaveLength(5); // 1 + 4 retries
  });

  it('a SOAP processing fault forever: retried, then incomplete', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({
      times: Infinity,
      fault: { type: 'status', status: 500, body: soapFault('Client.processingError', 'Processing error occurred.') },
    });
    const err = await failure(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toContain('Client.processingError');
    expect(sim.log).toHaveLength(5);
  });

  it('a wrong password: the simulator answers Client.authenticationError (500) → auth error, not retried', async () => {
    const { connect, sim } = await setup(40);
    const err = await failure(takeSnapshot(connect({ password: 'not-the-password' }), { now: NOW }));
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(500);
    expect(sim.log).toHaveLength(1);
  });

  it('a user name for another tenant is refused like a wrong password', async () => {
    const { connect, sim } = await setup(40);
    const err = await failure(connect({ username: 'ISU_orgsync@other_tenant' }).read({ now: NOW }));
    expect(err.kind).toBe('auth');
    expect(sim.log).toHaveLength(1);
  });

  it('a validation fault is a vendor error (read) and no snapshot (takeSnapshot)', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({
      times: 2,
      fault: {
        type: 'status',
        status: 500,
        body: soapFault(
          'Client.validationError',
          "Validation error occurred. Invalid ID value. 'XYZ' is not a valid ID value for type = 'Organization_Reference_ID'",
          { message: 'Invalid ID value', xpath: '/bsvc:Get_Workers_Request[1]' },
        ),
      },
    });
    const err = await failure(connect().read({ now: NOW }));
    expect(err.kind).toBe('vendor');
    expect(err.message).toContain("'XYZ' is not a valid ID value");
    const err2 = await failure(takeSnapshot(connect(), { now: NOW }));
    expect(err2.kind).toBe('incomplete');
    expect(sim.log).toHaveLength(2);
  });

  it('a malformed body once is retried and the walk completes; malformed forever is incomplete', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({ after: 2, times: 1, fault: { type: 'malformed' } });
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.stats.faults).toBe(1);
    sim.clearFaults();
    sim.inject({ after: 1, times: Infinity, fault: { type: 'malformed' } });
    const err = await failure(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toMatch(/cut off|not well-formed/);
  });

  it('a truncated page or a dropped connection is retried', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({ after: 1, times: 1, fault: { type: 'truncate' } });
    sim.inject({ after: 3, times: 1, fault: { type: 'reset' } });
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.stats.faults).toBe(2);
  });

  it('a failed middle page: incomplete, and no snapshot', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({ after: 2, times: Infinity, fault: { type: 'status', status: 503, headers: { 'Retry-After': '0' } } });
    const err = await failure(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(sim.log.slice(0, 3).map((l) => l.status)).toEqual([200, 200, 503]);
  });

  it('an HTML page instead of SOAP (200) is not mistaken for an empty tenant', async () => {
    const { connect, sim } = await setup(40);
    sim.inject({ after: 1, times: 1, fault: { type: 'html' } });
    const err = await failure(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toContain('HTML page');
  });

  it('a page that loses workers mid-walk (total changes): walked again once, stops the sync when it persists', async () => {
    const { connect, sim, data } = await setup(40);
    const clean = await takeSnapshot(connect(), { now: NOW });
    const lose = {
      type: 'transform' as const,
      fn: (res: SimResponse) => ({
        ...res,
        body: String(res.body).replace(
          '<wd:Total_Results>40</wd:Total_Results>',
          '<wd:Total_Results>39</wd:Total_Results>',
        ),
      }),
    };
    const from = sim.log.length;
    sim.inject({ after: 1, times: 1, fault: lose });
    expect((await takeSnapshot(connect(), { now: NOW })).employees).toEqual(clean.employees);
    expect(sim.log.length - from, 'one page, then a second walk of both pages').toBeGreaterThan(2);
    // Every second page of every walk: the walks run out.
    sim.inject({
      times: Infinity,
      fault: { type: 'transform', fn: (res) => (/<wd:Page>2<\/wd:Page>/.test(String(res.body)) ? lose.fn(res) : res) },
    });
    void data;
    const err = await failure(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('total_changed');
    expect(err.message).toMatch(/total changed from 40 to 39/);
  });
});

describe('Workday simulator: the simulator itself', () => {
  const post = (data: WorkdaySimData, body: string) =>
    workdayRoutes(data).handle({
      method: 'POST',
      path: '/Human_Resources/v44.0',
      rawPath: `/ccx/service/${data.tenant}/Human_Resources/v44.0`,
      query: new URLSearchParams(),
      headers: {},
      body,
    });
  const envelope = (data: WorkdaySimData, over: Partial<Parameters<typeof renderGetWorkers>[0]> = {}) =>
    renderGetWorkers({
      username: `${data.username}@${data.tenant}`,
      password: data.password,
      version: '44.0',
      page: 1,
      count: 10,
      asOfEffectiveDate: TODAY,
      asOfEntryDateTime: `${TODAY}T12:00:00.000Z`,
      ...over,
    });

  it('refuses Count above 999 and pages past the end with a validation fault (HTTP 500)', async () => {
    const data = workdayDataFromSample(sampleOrg({ size: 20, today: TODAY }));
    const tooMany = await post(data, envelope(data, { count: 1000 }));
    expect(tooMany.status).toBe(500);
    expect(String(tooMany.body)).toContain('Client.validationError');
    const pastEnd = await post(data, envelope(data, { page: 3 }));
    expect(pastEnd.status).toBe(500);
    expect(String(pastEnd.body)).toContain('Page 3 is greater than the number of pages (2)');
  });

  it('requires the PasswordText UsernameToken', async () => {
    const data = workdayDataFromSample(sampleOrg({ size: 5, today: TODAY }));
    const digest = envelope(data).replace('#PasswordText', '#PasswordDigest');
    const res = await post(data, digest);
    expect(res.status).toBe(500);
    expect(String(res.body)).toContain('Client.authenticationError');
  });
});

describe('Workday simulator: incremental', () => {
  it('reads the workers updated or effective in [since, now], each once', async () => {
    const { data, requests, connect } = await setup(60);
    const since = new Date('2025-05-20T00:00:00Z');
    const changes = await connect({ pageSize: 5 }).readChanges!(since, { now: NOW });
    const inWindow = (t: number) => t >= since.getTime() && t <= NOW.getTime();
    const expected = data.workers
      .filter(
        (w) =>
          inWindow(Date.parse(w.updatedAt)) ||
          w.effectiveDates.some((d) => inWindow(Date.parse(`${d}T00:00:00${data.offset}`))),
      )
      .map((w) => w.wid)
      .sort();
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(60);
    expect(changes.employees.map((e) => e.id).sort()).toEqual(expected);
    expect(new Set(changes.employees.map((e) => e.id)).size).toBe(changes.employees.length);
    expect(changes.deletedIds).toEqual([]);
    // Two windows, each paged.
    expect(requests.filter((r) => r.page === 1)).toHaveLength(2);
  });
});
