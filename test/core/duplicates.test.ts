/**
 * Duplicate records and repeats (issue 16, memory and CPU): the paging guard keeps fingerprints of
 * a walk's records, or (the connector runtime's employee walk) the records of the last two pages
 * only; the runtime keeps no vendor rows unless `includeRemoteData` is set. An identical repeat is
 * dropped (guard) or collapsed (runtime); a different record under one id is handed on (guard) and
 * fails a full read (`duplicate_id`) when the snapshot would show the difference. Repeats are
 * placed pages apart, beyond the guard's window.
 */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, finalizeEmployees, type EmployeeDraft } from '../../src/connector/define.js';
import { nextLinkPaging } from '../../src/pagination/index.js';
import { contentFingerprint, DriftGuard, defaultIdentity } from '../../src/pagination/drift.js';
import { OrgsyncError } from '../../src/errors.js';

const BASE = 'https://api.dup.example';
let n = 0;

const Row = z.looseObject({ id: z.string(), name: z.string() });
type Row = z.infer<typeof Row>;

const draft = (r: Row): EmployeeDraft => ({
  id: r.id,
  employeeNumber: null,
  firstName: r.name,
  lastName: null,
  preferredName: null,
  workEmail: null,
  personalEmail: null,
  jobTitle: null,
  groupIds: [],
  locationId: null,
  employmentStatus: 'ACTIVE',
  employmentType: null,
  startDate: null,
  terminationDate: null,
});

/** A connector over next-link pages; `itemId` overrides the guard's identity of a record. */
function toy(itemId?: (i: unknown) => string | undefined) {
  return defineConnector<{ token: string }>({
    id: `dup${++n}`,
    name: 'Dup',
    options: z.object({ token: z.string() }),
    secrets: ['token'],
    http: (o: { token: string }) => ({ baseUrl: BASE, auth: { type: 'bearer', token: o.token } }),
    rateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 4 },
    capabilities: {
      groups: false,
      locations: false,
      incremental: false,
      incrementalDeletions: false,
      webhooks: false,
      includesTerminated: true,
    },
    employees: {
      request: { path: '/people' },
      paginate: nextLinkPaging({ next: (r) => (r.data as { next: string | null }).next }),
      records: (r: { data: { items: unknown[] } }) => r.data.items,
      row: Row,
      map: draft,
      ...(itemId ? { itemId } : {}),
    },
    company: () => ({ id: 'dup', name: 'Dup', legalName: null }),
  } as never);
}

/** Serve `pages` as a chain of next links. */
function serve(pages: unknown[][]): void {
  const scope = nock(BASE);
  pages.forEach((items, i) => {
    scope
      .get('/people')
      .query(i === 0 ? {} : { p: String(i) })
      .reply(200, { items, next: i + 1 < pages.length ? `/people?p=${i + 1}` : null });
  });
}

const person = (id: string, name = `Person ${id}`, extra: Record<string, unknown> = {}) => ({ id, name, ...extra });
/** Four pages; `a` is on the first, and `last` ends the fourth (three pages later). */
const pagesWith = (last: unknown) => [
  [person('a'), person('b')],
  [person('c'), person('d')],
  [person('e'), person('f')],
  [person('g'), last],
];

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('duplicates decided by fingerprint, pages apart', () => {
  for (const [label, itemId] of [
    ['records with an identity (the paging guard decides first)', undefined],
    ['records without one (only the runtime sees the repeat)', () => undefined],
  ] as const) {
    describe(label, () => {
      it('an identical record three pages later: everyone once, no error', async () => {
        // A new object with the same content (keys in the same order): the same record.
        serve(pagesWith(person('a')));
        const r = await toy(itemId)({ token: 't-secret-1' }).read();
        expect(r.employees.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
      });

      it('a different record under the same id three pages later fails the read: duplicate_id', async () => {
        serve(pagesWith(person('a', 'Renamed')));
        const err = await toy(itemId)({ token: 't-secret-2' })
          .read()
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(OrgsyncError);
        expect((err as OrgsyncError).kind).toBe('validation');
        expect((err as OrgsyncError).code).toBe('duplicate_id');
      });

      it('a difference only in a field nobody maps collapses: the snapshot would hold the same employee', async () => {
        serve(pagesWith(person('a', 'Person a', { unmapped: 1 })));
        const r = await toy(itemId)({ token: 't-secret-3' }).read();
        expect(r.employees.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
        expect(r.employees[0]!.firstName).toBe('Person a');
      });
    });
  }

  it('includeRemoteData keeps the row on each employee, and duplicates are still decided the same way', async () => {
    serve(pagesWith(person('a')));
    const r = await toy()({ token: 't-secret-4', includeRemoteData: true } as never).read();
    expect(r.employees.find((e) => e.id === 'a')?.remoteData).toEqual(person('a'));
    nock.cleanAll();
    serve(pagesWith(person('a', 'Renamed')));
    const err = await toy()({ token: 't-secret-5', includeRemoteData: true } as never)
      .read()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as OrgsyncError).code).toBe('duplicate_id');
    // The rows are kept and compared: a difference in an unmapped field is a different record.
    nock.cleanAll();
    serve(pagesWith(person('a', 'Person a', { unmapped: 1 })));
    const err2 = await toy()({ token: 't-secret-6', includeRemoteData: true } as never)
      .read()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err2 as OrgsyncError).code).toBe('duplicate_id');
  });

  it('an identical repeat on the next page is dropped by the guard (within its window)', async () => {
    // Within the window the guard compares the records themselves: identical → dropped.
    serve([
      [person('a'), person('b')],
      [person('b'), person('c')],
    ]);
    const r = await toy()({ token: 't-secret-7' }).read();
    expect(r.employees.map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('DriftGuard with a repeat window keeps the last pages, not fingerprints', () => {
  it('compares repeats within the window, hands on repeats from further back, and still drops what earlier walks yielded', () => {
    const g = new DriftGuard<unknown>(defaultIdentity, 2);
    g.startWalk();
    expect(g.admit([person('a'), person('b')], 0)).toHaveLength(2);
    // Next page: an identical repeat is dropped, a changed one handed on.
    expect(g.admit([person('a'), person('b', 'Changed'), person('c')], 0)).toEqual([
      person('b', 'Changed'),
      person('c'),
    ]);
    expect(g.dropped).toBe(1);
    expect(g.admit([person('d')], 0)).toHaveLength(1);
    expect(g.admit([person('e')], 0)).toHaveLength(1);
    // `a` was last seen three pages back: beyond the window, so it is handed on for the consumer.
    expect(g.admit([person('a')], 0)).toEqual([person('a')]);
    // `e` is within the window: its identical repeat is dropped.
    expect(g.admit([person('e')], 0)).toEqual([]);
    expect(g.dropped).toBe(2);
    g.startWalk();
    expect(g.admit([person('a', 'Other'), person('z')], 0)).toEqual([person('z')]);
  });
});

describe('DriftGuard.admit keeps fingerprints, not records', () => {
  it('drops an identical repeat pages later, hands on a changed one (later copy), then drops its repeat', () => {
    const g = new DriftGuard<unknown>(defaultIdentity);
    g.startWalk();
    expect(g.admit([person('a'), person('b')], 0)).toHaveLength(2);
    expect(g.admit([person('c')], 0)).toHaveLength(1);
    // New objects with equal content: equal by fingerprint, not by identity of the object.
    expect(g.admit([person('a')], 0)).toEqual([]);
    expect(g.dropped).toBe(1);
    expect(g.admit([person('b', 'Changed')], 0)).toEqual([person('b', 'Changed')]);
    expect(g.admit([person('b', 'Changed')], 0)).toEqual([]);
    // A second walk yields nobody it yielded before, whatever their content.
    g.startWalk();
    expect(g.admit([person('a', 'Other'), person('z')], 0)).toEqual([person('z')]);
  });
});

describe('contentFingerprint', () => {
  it('equal JSON, equal fingerprint; any difference (value, key order, nesting), another', () => {
    const fp = contentFingerprint;
    expect(fp({ a: 1, b: [1, { c: 'x' }] })).toBe(fp({ a: 1, b: [1, { c: 'x' }] }));
    expect(fp({ a: 1, b: 2 })).not.toBe(fp({ b: 2, a: 1 }));
    expect(fp({ a: 1, b: [1, { c: 'x' }] })).not.toBe(fp({ a: 1, b: [1, { c: 'y' }] }));
    expect(fp('1')).not.toBe(fp(1));
    expect(fp(undefined)).not.toBe(fp('undefined'));
    expect(fp(null)).toBe(fp(null));
  });
});

describe('finalizeEmployees', () => {
  const def = { id: 'dup', name: 'Dup' } as never;
  it('compares an entry with a fingerprint and one with a row by the same JSON, and lets go of the drafts', () => {
    const row = person('a');
    const drafts = [
      { draft: draft(row), fp: contentFingerprint({ ...row }) },
      { draft: draft(row), raw: { ...row } },
    ];
    const r = finalizeEmployees(def, drafts, false);
    expect(r.employees.map((e) => e.id)).toEqual(['a']);
    expect(drafts).toEqual([]);
    expect(() =>
      finalizeEmployees(
        def,
        [
          { draft: draft(row), fp: contentFingerprint(row) },
          { draft: draft(row), raw: person('a', 'Renamed') },
        ],
        false,
      ),
    ).toThrow(/two different records with id a/);
  });

  it('resolves a manager reference that points at someone later in the list', () => {
    const boss = { ...draft(person('boss')), employeeNumber: 'E1' };
    const worker = { ...draft(person('w')), managerRef: { employeeNumber: 'E1' } };
    const r = finalizeEmployees(
      def,
      [
        { draft: worker, fp: '1' },
        { draft: boss, fp: '2' },
      ],
      false,
    );
    expect(r.employees.find((e) => e.id === 'w')?.managerId).toBe('boss');
  });
});
