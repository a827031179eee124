/**
 * Issue 12 §1: auxiliary metadata never fails a sync. A real account's `GET /v1/meta/lists` holds
 * 69 lists, one of them without an `id`; the fixture `GET_v1_meta_lists.full.json` is written by us
 * in exactly that shape (checked against the recording when ../shared is present). Lists, options
 * and company details that do not fit are skipped with a snapshot warning; employee rows stay strict.
 */
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bamboohr } from '../../../connectors/bamboohr/index.js';
import { OrgsyncError } from '../../../src/errors.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { fixture, hasShared, sharedDir } from '../../helpers/fixtures.js';

const BASE = 'https://acme.bamboohr.com';
const KEY = 'b4c0ffee5ecret0api0key0000000002';
const NOW = new Date('2026-11-26T12:00:00Z');
const JSON_CT = { 'content-type': 'application/json' };
const connect = () => bamboohr({ subdomain: 'acme', apiKey: KEY, http: { retry: { baseDelayMs: 1, maxDelayMs: 5 } } });

function mock(
  lists: unknown,
  report: unknown = fixture('bamboohr', 'POST_v1_reports_custom.json'),
  company: unknown = fixture('bamboohr', 'GET_v1_company_information.json'),
) {
  return nock(BASE)
    .get('/api/v1/meta/lists')
    .reply(200, lists as nock.Body, JSON_CT)
    .get('/api/v1/company_information')
    .reply(200, company as nock.Body, JSON_CT)
    .post('/api/v1/reports/custom')
    .query(true)
    .reply(200, report as nock.Body, JSON_CT);
}

const full = () => fixture<any[]>('bamboohr', 'GET_v1_meta_lists.full.json');
const six = () => fixture<any[]>('bamboohr', 'GET_v1_meta_lists.json');

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('BambooHR: auxiliary metadata never fails a sync', () => {
  it('the 69-list fixture has the recorded shape: same key sets per list and per option, one list without id', () => {
    const lists = full();
    expect(lists).toHaveLength(69);
    expect(lists.filter((l) => !('id' in l))).toHaveLength(1);
    // ../shared beside the project, else the development workspace's /work/shared (worktrees live elsewhere).
    const file = [hasShared ? sharedDir : undefined, process.env['ORGSYNC_SHARED_DIR'], '/work/shared']
      .filter((d): d is string => !!d)
      .map((d) => path.join(d, 'recordings/bamboohr/GET_v1_meta_lists.json'))
      .find((f) => fs.existsSync(f));
    if (!file)
      return void console.log('skipped the comparison with the recording: ../shared/recordings is not present');
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as any[];
    const shape = (ls: any[]) => ls.map((l) => Object.keys(l).sort().join(',')).sort();
    const optionShape = (ls: any[]) =>
      [...new Set(ls.flatMap((l) => l.options.map((o: object) => Object.keys(o).sort().join(','))))].sort();
    expect(lists).toHaveLength(recorded.length);
    expect(shape(lists)).toEqual(shape(recorded));
    expect(optionShape(lists)).toEqual(optionShape(recorded));
  });

  it('all 69 lists, one without an id: the sync completes, the id-less list is skipped with a warning naming it', async () => {
    const scope = mock(full());
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(scope.isDone()).toBe(true);
    expect(snap.complete).toBe(true);
    expect(snap.employees).toHaveLength(14);
    const skipped = snap.warnings.filter((w) => /skipped/.test(w));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/\/v1\/meta\/lists/);
    expect(skipped[0]).toContain('Pay Group');
    expect(skipped[0]).toMatch(/\bid\b/);
    // The lists that matter (departments, divisions, locations) resolve exactly as with the small fixture.
    mock(six());
    const small = await takeSnapshot(connect(), { now: NOW });
    expect(snap.groups).toEqual(small.groups);
    expect(snap.locations).toEqual(small.locations);
    expect(snap.employees).toEqual(small.employees);
  });

  it('one bad option of the department list is skipped alone; the other departments keep their ids', async () => {
    const lists = six();
    const dept = lists.find((l) => l.alias === 'department')!;
    const victim = dept.options[1];
    delete victim.name;
    mock(lists);
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(
      snap.warnings.some((w) => w.includes("list 'Department'") && w.includes(`"${victim.id}"`) && /name/.test(w)),
    ).toBe(true);
    const ids = new Set(snap.groups.map((g) => g.id));
    for (const o of dept.options)
      if (o !== victim && o.archived !== 'yes')
        expect(ids.has(String(o.id)) || !snap.employees.some((e) => e.groupIds.includes(String(o.id)))).toBe(true);
    expect(snap.groups.some((g) => g.id === String(dept.options[0].id))).toBe(true);
  });

  it('lists that are not a list at all: warned and skipped whole, groups fall back to name-derived ids', async () => {
    mock({ lists: 'maintenance' });
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.warnings.some((w) => /\/v1\/meta\/lists entry.*skipped them all/.test(w))).toBe(true);
    expect(snap.employees).toHaveLength(14);
    // Without lists, department/division/location values keep name-derived ids.
    expect(snap.employees.flatMap((e) => e.groupIds).every((g) => g.includes(':'))).toBe(true);
  });

  it('company details of an unexpected shape: warned, the company is named by its subdomain', async () => {
    mock(six(), undefined, { legalName: 42, address: 'nowhere' });
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.company.id).toBe('acme');
    expect(snap.warnings.some((w) => /company_information/.test(w))).toBe(true);
  });

  it('a bad employee row still fails the sync loudly (strict on who exists)', async () => {
    const report = fixture<any>('bamboohr', 'POST_v1_reports_custom.json');
    report.employees[2] = { ...report.employees[2], id: null };
    mock(full(), report);
    const err = await takeSnapshot(connect(), { now: NOW }).catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('validation');
    expect(err.message).toMatch(/#3/);
  });
});
