import { describe, expect, it } from 'vitest';
import {
  filterTimestamp,
  nextLinkOf,
  rippling,
  ripplingRestDefinition,
  RipplingOptionsSchema,
} from '../../../connectors/rippling/index.js';
import { addressKey, classifyEmploymentType, joinUsers, mapRoleState, ref } from '../../../connectors/rippling/map.js';
import { OrgsyncError } from '../../../src/errors.js';
import type { HttpResponse } from '../../../src/http/client.js';

const TODAY = '2026-03-02';
const status = (state: unknown, startDate: string | null, endDate: string | null, terminationType?: string) =>
  mapRoleState({ state, startDate, endDate, terminationType }, TODAY).status;

describe('Rippling role state -> employment status', () => {
  it.each([
    ['ACTIVE', '2020-01-01', null, undefined, 'ACTIVE'],
    ['ACTIVE', '2026-03-09', null, undefined, 'PENDING'], // active role, start date still ahead
    ['ACTIVE', '2020-01-01', '2026-03-31', undefined, 'ACTIVE'], // scheduled termination
    ['ACTIVE', '2020-01-01', '2026-03-02', undefined, 'TERMINATED'], // last day is today
    ['ACTIVE', '2020-01-01', '2026-02-01', undefined, 'TERMINATED'], // end passed, state not updated yet
    ['INIT', null, null, undefined, 'PENDING'],
    ['HIRED', '2026-04-01', null, undefined, 'PENDING'],
    ['ACCEPTED', '2026-04-01', null, undefined, 'PENDING'],
    ['ACCEPTED', '2026-02-01', null, undefined, 'PENDING'], // start passed but onboarding not finished: no access yet
    ['TERMINATED', '2020-01-01', '2026-01-16', 'VOLUNTARY', 'TERMINATED'],
    ['TERMINATED', '2020-01-01', null, undefined, 'TERMINATED'],
    ['TERMINATED', '2020-01-01', '2026-04-30', 'INVOLUNTARY', 'ACTIVE'], // flipped early: still working until the end date
    ['TERMINATED', '2026-04-01', '2026-04-30', undefined, 'TERMINATED'], // never started
    ['TERMINATED', '2020-01-01', '2026-04-30', 'RESCIND', 'TERMINATED'],
    ['TERMINATED', '2020-01-01', '2026-04-30', 'OFFER_DECLINED', 'TERMINATED'],
    ['TERMINATED', null, '2026-04-30', undefined, 'TERMINATED'], // unknown start: trust the state
    ['terminated', '2020-01-01', null, undefined, 'TERMINATED'], // case-insensitive
    ['SUSPENDED', '2020-01-01', null, undefined, 'UNKNOWN'],
    [null, '2020-01-01', null, undefined, 'UNKNOWN'], // redacted / missing state is never ACTIVE
    [null, '2020-01-01', '2026-01-01', undefined, 'TERMINATED'], // ...but a past end date still ends employment
  ] as const)('%s start=%s end=%s (%s) -> %s', (state, start, end, type, expected) => {
    expect(status(state, start, end, type)).toBe(expected);
  });

  it('keeps the raw state', () => {
    expect(mapRoleState({ state: ' SUSPENDED ', startDate: null, endDate: null }, TODAY)).toEqual({
      status: 'UNKNOWN',
      raw: 'SUSPENDED',
    });
    expect(mapRoleState({ state: undefined, startDate: null, endDate: null }, TODAY)).toEqual({
      status: 'UNKNOWN',
      raw: null,
    });
  });
});

describe('Rippling employment types', () => {
  it.each([
    [{ codes: ['SALARIED_FT'] }, 'FULL_TIME', 'SALARIED_FT'],
    [{ codes: ['HOURLY_FT'] }, 'FULL_TIME', 'HOURLY_FT'],
    [{ codes: ['SALARIED_PT'] }, 'PART_TIME', 'SALARIED_PT'],
    [{ codes: ['HOURLY_PT'] }, 'PART_TIME', 'HOURLY_PT'],
    [{ codes: ['CONTRACTOR'] }, 'CONTRACTOR', 'CONTRACTOR'],
    [{ codes: ['TEMP'] }, 'TEMPORARY', 'TEMP'],
    [{ label: 'Salaried, full-time', codes: ['SALARIED_FT'] }, 'FULL_TIME', 'Salaried, full-time'],
    [{ label: 'Summer Intern', codes: ['HOURLY_FT'] }, 'INTERN', 'Summer Intern'],
    [{ label: 'Internship (paid)', codes: [] }, 'INTERN', 'Internship (paid)'],
    [{ label: 'International contractor', contractor: true }, 'CONTRACTOR', 'International contractor'], // "Intern" inside a word does not count
    [{ label: 'Seasonal', temporary: true }, 'TEMPORARY', 'Seasonal'],
    [{ label: 'Half-time', partTime: true }, 'PART_TIME', 'Half-time'],
    [{ label: 'Board Advisor' }, 'OTHER', 'Board Advisor'],
    [{ codes: ['SEASONAL'] }, 'OTHER', 'SEASONAL'],
    [{}, null, null],
  ] as const)('%j -> %s (raw %s)', (input, type, raw) => {
    expect(classifyEmploymentType(input as never)).toEqual({ type, raw });
  });
});

describe('Rippling helpers', () => {
  it('ref: ids as strings; empty values and "null" are null', () => {
    expect(ref('5a539213bd01411656f8f12f')).toBe('5a539213bd01411656f8f12f');
    expect(ref(42)).toBe('42');
    expect(ref('null')).toBeNull();
    expect(ref('NULL')).toBeNull();
    expect(ref('  ')).toBeNull();
    expect(ref(undefined)).toBeNull();
  });

  it('addressKey matches addresses regardless of case and spacing, and needs a street and a city', () => {
    expect(addressKey({ streetLine1: '28 W 23rd St', city: 'New York', zip: '10010', country: 'US' })).toBe(
      addressKey({ streetLine1: '28  w 23RD st ', city: 'new york', zip: '10010', country: 'us' }),
    );
    expect(addressKey({ city: 'New York' })).toBeNull();
    expect(addressKey(null)).toBeNull();
  });

  it('joinUsers attaches users by user_id only where the worker has none', () => {
    const users = [
      { id: 'u1', name: { given_name: 'A' } },
      { id: 'u2', name: { given_name: 'B' } },
    ];
    const rows = joinUsers(
      [
        { id: 'w1', user_id: 'u1' },
        { id: 'w2', user_id: 'u2', user: { id: 'u2', name: { given_name: 'Expanded' } } },
        { id: 'w3', user_id: 'u9' },
      ],
      users as never,
    );
    expect(rows.map((r) => (r.user as { name: { given_name: string } } | undefined)?.name.given_name)).toEqual([
      'A',
      'Expanded',
      undefined,
    ]);
  });

  it('filterTimestamp is explicit UTC without milliseconds', () => {
    expect(filterTimestamp(new Date('2026-02-27T10:15:30.123Z'))).toBe('2026-02-27T10:15:30Z');
  });

  describe('nextLinkOf', () => {
    const res = (next_link: unknown, url = 'https://rest.ripplingapis.com/workers/?expand=user'): HttpResponse => ({
      status: 200,
      headers: {},
      data: { results: [], next_link },
      url,
      requestId: undefined,
    });
    it.each([
      [null, null],
      [undefined, null],
      ['', null],
      ['/workers/?expand=user&cursor=abc', '/workers/?expand=user&cursor=abc'],
      ['workers/?cursor=abc', '/workers/?cursor=abc'],
      ['/workers?limit=100&cursor=abc', '/workers?limit=100&cursor=abc'],
      ['https://rest.ripplingapis.com/workers/?cursor=abc', '/workers/?cursor=abc'],
      ['https://REST.ripplingpreviewapis.com/workers/?cursor=abc', '/workers/?cursor=abc'],
      ['https://elsewhere.example/workers/?cursor=abc', 'https://elsewhere.example/workers/?cursor=abc'],
      ['?cursor=abc', 'https://rest.ripplingapis.com/workers/?cursor=abc'],
    ])('%s -> %s', (link, expected) => {
      expect(nextLinkOf(res(link))).toBe(expected);
    });
    it('a next_link that is not a URL ends the walk as incomplete', () => {
      expect(() => nextLinkOf(res('https://'))).toThrow(
        expect.objectContaining({ kind: 'incomplete', code: 'bad_next_link' }),
      );
    });
  });
});

describe('rippling factory and options', () => {
  it('is a ConnectorFactory whose definition carries apiToken and api (the CLI derives flags from them)', () => {
    expect(typeof rippling).toBe('function');
    expect(rippling.definition).toBe(ripplingRestDefinition);
    expect(Object.keys(rippling.definition.options.shape)).toEqual(['apiToken', 'api', 'pageSize']);
    expect(rippling.definition.secrets).toEqual(['apiToken']);
    expect(RipplingOptionsSchema.safeParse({ apiToken: 't', api: 'legacy' }).success).toBe(true);
  });

  it('picks the definition from api: REST by default (incremental), legacy without incremental', () => {
    const rest = rippling({ apiToken: 'tok-1234' });
    expect(rest.definition.name).toBe('Rippling');
    expect(rest.capabilities).toMatchObject({
      incremental: true,
      incrementalDeletions: false,
      includesTerminated: true,
    });
    expect(typeof rest.readChanges).toBe('function');
    expect(rest.definition.incremental?.lookbackMs).toBe(5 * 60_000);
    expect(rest.http.baseUrl).toBe('https://rest.ripplingapis.com');
    const legacy = rippling({ apiToken: 'tok-1234', api: 'legacy' });
    expect(legacy.id).toBe('rippling');
    expect(legacy.capabilities.incremental).toBe(false);
    expect(legacy.readChanges).toBeUndefined();
    expect(legacy.http.baseUrl).toBe('https://api.rippling.com/platform/api');
  });

  it.each([
    [{}, /apiToken: required secret is missing/],
    [{ apiToken: '' }, /apiToken: required secret is missing/],
    [{ apiToken: 'tok-1234', api: 'soap' }, /api:/],
    [{ apiToken: 'tok-1234', api: 'legacy', pageSize: 500 }, /pageSize:/],
    [{ apiToken: 'tok-1234', api: 'legacy', pageSize: 0 }, /pageSize:/],
    [{ apiToken: 'tok-1234', api: 'legacy', pageSize: 2.5 }, /pageSize:/],
  ])('invalid options %j: config error before any request', (options, message) => {
    let err: unknown;
    try {
      rippling(options as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('config');
    expect((err as OrgsyncError).message).toMatch(message);
  });

  it('no options at all: config error', () => {
    expect(() => rippling(undefined as never)).toThrow(/options are required/);
  });
});
