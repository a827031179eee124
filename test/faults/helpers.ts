/**
 * Shared machinery of the fault-injection suite: the connectors under test (every entry of
 * `connectors/simulators.ts`), one running simulator + clean baseline per connector, a sync that
 * captures everything that can leave the SDK (error, snapshot, log lines, progress events), the
 * secrets to look for in all of it, and the checks every fault shares.
 */
import { expect } from 'vitest';
import { connectors } from '../../connectors/index.js';
import { simulators, type RunningSimulator, type VendorSimulator } from '../../connectors/simulators.js';
import type { ConnectorFactory } from '../../src/connector/define.js';
import { diffSnapshots } from '../../src/diff.js';
import { OrgsyncError, type ErrorKind } from '../../src/errors.js';
import type { HttpOptions } from '../../src/http/client.js';
import { OrgSnapshotSchema, type OrgSnapshot } from '../../src/model.js';
import { sampleOrg, type SampleOrg, type SamplePerson } from '../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { sync } from '../../src/sync.js';
import { errorText } from '../../src/testing/conformance.js';
import type { VendorShape } from './adapters.js';

export const TODAY = '2026-06-01';
export const NOW = new Date(`${TODAY}T12:00:00Z`);
export const SIZE = 120;

/** Fast retries, and a client budget that never throttles a test (the simulators do not either). */
export const FAST: HttpOptions = {
  retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
  rateLimit: { requests: 1000, intervalMs: 1000 },
};

export interface Target {
  id: string;
  factory: ConnectorFactory<any>;
  simulator: VendorSimulator;
}

/**
 * The connectors under test: every entry of the simulator registry, with its factory. A registered
 * connector without a simulator (or the reverse) is an error, never a silent skip.
 *
 * `ORGSYNC_FAULTS_PREVIEW=workday` also runs a connector that is not registered yet, from its own
 * folder (`connectors/<id>/index.ts` exporting `<id>`, `connectors/<id>/simulator.ts` exporting
 * `<id>Simulator`): a way to try the matrix on a connector before it is registered.
 */
export async function targets(): Promise<Target[]> {
  const out: Target[] = [];
  for (const id of Object.keys(connectors)) {
    if (!simulators[id])
      throw new Error(`connector '${id}' has no simulator in connectors/simulators.ts: the fault matrix cannot run it`);
  }
  for (const [id, simulator] of Object.entries(simulators)) {
    const factory = connectors[id];
    if (!factory) throw new Error(`simulator '${id}' has no connector in connectors/index.ts`);
    out.push({ id, factory, simulator });
  }
  for (const id of (process.env['ORGSYNC_FAULTS_PREVIEW'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (out.some((t) => t.id === id)) continue;
    const conn = (await import(`../../connectors/${id}/index.js`)) as Record<string, unknown>;
    const sim = (await import(`../../connectors/${id}/simulator.js`)) as Record<string, unknown>;
    out.push({ id, factory: conn[id] as ConnectorFactory<any>, simulator: sim[`${id}Simulator`] as VendorSimulator });
  }
  return out;
}

/** The sample company, and the same company with one person inserted at the front of every listing. */
export function org(): SampleOrg {
  return sampleOrg({ size: SIZE, today: TODAY });
}

export const INSERTED_EMAIL = 'wren.castellanos@acme.example';

export function withInsertedPerson(base: SampleOrg): SampleOrg {
  const template = base.people.find((p) => p.status === 'active' && p.managerKey === 1)!;
  const person: SamplePerson = {
    ...template,
    key: 0,
    employeeNumber: '1000',
    firstName: 'Wren',
    lastName: 'Castellanos',
    preferredName: null,
    workEmail: INSERTED_EMAIL,
    personalEmail: 'wren.c@mail.example',
    team: null,
    managerKey: 1,
    status: 'active',
    type: 'full_time',
    hireDate: '2026-05-01',
    terminationDate: null,
    terminationType: null,
    updatedAt: `${TODAY}T11:00:00Z`,
  };
  // At the front: vendors that list in creation order or by id shift every later record by one.
  return { ...base, people: [person, ...base.people] };
}

export interface Running {
  target: Target;
  running: RunningSimulator;
  baseline: OrgSnapshot;
  /** Every form of every secret that must never leave the SDK. */
  secrets: string[];
  /** The raw secret option values (for faults that echo them). */
  rawSecrets: string[];
  /** The outcome of the latest `attempt` (so a failing cell can still say what it observed). */
  last?: Outcome | undefined;
  /** Requests the clean baseline sync made (checks a declared one-request shape). */
  baselineRequests: number;
}

export async function start(target: Target): Promise<Running> {
  const running = await target.simulator.start(org());
  const before = running.sim.stats.requests;
  const baseline = await takeSnapshot(target.factory({ ...running.options, http: FAST }), { now: NOW });
  const baselineRequests = running.sim.stats.requests - before;
  const rawSecrets = target.factory.definition.secrets
    .map((k: string) => running.options[k])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4);
  if (rawSecrets.length === 0)
    throw new Error(`${target.id}: no secret option value found; the secret checks would be vacuous`);
  return { target, running, baseline, rawSecrets, secrets: secretForms(rawSecrets, running), baselineRequests };
}

/** The secret values, their common encodings, and the Authorization headers actually sent (Basic/Bearer forms). */
export function secretForms(values: string[], running: RunningSimulator): string[] {
  const forms = new Set<string>();
  for (const v of values) {
    forms.add(v);
    forms.add(encodeURIComponent(v));
    forms.add(Buffer.from(v).toString('base64'));
    forms.add(v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  }
  for (const entry of running.sim.log) {
    const auth = entry.headers['authorization'];
    if (auth) {
      forms.add(auth);
      forms.add(auth.replace(/^\S+\s+/, ''));
    }
  }
  return [...forms].filter((f) => f.length >= 4);
}

export interface Outcome {
  snapshot?: OrgSnapshot;
  error?: unknown;
  logs: string[];
  progress: string[];
  ms: number;
}

/**
 * A sync through the real pipeline, capturing everything that can leave the SDK: a full snapshot
 * (`takeSnapshot`), or with `incremental` an incremental `sync()` from the baseline.
 */
export async function attempt(
  r: Running,
  http: HttpOptions = {},
  extra: Record<string, unknown> = {},
  how: 'full' | 'incremental' = 'full',
): Promise<Outcome> {
  const logs: string[] = [];
  const progress: string[] = [];
  const log = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    void logs.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
  const connector = r.target.factory({
    ...r.running.options,
    ...extra,
    http: {
      ...FAST,
      ...http,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      onProgress: (e: unknown) => void progress.push(JSON.stringify(e)),
    },
  });
  const t0 = Date.now();
  try {
    const onProgress = (e: unknown) => void progress.push(JSON.stringify(e));
    const snapshot =
      how === 'full'
        ? await takeSnapshot(connector, { now: NOW, onProgress })
        : await sync(connector, { previous: r.baseline, now: NOW, onProgress }).then((res) => {
            if (res.mode !== 'incremental')
              throw new Error(`expected an incremental sync, got a ${res.mode} one (${res.reason ?? ''})`);
            return res.snapshot;
          });
    return (r.last = { snapshot, logs, progress, ms: Date.now() - t0 });
  } catch (error) {
    return (r.last = { error, logs, progress, ms: Date.now() - t0 });
  }
}

/** The snapshot without what legitimately differs between two reads of the same data. */
export function stable(s: OrgSnapshot): Omit<OrgSnapshot, 'takenAt' | 'watermark'> {
  const { takenAt: _t, watermark: _w, ...rest } = s;
  return rest;
}

export function describeOutcome(o: Outcome, r?: Running): string {
  if (o.snapshot) {
    const removals = r
      ? diffSnapshots(r.baseline, o.snapshot).filter((e) => e.type === 'TERMINATION' || e.type === 'REMOTE_DELETED')
          .length
      : 0;
    return `complete (${o.snapshot.employees.length} people${removals ? `, ${removals} TERMINATION/REMOTE_DELETED events` : ''})`;
  }
  if (o.error instanceof OrgsyncError) {
    const cause = (o.error as { cause?: unknown }).cause;
    const inner = cause instanceof OrgsyncError && cause.kind !== o.error.kind ? ` from ${cause.kind}` : '';
    return `${o.error.kind}${inner}${o.error.code ? ` (${o.error.code})` : ''}`;
  }
  return `untyped error: ${String((o.error as Error)?.message ?? o.error).slice(0, 120)}`;
}

/**
 * What every cell checks, whatever the fault: exactly one of snapshot or error; a snapshot is valid
 * and yields no TERMINATION / REMOTE_DELETED against the baseline; an error is a typed OrgsyncError
 * with an actionable message; no secret anywhere (error and cause chain, snapshot, logs, progress).
 */
export function checkCommon(r: Running, o: Outcome): void {
  expect(o.snapshot === undefined, 'exactly one of snapshot / error').not.toBe(o.error === undefined);
  if (o.snapshot) {
    expect(OrgSnapshotSchema.safeParse(o.snapshot).success, 'the snapshot validates').toBe(true);
    expect(o.snapshot.complete).toBe(true);
    const removals = diffSnapshots(r.baseline, o.snapshot).filter(
      (e) => e.kind === 'employee' && (e.type === 'TERMINATION' || e.type === 'REMOTE_DELETED'),
    );
    expect(
      removals.map((e) => `${e.type} ${e.kind === 'employee' ? e.employeeId : ''}`),
      'no TERMINATION / REMOTE_DELETED against the baseline',
    ).toEqual([]);
    const ids = o.snapshot.employees.map((e) => e.id);
    expect(new Set(ids).size, 'nobody twice').toBe(ids.length);
  } else {
    expect(o.error, `a typed OrgsyncError, got ${String(o.error)}`).toBeInstanceOf(OrgsyncError);
    checkActionable(r, o.error as OrgsyncError);
  }
  const texts: Array<[string, string]> = [
    ['error', o.error === undefined ? '' : errorText(o.error)],
    ['snapshot', o.snapshot ? JSON.stringify(o.snapshot) : ''],
    ['logs', o.logs.join('\n')],
    ['progress', o.progress.join('\n')],
  ];
  for (const [where, text] of texts) {
    for (const s of r.secrets)
      expect(text.includes(s), `a secret (${s.slice(0, 3)}…) leaked into the ${where}`).toBe(false);
  }
}

/** A message a user can act on: names the vendor, says what happened, no placeholder junk. */
export function checkActionable(r: Running, e: OrgsyncError): void {
  const vendorName = r.target.factory.definition.name.split(' ')[0]!;
  expect(e.message.length, 'a real sentence').toBeGreaterThan(30);
  expect(e.message, 'names the vendor').toContain(vendorName);
  expect(e.message).not.toMatch(/\[object Object\]|undefined|NaN/);
  expect(e.vendor ?? r.target.id).toBe(r.target.id);
}

export function expectError(o: Outcome, kinds: ErrorKind[], codes?: RegExp): OrgsyncError {
  expect(o.snapshot, 'no snapshot').toBeUndefined();
  expect(o.error).toBeInstanceOf(OrgsyncError);
  const e = o.error as OrgsyncError;
  expect(kinds, `error kind (${e.message})`).toContain(e.kind);
  if (codes)
    expect(String(e.code ?? (e.cause as OrgsyncError | undefined)?.code), `error code (${e.message})`).toMatch(codes);
  return e;
}

export function expectComplete(r: Running, o: Outcome): OrgSnapshot {
  if (!o.snapshot)
    throw new Error(
      `expected a complete snapshot, got ${describeOutcome(o)}: ${String((o.error as Error)?.message ?? o.error)}`,
    );
  return o.snapshot;
}

/**
 * Wait until the simulator has answered every request it received and no new one arrived for a
 * moment (at most `maxMs`): a delayed answer to a request the client gave up on, or a prefetched
 * page whose walk already failed, must not reach the next test's faults or request counts.
 */
export async function quiesce(r: Running, maxMs = 3000): Promise<void> {
  const sim = r.running.sim;
  const until = Date.now() + maxMs;
  let seen = -1;
  while (Date.now() < until) {
    if (sim.stats.requests === seen && sim.log.length >= sim.stats.requests) return;
    seen = sim.stats.requests;
    await new Promise((res) => setTimeout(res, 40));
  }
}

/** Requests whose path matches the connector's employee listing, since log index `from`. */
export function employeeCalls(r: Running, from: number): Array<{ status: number; path: string }> {
  const p = r.target.simulator.employeesPath;
  return r.running.sim.log.slice(from).filter((l) => (typeof p === 'string' ? l.path.includes(p) : p.test(l.path)));
}

// ---------------------------------------------------------------------------------------------
// The summary: one line per cell, a table, and `N passed, N failed`.

export type CellStatus = 'passed' | 'failed' | 'n/a';

export interface Cell {
  connector: string;
  fault: string;
  status: CellStatus;
  observed: string;
}

export const cells: Cell[] = [];

export function record(connector: string, fault: string, status: CellStatus, observed: string): void {
  cells.push({ connector, fault, status, observed });
}

export function matrixTable(connectorIds: string[], faults: string[]): string {
  const by = new Map(cells.map((c) => [`${c.connector}|${c.fault}`, c]));
  const mark = (c: Cell | undefined) =>
    !c ? '—' : c.status === 'n/a' ? `n/a: ${c.observed}` : `${c.status === 'passed' ? '✓' : '✗'} ${c.observed}`;
  const lines = [`| fault | ${connectorIds.join(' | ')} |`, `|---|${connectorIds.map(() => '---').join('|')}|`];
  for (const f of faults) lines.push(`| ${f} | ${connectorIds.map((id) => mark(by.get(`${id}|${f}`))).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * What does not hold of a vendor shape an adapter declares, given a clean sync (its request count
 * and snapshot): one line per false claim, empty when every claim holds.
 */
export function shapeProblems(
  shape: VendorShape,
  cleanRequests: number,
  clean: Pick<OrgSnapshot, 'employees'>,
): string[] {
  const out: string[] = [];
  if (shape.oneRequest && cleanRequests !== 1)
    out.push(`declared one request (${shape.oneRequest}), but a clean sync made ${cleanRequests}`);
  if (shape.noEmploymentType) {
    const typed = clean.employees.filter((e) => e.employmentType !== null || e.employmentTypeRaw !== null);
    if (typed.length)
      out.push(
        `declared no employment type (${shape.noEmploymentType}), but ${typed.length} people have one (${typed
          .slice(0, 3)
          .map((e) => e.id)
          .join(', ')}${typed.length > 3 ? ', ...' : ''})`,
      );
  }
  return out;
}
