/**
 * Real Gusto demo traffic (`../shared/recordings/gusto/`, read in place, never copied): the
 * connector's row schemas accept it, it maps sensibly, and the spec validator agrees with it
 * (which calibrates the validator used on our own fixtures). Skipped when `../shared` is absent.
 */
import fs from 'node:fs';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { gusto } from '../../../connectors/gusto/index.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { BASE, gustoRecordingPath, gustoSpecPath, hasGustoRecording, hasGustoSpec, type Row } from './helpers.js';
import { loadOpenApi, responseSchema, validate } from './openapi.js';

if (!hasGustoRecording)
  console.warn(
    `Gusto recording tests skipped: ${gustoRecordingPath} not found (../shared is only present in the development workspace).`,
  );

const TOKEN = 'recording-test-token-0123456789';
const quick = { rateLimit: { requests: Infinity }, retry: { baseDelayMs: 1, maxDelayMs: 2 } };

describe.skipIf(!hasGustoRecording)('Gusto: real demo recording', () => {
  let rows: Row[];
  let companyUuid: string;
  beforeAll(() => {
    nock.disableNetConnect();
    rows = JSON.parse(fs.readFileSync(gustoRecordingPath, 'utf8')) as Row[];
    companyUuid = rows[0]!['company_uuid'];
  });
  afterEach(() => {
    vi.useRealTimers();
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());

  /** Serve the recording as one page; departments are derived from the rows (no recording of that endpoint). */
  function serve() {
    const departments = [
      ...new Map(
        rows
          .filter((r) => r['department_uuid'])
          .map((r) => [
            r['department_uuid'],
            {
              uuid: r['department_uuid'],
              company_uuid: companyUuid,
              title: r['department'],
              employees: rows
                .filter((x) => x['department_uuid'] === r['department_uuid'])
                .map((x) => ({ uuid: x['uuid'] })),
              contractors: [],
            },
          ]),
      ).values(),
    ];
    return nock(BASE)
      .get(`/v1/companies/${companyUuid}/departments`)
      .reply(200, departments)
      .get(`/v1/companies/${companyUuid}`)
      .reply(200, { uuid: companyUuid, name: 'Initech Demo LLC', trade_name: null })
      .get(`/v1/companies/${companyUuid}/locations`)
      .query({ page: '1', per: '100' })
      .reply(200, [], { 'x-page': '1', 'x-per-page': '100', 'x-total-pages': '0', 'x-total-count': '0' })
      .get(`/v1/companies/${companyUuid}/employees`)
      .query({ sort_by: 'created_at', page: '1', per: '100' })
      .reply(200, rows, {
        'content-type': 'application/json; charset=utf-8',
        'x-page': '1',
        'x-per-page': '100',
        'x-total-pages': '1',
        'x-total-count': String(rows.length),
      });
  }

  it('maps every recorded employee; every manager resolves; statuses as of the recording date', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2024-09-20T12:00:00Z'), shouldAdvanceTime: true });
    const scope = serve();
    const snap = await takeSnapshot(gusto({ companyUuid, accessToken: TOKEN, http: quick }));
    expect(scope.isDone()).toBe(true);
    expect(snap.employees).toHaveLength(rows.length);
    expect(snap.warnings).toEqual([]);
    const ids = new Set(snap.employees.map((e) => e.id));
    const withManager = snap.employees.filter((e) => e.managerId);
    expect(withManager.length).toBe(rows.filter((r) => r['manager_uuid']).length);
    for (const e of withManager) expect(ids.has(e.managerId!)).toBe(true);

    const byId = new Map(snap.employees.map((e) => [e.id, e]));
    for (const r of rows) {
      const e = byId.get(r['uuid'])!;
      const primary = (r['jobs'] as Row[]).find((j) => j['primary']);
      expect(e.jobTitle).toBe(primary?.['title'] ?? null);
      expect(e.startDate).toBe(primary?.['hire_date'] ?? null);
      expect(e.personalEmail).toBe(r['email'] ? String(r['email']).toLowerCase() : null);
      // Onboarding incomplete (admin_onboarding_incomplete, onboarded:false): PENDING; completed: ACTIVE.
      expect(e.employmentStatus, r['uuid']).toBe(
        r['onboarding_status'] === 'onboarding_completed' ? 'ACTIVE' : 'PENDING',
      );
    }
    // The CEO's termination was scheduled (terminated:false, active:false, 2024-10-17 still ahead).
    const scheduled = rows.find((r) => (r['terminations'] as Row[]).length)!;
    expect(byId.get(scheduled['uuid'])).toMatchObject({ employmentStatus: 'ACTIVE', terminationDate: '2024-10-17' });
    // work_email is rare in the recording and comes with capitals: lower-cased.
    const withWork = rows.find((r) => r['work_email'])!;
    expect(byId.get(withWork['uuid'])!.workEmail).toBe(String(withWork['work_email']).toLowerCase());
  });

  it('read later, the same scheduled termination has taken effect: TERMINATED', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-26T12:00:00Z'), shouldAdvanceTime: true });
    serve();
    const snap = await takeSnapshot(gusto({ companyUuid, accessToken: TOKEN, http: quick }));
    const scheduled = rows.find((r) => (r['terminations'] as Row[]).length)!;
    expect(snap.employees.find((e) => e.id === scheduled['uuid'])).toMatchObject({
      employmentStatus: 'TERMINATED',
      terminationDate: '2024-10-17',
    });
  });

  it.skipIf(!hasGustoSpec)(
    'the recording validates against the spec (calibrates the fixture validator)',
    () => {
      const doc = loadOpenApi(gustoSpecPath);
      expect(validate(doc, responseSchema(doc, '/v1/companies/{company_id}/employees', 'get', '200'), rows)).toEqual(
        [],
      );
    },
    30_000,
  );
});
