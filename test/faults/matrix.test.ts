/**
 * The fault-injection matrix (issue 7): every registered connector against its own simulator, with
 * each fault injected. A cell passes when the sync either returns a complete snapshot equal to a
 * clean baseline (or, where the fault changes data, a valid one with nobody removed) or throws a
 * typed OrgsyncError with an actionable message and no snapshot — and, in every case, no
 * TERMINATION / REMOTE_DELETED against the baseline and no secret in the error (and its cause
 * chain), the snapshot, the log lines or the progress events. See docs/reliability.md.
 *
 * Prints the matrix and a last line `N passed, N failed` (cells marked n/a do not apply to a vendor).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrgsyncError } from '../../src/errors.js';
import type { EmploymentStatus } from '../../src/model.js';
import type { Fault, SimResponse } from '../../src/simulator/server.js';
import { adapters, workdayFault, type VendorFaultAdapter, type VendorShape } from './adapters.js';
import { deletionDuringWalk, insertionDuringWalk } from './drift-cells.js';
import {
  attempt,
  cells,
  checkCommon,
  describeOutcome,
  employeeCalls,
  expectComplete,
  expectError,
  INSERTED_EMAIL,
  matrixTable,
  NOW,
  org,
  quiesce,
  record,
  shapeProblems,
  stable,
  start,
  targets,
  withInsertedPerson,
  type Outcome,
  type Running,
  type Target,
} from './helpers.js';

const list = await targets();

interface FaultCase {
  name: string;
  /** Why the fault does not apply to this connector (shown in the test name and the table), if so. */
  notApplicable?: (t: Target) => string | undefined;
  run: (r: Running, a: () => VendorFaultAdapter) => Promise<Outcome>;
}

/**
 * Cells that currently fail because of a bug outside this suite's files (reported to the lead).
 * They run as `it.fails`: the suite stays green, the summary counts them as failed, and once the bug
 * is fixed the cell "unexpectedly passes" — delete its entry then.
 */
const KNOWN_BUGS: Record<string, string> = {
  // none open: add `'<connector>|<fault name>': 'BUG: ...'` to run a cell as it.fails while a bug is being fixed.
};

const paged = (t: Target) => (t.simulator.paged ? undefined : 'one response, not paged');
/** A shape the vendor's adapter declares (`VendorShape`), as the reason a cell does not apply. */
const shape = (t: Target, what: keyof VendorShape) => adapters[t.id]?.shape?.[what];
const soapOnly = (t: Target) => (t.id === 'workday' ? undefined : 'no SOAP');
/** Mid-walk for paged vendors (page 2), else the only listing request. */
const midWalk = (r: Running) => (r.target.simulator.paged ? 1 : 0);
const onEmployees = (r: Running, fault: Fault, o: { after?: number; times?: number } = {}) =>
  r.running.sim.inject({
    match: r.target.simulator.employeesPath,
    after: o.after ?? midWalk(r),
    times: o.times ?? 1,
    fault,
  });

/** Employees of the first listing page rewritten by `edit` (given the page's records, returns new ones). */
const editFirstPage = (r: Running, a: VendorFaultAdapter, edit: (items: unknown[]) => unknown[]) =>
  onEmployees(
    r,
    { type: 'transform', fn: (res) => (res.status === 200 ? a.withItems(res, edit(a.items(res))) : res) },
    { after: 0 },
  );

const byId = (r: Running) => new Map(r.baseline.employees.map((e) => [e.id, e]));
const retries = (o: Outcome) =>
  o.progress
    .map((p) => JSON.parse(p) as { type: string; delayMs?: number; reason?: string })
    .filter((e) => e.type === 'retry');

function retryAfter(status: 429 | 503, form: 'seconds' | 'date'): FaultCase {
  return {
    name: `${status} with Retry-After in ${form === 'seconds' ? 'seconds' : 'an HTTP date'}`,
    run: async (r) => {
      // One second; the HTTP date (written when the response is sent) has one-second precision: 0.8–1.8 s.
      const value = () => (form === 'seconds' ? '1' : new Date(Date.now() + 1800).toUTCString());
      onEmployees(r, { type: 'transform', fn: () => ({ status, headers: { 'Retry-After': value() }, body: '' }) });
      const o = await attempt(r);
      expect(stable(expectComplete(r, o))).toEqual(stable(r.baseline));
      const waits = retries(o).map((e) => e.delayMs ?? 0);
      expect(Math.max(0, ...waits), 'the wait the server asked for was honoured').toBeGreaterThanOrEqual(
        form === 'seconds' ? 900 : 300,
      );
      return o;
    },
  };
}

function onceThenRecovery(status: number): FaultCase {
  return {
    name: `${status} once, then recovery`,
    run: async (r) => {
      onEmployees(r, { type: 'status', status });
      const o = await attempt(r);
      expect(stable(expectComplete(r, o))).toEqual(stable(r.baseline));
      expect(retries(o).length).toBeGreaterThan(0);
      return o;
    },
  };
}

const faults: FaultCase[] = [
  retryAfter(429, 'seconds'),
  retryAfter(429, 'date'),
  retryAfter(503, 'seconds'),
  retryAfter(503, 'date'),
  onceThenRecovery(500),
  onceThenRecovery(502),
  onceThenRecovery(504),
  {
    name: '500 forever',
    run: async (r) => {
      const from = r.running.sim.log.length;
      onEmployees(r, { type: 'status', status: 500 }, { times: Infinity });
      const o = await attempt(r);
      expectError(o, ['incomplete', 'transient']);
      // Retried (2 retries configured), then given up.
      expect(employeeCalls(r, from).filter((c) => c.status === 500)).toHaveLength(3);
      return o;
    },
  },
  {
    name: 'connection reset mid-body',
    run: async (r) => {
      onEmployees(r, { type: 'reset' });
      const o = await attempt(r);
      expect(stable(expectComplete(r, o))).toEqual(stable(r.baseline));
      return o;
    },
  },
  {
    name: 'timeout, then recovery',
    run: async (r) => {
      onEmployees(r, { type: 'delay', ms: 1000 });
      const o = await attempt(r, { timeoutMs: 300 });
      expect(stable(expectComplete(r, o))).toEqual(stable(r.baseline));
      expect(retries(o).some((e) => /timed out/.test(e.reason ?? ''))).toBe(true);
      return o;
    },
  },
  {
    name: 'malformed body once, then recovery',
    run: async (r) => {
      onEmployees(r, { type: 'malformed' });
      const o = await attempt(r);
      expect(stable(expectComplete(r, o))).toEqual(stable(r.baseline));
      return o;
    },
  },
  {
    name: 'truncated body on every attempt',
    run: async (r) => {
      const from = r.running.sim.log.length;
      onEmployees(r, { type: 'truncate' }, { times: Infinity });
      const o = await attempt(r);
      expectError(o, ['incomplete', 'transient'], /malformed/);
      expect(employeeCalls(r, from).length - midWalk(r), 'retried before giving up').toBe(3);
      return o;
    },
  },
  {
    name: 'HTML error page (200)',
    run: async (r) => {
      const from = r.running.sim.log.length;
      onEmployees(r, { type: 'html' }, { times: Infinity });
      const o = await attempt(r);
      const e = expectError(o, ['incomplete', 'vendor'], /unexpected_content_type/);
      expect(e.message).toMatch(/HTML/);
      expect(employeeCalls(r, from).length - midWalk(r), 'not retried: retrying cannot fix a wrong base URL').toBe(1);
      return o;
    },
  },
  {
    name: 'HTML maintenance page (503) once, then recovery',
    run: async (r) => {
      onEmployees(r, { type: 'html', status: 503 });
      const o = await attempt(r);
      expect(stable(expectComplete(r, o))).toEqual(stable(r.baseline));
      return o;
    },
  },
  {
    name: 'SOAP authentication fault',
    notApplicable: soapOnly,
    run: async (r) => {
      const from = r.running.sim.log.length;
      onEmployees(
        r,
        {
          type: 'status',
          status: 500,
          body: workdayFault('Client.authenticationError', 'invalid username or password'),
        },
        { after: 0, times: Infinity },
      );
      const o = await attempt(r);
      const e = expectError(o, ['auth']);
      expect(e.message).toContain('invalid username or password');
      expect(employeeCalls(r, from).length, 'an authentication fault is not retried').toBe(1);
      return o;
    },
  },
  {
    name: 'SOAP validation fault',
    notApplicable: soapOnly,
    run: async (r) => {
      const said = 'The value of Count must be between 1 and 999';
      onEmployees(
        r,
        {
          type: 'status',
          status: 500,
          body: workdayFault('Client.validationError', `Validation error occurred. ${said}`, { message: said }),
        },
        { after: 0, times: Infinity },
      );
      const o = await attempt(r);
      const e = expectError(o, ['vendor', 'incomplete'], /validationError/);
      // takeSnapshot reports every failed read as `incomplete`; the vendor error is its cause.
      const kind = e.kind === 'incomplete' ? (e.cause as OrgsyncError | undefined)?.kind : e.kind;
      expect(kind).toBe('vendor');
      expect(e.message, "quotes Workday's message").toContain(said);
      return o;
    },
  },
  {
    name: '401 mid-sync (credential revoked)',
    notApplicable: (t) => shape(t, 'oneRequest'),
    run: async (r, a) => {
      const from = r.running.sim.log.length;
      // Every request after the first successful one.
      r.running.sim.inject({ after: 1, times: Infinity, fault: a().revoked });
      const o = await attempt(r);
      expectError(o, ['auth']);
      const calls = r.running.sim.log.slice(from);
      // OAuth2 vendors (declared in the adapter's shape) fetch a new token once after the 401: rejected too.
      if (a().shape?.tokenRefresh)
        expect(calls.length, 'one successful request, one rejected, one rejected token request, no retry').toBe(3);
      else expect(calls.length, 'one successful request, one rejected, no retry').toBe(2);
      return o;
    },
  },
  {
    name: 'error body echoing the credentials',
    run: async (r, a) => {
      onEmployees(r, a().errorEchoing(r.rawSecrets[0]!), { after: 0, times: Infinity });
      const o = await attempt(r);
      expectError(o, ['incomplete', 'vendor', 'auth', 'transient']);
      return o;
    },
  },
  {
    name: 'a page that repeats the previous page',
    notApplicable: paged,
    run: async (r, a) => {
      let first: unknown[] | undefined;
      // Page 1 is remembered; page 2 answers with page 1's records (page 2's envelope and headers).
      onEmployees(r, { type: 'transform', fn: (res) => ((first = a().items(res)), res) }, { after: 0 });
      onEmployees(r, { type: 'transform', fn: (res) => a().withItems(res, first ?? []) }, { after: 1 });
      const o = await attempt(r);
      if (o.snapshot) expect(stable(o.snapshot)).toEqual(stable(r.baseline));
      else expectError(o, ['incomplete']);
      return o;
    },
  },
  {
    name: 'records shift between pages (insert before page 2)',
    notApplicable: paged,
    run: async (r) => {
      onEmployees(r, { type: 'before', fn: () => r.running.update(withInsertedPerson(org()), NOW) }, { after: 1 });
      try {
        const o = await attempt(r);
        if (o.snapshot) {
          // Everyone of the baseline exactly once (checkCommon: nobody twice, nobody removed); the new
          // person may or may not be there yet (the next sync reads them).
          const ids = new Set(o.snapshot.employees.map((e) => e.id));
          for (const e of r.baseline.employees) expect(ids.has(e.id)).toBe(true);
          const extra = o.snapshot.employees.filter((e) => !r.baseline.employees.some((b) => b.id === e.id));
          expect(extra.every((e) => e.workEmail === INSERTED_EMAIL)).toBe(true);
        } else expectError(o, ['incomplete']);
        return o;
      } finally {
        r.running.update(org(), NOW);
      }
    },
  },
  {
    // Issue 12 §2: without the core's drift guard an offset/page walk silently misses the person
    // that moved onto page 1. Everyone else exactly once, in a complete snapshot.
    name: 'a person deleted during the walk (before page 2)',
    notApplicable: paged,
    run: async (r, a) => (await deletionDuringWalk(r, a)).outcome,
  },
  {
    name: 'a person inserted during the walk (before page 2)',
    notApplicable: paged,
    run: async (r) => (await insertionDuringWalk(r)).outcome,
  },
  {
    name: 'a total count that lies',
    notApplicable: (t) =>
      adapters[t.id] && adapters[t.id]!.lieAboutTotal === null ? 'the vendor announces no total' : undefined,
    run: async (r, a) => {
      const lie = a().lieAboutTotal!;
      onEmployees(
        r,
        { type: 'transform', fn: (res) => (res.status === 200 ? lie(res, 50) : res) },
        { after: 0, times: Infinity },
      );
      const o = await attempt(r);
      expectError(o, ['incomplete']);
      return o;
    },
  },
  {
    name: 'empty page before the end',
    notApplicable: paged,
    run: async (r, a) => {
      editFirstPage(r, a(), () => []);
      const o = await attempt(r);
      expectError(o, ['incomplete']);
      return o;
    },
  },
  {
    name: 'a 50 MB response',
    run: async (r) => {
      onEmployees(r, { type: 'huge', bytes: 50 * 1024 * 1024 }, { after: 0 });
      const o = await attempt(r);
      if (o.snapshot) expect(stable(o.snapshot)).toEqual(stable(r.baseline));
      else expectError(o, ['incomplete', 'vendor', 'transient']);
      // A hang would never end; 45 s leaves room for a loaded 2-core CI machine (20 s seen under load).
      expect(o.ms, 'does not hang').toBeLessThan(45_000);
      expect(process.memoryUsage().rss, 'memory stays sane').toBeLessThan(2 * 1024 ** 3);
      return o;
    },
  },
  unknownEnums('unknown enum values', { status: 'Garden_Leave', type: 'Gig_Worker' }),
  unknownEnums('enum values named like Object.prototype members', { status: 'constructor', type: 'constructor' }),
  {
    name: 'null where the spec says required',
    run: async (r, a) => {
      editFirstPage(r, a(), (items) => items.map((it, i) => (i === 1 ? a().nullRequired(it) : it)));
      const o = await attempt(r);
      const e = expectError(o, ['validation']);
      expect(e.message, 'names the record').toMatch(/#2\b|record/);
      return o;
    },
  },
  {
    name: 'a record echoing the credentials',
    run: async (r, a) => {
      editFirstPage(r, a(), (items) => items.map((it, i) => (i === 0 ? a().echoSecret(it, r.rawSecrets[0]!) : it)));
      const o = await attempt(r);
      const s = expectComplete(r, o);
      expect(JSON.stringify(s).includes('[REDACTED]'), 'the echoed secret is redacted in the snapshot').toBe(true);
      return o;
    },
  },
];

function unknownEnums(name: string, values: { status: string; type: string }): FaultCase {
  return {
    name,
    run: async (r, a) => {
      const base = byId(r);
      const chosen = new Set<string>();
      const detail = a().detail;
      if (detail) {
        // Status and type come from a per-person response: edit those of three active full-time people.
        for (const e of base.values())
          if (chosen.size < 3 && e.employmentStatus === 'ACTIVE' && e.employmentType === 'FULL_TIME') chosen.add(e.id);
        const edit = (res: SimResponse) =>
          detail.withItems(
            res,
            detail.items(res).map((it) => (chosen.has(detail.idOf(it)) ? a().unknownEnums(it, values) : it)),
          );
        r.running.sim.inject({
          match: detail.path,
          times: Infinity,
          fault: { type: 'transform', fn: (res) => (res.status === 200 ? edit(res) : res) },
        });
      } else
        editFirstPage(r, a(), (items) =>
          items.map((it) => {
            const e = base.get(a().idOf(it));
            // Active, and not a contractor (Workday's contingent workers are contractors whatever their type says).
            if (
              chosen.size >= 3 ||
              !e ||
              e.employmentStatus !== 'ACTIVE' ||
              (e.employmentType !== 'FULL_TIME' && e.employmentType !== null)
            )
              return it;
            chosen.add(e.id);
            return a().unknownEnums(it, values);
          }),
        );
      const o = await attempt(r);
      const s = expectComplete(r, o);
      expect(chosen.size).toBeGreaterThan(0);
      const allowed: EmploymentStatus[] = a().unknownStatusReadsAs;
      // A vendor without an employment type (declared in its adapter's shape) is checked on status alone.
      const typed = !a().shape?.noEmploymentType && !a().shape?.typeOnlyInRecords;
      for (const e of s.employees) {
        if (!chosen.has(e.id)) {
          expect(e).toEqual(base.get(e.id));
          continue;
        }
        expect(allowed, `${e.id} status`).toContain(e.employmentStatus);
        expect(e.employmentStatus).not.toBe('ACTIVE');
        expect(e.employmentStatusRaw ?? '', 'raw status kept').toContain(values.status);
        if (!typed) continue;
        expect(e.employmentType).toBe('OTHER');
        expect(e.employmentTypeRaw ?? '', 'raw type kept').toContain(values.type);
      }
      return o;
    },
  };
}

const SHAPE_CELL = 'declared vendor shape matches a clean sync';
const faultNames = [...faults.map((f) => f.name), SHAPE_CELL];
const INCREMENTAL = [
  '500 forever',
  '401 after the first request',
  'truncated body on every attempt',
  'HTML error page',
  'connection reset on every attempt',
].map((n) => `incremental sync: ${n}`);

// Connectors run side by side (each has its own simulator, client budget and baseline: most of the
// time is spent waiting out Retry-After), the faults of one connector one after another.
const cell = it.sequential;

for (const target of list) {
  describe.concurrent(`fault matrix: ${target.id}`, () => {
    let r: Running;
    beforeAll(async () => {
      r = await start(target);
    });
    afterAll(async () => {
      await r?.running.sim.close();
    });
    afterEach(async () => {
      if (!r) return;
      await quiesce(r);
      r.running.sim.clearFaults();
    });

    const adapter = (): VendorFaultAdapter => {
      const a = adapters[target.id];
      if (!a) throw new Error(`no fault adapter for '${target.id}': add one to test/faults/adapters.ts`);
      return a;
    };

    for (const f of faults) {
      const na = f.notApplicable?.(target);
      if (na) {
        record(target.id, f.name, 'n/a', na);
        cell.skip(`${f.name} (n/a: ${na})`, () => {});
        continue;
      }
      // ORGSYNC_FAULTS_SHOW_KNOWN_BUGS=1 runs known bugs as ordinary tests, to see how they fail.
      const bug = process.env['ORGSYNC_FAULTS_SHOW_KNOWN_BUGS'] ? undefined : KNOWN_BUGS[`${target.id}|${f.name}`];
      const test = bug ? cell.fails : cell;
      test(bug ? `${f.name} [known bug, see KNOWN_BUGS]` : f.name, async () => {
        const faultsBefore = r.running.sim.stats.faults;
        r.last = undefined;
        try {
          const o = await f.run(r, adapter);
          checkCommon(r, o);
          expect(r.running.sim.stats.faults, 'the fault was injected').toBeGreaterThan(faultsBefore);
          record(target.id, f.name, 'passed', describeOutcome(o));
        } catch (e) {
          const why = String((e as Error).message)
            .split('\n')[0]!
            .slice(0, 100);
          record(target.id, f.name, 'failed', r.last ? `${describeOutcome(r.last, r)}: ${why}` : `test error: ${why}`);
          throw e;
        }
      });
    }

    // What the adapter declares about the vendor's shape is checked against a clean sync, so a
    // declaration cannot hide a cell that should run.
    const declared = adapters[target.id]?.shape ?? {};
    if (declared.oneRequest || declared.noEmploymentType || declared.tokenRefresh || declared.typeOnlyInRecords) {
      cell(SHAPE_CELL, () => {
        // Recorded as failed first, overwritten below when every claim holds.
        const at =
          cells.push({
            connector: target.id,
            fault: SHAPE_CELL,
            status: 'failed',
            observed: 'a declaration does not hold',
          }) - 1;
        expect(shapeProblems(declared, r.baselineRequests, r.baseline)).toEqual([]);
        const said = [
          declared.oneRequest ? 'one request' : '',
          declared.noEmploymentType ? 'no employment type' : '',
        ].filter(Boolean);
        if (declared.tokenRefresh) {
          const auth = target.factory.definition.http(r.running.options as never).auth.type;
          expect(
            auth,
            `declared a token refresh (${declared.tokenRefresh}), but the connector authenticates with ${auth}`,
          ).toBe('oauth2-client-credentials');
          said.push('OAuth2 token refresh');
        }
        if (declared.typeOnlyInRecords) {
          const listing = r.running.sim.log.filter((l) =>
            typeof target.simulator.employeesPath === 'string'
              ? l.path.includes(target.simulator.employeesPath)
              : target.simulator.employeesPath.test(l.path),
          ).length;
          expect(
            r.baselineRequests,
            `declared per-person records (${declared.typeOnlyInRecords}), but a clean sync made ${r.baselineRequests} requests for ${r.baseline.employees.length} people`,
          ).toBeGreaterThan(r.baseline.employees.length);
          expect(listing, 'listing requests').toBeGreaterThan(0);
          said.push('per-person records');
        }
        cells[at] = {
          connector: target.id,
          fault: SHAPE_CELL,
          status: 'passed',
          observed: `confirmed: ${said.join(', ')}`,
        };
      });
    } else {
      record(target.id, SHAPE_CELL, 'n/a', 'nothing declared');
    }

    // A failed incremental sync never returns a snapshot (the previous one stays current).
    const incremental = target.factory.definition.capabilities.incremental;
    const cases: Array<[string, Fault, { after?: number }]> = [
      [INCREMENTAL[0]!, { type: 'status', status: 500 }, {}],
      [INCREMENTAL[1]!, { type: 'status', status: 401 }, { after: 1 }],
      [INCREMENTAL[2]!, { type: 'truncate' }, {}],
      [INCREMENTAL[3]!, { type: 'html' }, {}],
      [INCREMENTAL[4]!, { type: 'reset' }, {}],
    ];
    for (const [name, fault, o] of cases) {
      if (!incremental) {
        record(target.id, name, 'n/a', 'no incremental reads');
        cell.skip(`${name} (n/a: no incremental reads)`, () => {});
        continue;
      }
      cell(name, async () => {
        r.last = undefined;
        try {
          // Without a fault the same call is incremental (attempt checks), so the fault hits an incremental read.
          const clean = await attempt(r, {}, {}, 'incremental');
          expect(clean.error, 'a clean incremental sync succeeds').toBeUndefined();
          r.running.sim.inject({
            after: o.after ?? 0,
            times: Infinity,
            fault: fault.type === 'status' && fault.status === 401 ? adapter().revoked : fault,
          });
          const out = await attempt(r, {}, {}, 'incremental');
          expect(out.snapshot ? `a snapshot of ${out.snapshot.employees.length} people` : 'no snapshot').toBe(
            'no snapshot',
          );
          checkCommon(r, out);
          record(target.id, name, 'passed', describeOutcome(out));
        } catch (e) {
          const why = String((e as Error).message)
            .split('\n')[0]!
            .slice(0, 100);
          record(target.id, name, 'failed', r.last ? `${describeOutcome(r.last, r)}: ${why}` : `test error: ${why}`);
          throw e;
        }
      });
    }
  });
}

afterAll(() => {
  const ids = list.map((t) => t.id);
  const passed = cells.filter((c) => c.status === 'passed').length;
  const failed = cells.filter((c) => c.status === 'failed').length;
  const na = cells.filter((c) => c.status === 'n/a').length;
  const known = cells.filter((c) => c.status === 'failed' && KNOWN_BUGS[`${c.connector}|${c.fault}`]);
  const lines = [
    '',
    `Fault matrix (${ids.length} connectors: ${ids.join(', ')}):`,
    matrixTable(ids, [...faultNames, ...INCREMENTAL]),
    '',
    `${na} cells not applicable.`,
    ...known.map((c) => `known bug, ${c.connector} / ${c.fault}: ${KNOWN_BUGS[`${c.connector}|${c.fault}`]}`),
    `${passed} passed, ${failed} failed`,
  ];
  console.log(lines.join('\n'));
});
