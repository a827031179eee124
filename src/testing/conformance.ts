/**
 * The connector conformance suite: `runConnectorConformance(factory, setup)` registers vitest tests
 * that every connector must pass, against the connector's own vendor simulator. Call it at the top
 * level of a test file.
 */
import { vitestApi } from './vitest-api.js';
import type { ConnectorFactory } from '../connector/define.js';
import { OrgsyncError } from '../errors.js';
import { EmployeeSchema, GroupSchema, LocationSchema, type EmploymentStatus, type OrgSnapshot } from '../model.js';
import { takeSnapshot } from '../snapshot.js';
import { sampleOrg, type SampleOrg, type SamplePerson } from '../simulator/sample-org.js';
import type { Simulator } from '../simulator/server.js';
import { checkSamplePeople, formatMismatches, PERSON_FIELDS, type PersonField, type SampleReading } from './people.js';
import { unfinishedParts } from './unfinished.js';

export interface ConformanceSetup {
  /** Start the vendor's simulator for a sample company; returns it and the factory options that read it. */
  start(org: SampleOrg): Promise<{ sim: Simulator; options: Record<string, unknown> }>;
  /** The same options with a credential the vendor rejects. */
  badCredentials(options: Record<string, unknown>): Record<string, unknown>;
  /** Matches the request path (and query) of the employee listing, to inject a failing page. */
  employeesPath: string | RegExp;
  /** Whether the employee listing is paged at the sample size below (then a middle page is failed). */
  paged: boolean;
  /** Sample company size (default 120: past one page for every paged vendor at page size 100). */
  size?: number;
  /**
   * How the simulator renders the sample company, so the kit can compare every person: the id each
   * sample person gets, which attributes become groups, fields the vendor cannot express (declared
   * not applicable, with the reason) and where the vendor reads someone differently. See
   * `SampleReading` and docs/adding-a-connector.md.
   */
  sample: SampleReading;
  /**
   * @deprecated use `sample.expect` (returning `{ status }`). The status a sample person must read as
   * where the vendor cannot express the sample's status; `sample.expect` wins when both say.
   */
  expectedStatus?: (person: SamplePerson) => EmploymentStatus;
  /**
   * The connector's folder (e.g. `new URL('.', import.meta.url)` in its simulator.ts): the kit's
   * first test lists every `TODO(new-connector)` marker left in its files, all at once.
   */
  sourceDir?: string | URL;
}

/** The registration's reading, with the deprecated `expectedStatus` folded in. */
function readingOf(setup: ConformanceSetup): SampleReading {
  const legacy = setup.expectedStatus;
  if (!legacy) return setup.sample;
  return { ...setup.sample, expect: (p, base) => ({ status: legacy(p), ...(setup.sample.expect?.(p, base) ?? {}) }) };
}

const FIELD_TITLES: Record<PersonField, string> = {
  name: 'first and last name',
  workEmail: 'work email',
  status: 'employment status (including people whose status alone, without dates, decides it)',
  manager: 'manager',
  groups: 'groups',
  location: 'location',
  startDate: 'start date',
  terminationDate: 'termination date',
  employmentType: 'employment type',
};

/** All text reachable from an error: message, JSON form, stack and the cause chain. */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur && i < 10; i++) {
    parts.push(String((cur as Error).message), safeJson(cur), String((cur as Error).stack));
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return '';
  }
}

export function runConnectorConformance(factory: ConnectorFactory<any>, setup: ConformanceSetup): void {
  const { describe, expect, it, beforeAll, afterAll, beforeEach } = vitestApi();
  const def = factory.definition;
  const today = '2026-06-01';
  const now = new Date(`${today}T12:00:00Z`);
  const org = sampleOrg({ size: setup.size ?? 120, today });
  let sim: Simulator;
  let options: Record<string, unknown>;
  let snapshot: OrgSnapshot;
  /** Why the simulator could not start or the first read failed (reported by the first test, with every TODO). */
  let broken: unknown;
  const fast = { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } };
  const make = (extra: Record<string, unknown> = {}) => factory({ ...options, http: fast, ...extra });
  const reading = setup.sample ? readingOf(setup) : undefined;

  describe(`connector conformance: ${def.id}`, () => {
    beforeAll(async () => {
      try {
        ({ sim, options } = await setup.start(org));
        snapshot = await takeSnapshot(make(), { now });
      } catch (e) {
        broken = e;
      }
    });
    afterAll(async () => {
      await sim?.close();
    });
    beforeEach((ctx) => {
      sim?.clearFaults();
      if (ctx.task.name.startsWith('is finished')) return;
      // Every later test fails with the same cause; the first one says everything that is unfinished.
      if (broken)
        throw new Error(
          `${def.id}: the conformance run could not start: ${String((broken as Error).message ?? broken)}`,
          { cause: broken },
        );
    });

    it('is finished: no TODO(new-connector) left, the simulator starts and the first read completes', async () => {
      const todo = setup.sourceDir ? await unfinishedParts(setup.sourceDir) : [];
      const parts = todo.map((t) => `  - ${t}`);
      if (!setup.sample)
        parts.push(
          '  - the registration has no `sample` (SampleReading): how the simulator renders the sample company (see docs/adding-a-connector.md)',
        );
      if (parts.length || broken) {
        const cause = broken ? `\nThe first run failed: ${String((broken as Error).message ?? broken)}` : '';
        throw new Error(`${def.id} is not finished; ${parts.length} part(s) left:\n${parts.join('\n')}${cause}`);
      }
    });

    it('declares an id, a name, an options schema and its secrets', () => {
      expect(def.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(def.name.length).toBeGreaterThan(0);
      for (const s of def.secrets) expect(Object.keys(def.options.shape)).toContain(s);
    });

    it('reads every person of the sample company, terminated people included, and nobody else', () => {
      expect(reading, 'the registration declares `sample`').toBeDefined();
      const check = checkSamplePeople(snapshot, org, reading!, { today, fields: [] });
      if (check.mismatches.length) throw new Error(formatMismatches(def.id, check));
      expect(snapshot.employees).toHaveLength(org.people.length);
      expect(snapshot.employees.filter((e) => e.employmentStatus === 'TERMINATED').length).toBeGreaterThan(0);
      expect(def.capabilities.includesTerminated).toBe(true);
    });

    // One test per field, person by person; a field the vendor cannot express is declared, and shown as n/a.
    for (const field of PERSON_FIELDS) {
      const na = setup.sample?.notApplicable?.[field];
      if (na) {
        it.skip(`every sample person: ${FIELD_TITLES[field]} (not applicable: ${na})`, () => {});
        continue;
      }
      it(`every sample person reads with the right ${FIELD_TITLES[field]}`, () => {
        expect(reading, 'the registration declares `sample`').toBeDefined();
        const check = checkSamplePeople(snapshot, org, reading!, { today, fields: [field] });
        // Missing people are reported once, by the test above.
        const wrong = { ...check, mismatches: check.mismatches.filter((m) => m.field === field) };
        if (wrong.mismatches.length) throw new Error(formatMismatches(def.id, wrong));
      });
    }

    it('every record validates against the model', () => {
      for (const e of snapshot.employees) expect(EmployeeSchema.safeParse(e).success).toBe(true);
      for (const g of snapshot.groups) expect(GroupSchema.safeParse(g).success).toBe(true);
      for (const l of snapshot.locations) expect(LocationSchema.safeParse(l).success).toBe(true);
    });

    it('ids are unique and stable across reads', async () => {
      const ids = snapshot.employees.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      const again = await takeSnapshot(make(), { now });
      expect(again.employees.map((e) => e.id)).toEqual(ids);
      expect(again.groups.map((g) => g.id)).toEqual(snapshot.groups.map((g) => g.id));
    });

    it('every managerId and groupId resolves, or is reported as a warning', () => {
      const ids = new Set(snapshot.employees.map((e) => e.id));
      const groups = new Set(snapshot.groups.map((g) => g.id));
      for (const e of snapshot.employees) {
        if (e.managerId && !ids.has(e.managerId)) expect(snapshot.warnings.join('\n')).toContain(`employee ${e.id}`);
        for (const g of e.groupIds) if (!groups.has(g)) expect(snapshot.warnings.join('\n')).toContain(`group ${g}`);
      }
      // The sample company has a manager for everyone but the CEO.
      expect(snapshot.employees.filter((e) => e.managerId === null)).toHaveLength(1);
    });

    it('a rejected credential is an auth error, not retried, with no secret in it', async () => {
      const before = sim.stats.requests;
      const bad = setup.badCredentials(options);
      const err = await takeSnapshot(factory({ ...bad, http: fast }), { now }).catch((e) => e);
      expect(err).toBeInstanceOf(OrgsyncError);
      expect(err.kind).toBe('auth');
      expect(sim.stats.requests - before).toBe(1);
      for (const s of def.secrets) {
        const v = bad[s];
        if (typeof v === 'string' && v.length >= 4) expect(errorText(err)).not.toContain(v);
      }
    });

    it(`${setup.paged ? 'paging walks past page one and stops' : 'reads employees in one request'}`, async () => {
      const before = sim.log.length;
      await takeSnapshot(make(), { now });
      const calls = sim.log
        .slice(before)
        .filter((l) =>
          typeof setup.employeesPath === 'string'
            ? l.path.includes(setup.employeesPath)
            : setup.employeesPath.test(l.path),
        );
      if (setup.paged) expect(calls.length).toBeGreaterThan(1);
      else expect(calls.length).toBe(1);
      expect(calls.length).toBeLessThan(50);
    });

    it('a page that keeps failing yields an incomplete error and no snapshot', async () => {
      sim.inject({
        match: setup.employeesPath,
        after: setup.paged ? 1 : 0,
        times: Infinity,
        fault: { type: 'status', status: 500 },
      });
      const err = await takeSnapshot(make(), { now }).catch((e) => e);
      expect(err).toBeInstanceOf(OrgsyncError);
      expect(err.kind).toBe('incomplete');
    });

    it('secrets never appear in errors or snapshots', async () => {
      const secrets = def.secrets
        .map((s) => options[s])
        .filter((v): v is string => typeof v === 'string' && v.length >= 4);
      expect(secrets.length).toBeGreaterThan(0);
      sim.inject({
        match: setup.employeesPath,
        times: Infinity,
        fault: {
          type: 'status',
          status: 400,
          body: JSON.stringify({
            error: { message: `echo ${secrets.join(' ')}` },
            errors: [{ message: `echo ${secrets.join(' ')}` }],
            detail: `echo ${secrets.join(' ')}`,
          }),
        },
      });
      const err = await takeSnapshot(make(), { now }).catch((e) => e);
      expect(err).toBeInstanceOf(OrgsyncError);
      for (const s of secrets) {
        expect(errorText(err)).not.toContain(s);
        expect(JSON.stringify(snapshot)).not.toContain(s);
      }
    });

    it('declared capabilities match behaviour', async () => {
      const c = make();
      if (def.capabilities.incremental) {
        expect(typeof c.readChanges).toBe('function');
        // Nothing changed after a moment from now: an incremental read returns a strict subset.
        const changes = await c.readChanges!(new Date(Date.now() + 60_000), { now });
        expect(changes.employees.length).toBeLessThan(snapshot.employees.length);
      } else {
        expect(c.readChanges).toBeUndefined();
      }
      if (def.capabilities.groups) expect(snapshot.groups.length).toBeGreaterThan(0);
      if (def.capabilities.locations) expect(snapshot.locations.length).toBeGreaterThan(0);
    });
  });
}
