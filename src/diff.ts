/**
 * Change detection between two complete org snapshots.
 *
 * `diffSnapshots(previous, current)` compares two snapshots of the same connector and company and
 * returns a deterministic list of {@link ChangeEvent}s (see `docs/change-events.md`):
 * lifecycle events (HIRE, REHIRE, TERMINATION, ...), field events (TITLE_CHANGE, MANAGER_CHANGE,
 * ...), identity changes (a person whose vendor id changed) and group events.
 *
 * The comparison is linear: employees are indexed by id in Maps and compared field by field;
 * unchanged employees allocate nothing and are never hashed.
 */
import { compiledEmployeeCheck } from './model-check.js';
import { createHash } from 'node:crypto';
import { labelChangeEvents } from './diff-labels.js';
import type {
  ChangeEvent,
  EmployeeChangeEvent,
  EmployeeChangeType,
  FieldChange,
  GroupChangeEvent,
  GroupChangeType,
} from './changes.js';
import { ConfigError, ValidationError } from './errors.js';
import { OrgSnapshotSchema, type Employee, type Group, type Location, type OrgSnapshot, type OrgSnapshotInput } from './model.js';

export interface DiffOptions {
  /**
   * "Today", which decides whether a `terminationDate` is still ahead (TERMINATION_SCHEDULED).
   * A `Date` (its UTC calendar day is used) or `YYYY-MM-DD`. Default: today in UTC.
   */
  now?: Date | string;
  /**
   * Validate both snapshots against `OrgSnapshotSchema` before diffing (default `true`). Turn it
   * off only for snapshots you just produced and validated yourself: `complete`, connector,
   * company and duplicate-id checks still run.
   */
  validate?: boolean;
  /**
   * Diff even when `current` was taken before `previous` (default `false`: a {@link SnapshotOrderError}).
   * Backwards, every termination reads as a REHIRE, every leave as a LEAVE_END and every hire as a
   * REMOTE_DELETED; pass `true` only to look at what changed "in reverse" on purpose.
   */
  allowOlder?: boolean;
}

/**
 * `diffSnapshots` was given a `current` snapshot taken before the `previous` one (the arguments are
 * probably swapped). A usage error (`kind: 'config'`, code `snapshots_out_of_order`); the CLI exits 2.
 */
export class SnapshotOrderError extends ConfigError {
  readonly previousTakenAt: string;
  readonly currentTakenAt: string;
  constructor(previousTakenAt: string, currentTakenAt: string) {
    super({
      code: 'snapshots_out_of_order',
      message:
        `diffSnapshots: the current snapshot (taken ${currentTakenAt}) is older than the previous one (taken ${previousTakenAt}); ` +
        'diffed backwards, terminations would read as REHIRE, leaves as LEAVE_END and hires as REMOTE_DELETED. ' +
        'Pass the older snapshot first, or allow it explicitly (allowOlder: true; CLI: --allow-older).',
    });
    this.name = 'SnapshotOrderError';
    this.previousTakenAt = previousTakenAt;
    this.currentTakenAt = currentTakenAt;
  }
}

/** Every change type, employee and group, in the order events are emitted for one subject. */
export const CHANGE_TYPE_ORDER = [
  'IDENTITY_CHANGE',
  'HIRE',
  'REHIRE',
  'LEAVE_END',
  'LEAVE_START',
  'TERMINATION',
  'TERMINATION_SCHEDULED',
  'EMAIL_CHANGE',
  'TITLE_CHANGE',
  'MANAGER_CHANGE',
  'GROUP_CHANGE',
  'LOCATION_CHANGE',
  'PROFILE_UPDATE',
  'REMOTE_DELETED',
  'GROUP_CREATED',
  'GROUP_RENAMED',
  'GROUP_REPARENTED',
  'GROUP_DELETED',
] as const satisfies readonly (EmployeeChangeType | GroupChangeType)[];

export type ChangeType = EmployeeChangeType | GroupChangeType;

const TYPE_RANK: Record<ChangeType, number> = Object.fromEntries(
  CHANGE_TYPE_ORDER.map((t, i) => [t, i]),
) as Record<ChangeType, number>;

// ---------------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------------

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function resolveToday(now: Date | string | undefined): string {
  if (now === undefined) return new Date().toISOString().slice(0, 10);
  if (now instanceof Date) {
    if (Number.isNaN(now.getTime())) throw new ConfigError({ message: 'diffSnapshots: options.now is an invalid Date', code: 'diff_now_invalid' });
    return now.toISOString().slice(0, 10);
  }
  if (typeof now === 'string' && ISO_DAY.test(now)) return now;
  throw new ConfigError({
    message: `diffSnapshots: options.now must be a Date or a YYYY-MM-DD string, got ${JSON.stringify(String(now)).slice(0, 40)}`,
    code: 'diff_now_invalid',
  });
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

// Fast validation. Zod parses ~100k employees in ~200 ms, most of the diff's budget. Employees are
// therefore checked by a validator compiled from `EmployeeSchema` itself (so it follows the model),
// covering only the schema constructs it understands (strings with length/regex checks, enums,
// nullable/optional, arrays of those, string-keyed records of unknown, unknown; `z.custom`
// predicates are asked through the field's own schema). If the schema uses anything else, the
// fast path is disabled. The compiled checks are never more permissive
// than zod: whenever an employee fails them, the whole snapshot goes through
// `OrgSnapshotSchema.safeParse`, which decides and produces the error messages.

const fastEmployeeCheck = compiledEmployeeCheck;

/** Validate with zod everything but the employees, and the employees with the compiled check; null = use zod for all. */
function fastValidate(input: Record<string, unknown>): OrgSnapshot | null {
  if (!fastEmployeeCheck) return null;
  const employees = input.employees;
  if (!Array.isArray(employees)) return null;
  for (let i = 0; i < employees.length; i++) if (!fastEmployeeCheck(employees[i])) return null;
  const rest = OrgSnapshotSchema.safeParse({ ...input, employees: [] });
  if (!rest.success) return null;
  return { ...rest.data, employees: employees as Employee[] };
}

/** @internal exposed for tests: whether the compiled employee validator is active. */
export const __fastEmployeeValidation = { enabled: fastEmployeeCheck !== null, check: fastEmployeeCheck };

function checkSnapshot(input: unknown, label: 'previous' | 'current', validate: boolean): OrgSnapshot {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError({ message: `diffSnapshots: the ${label} snapshot is not an object`, code: 'snapshot_invalid' });
  }
  if ((input as { complete?: unknown }).complete !== true) {
    throw new ValidationError({
      message: `diffSnapshots: the ${label} snapshot is not complete (complete !== true); only snapshots of completed syncs can be diffed, otherwise missing employees would look deleted`,
      code: 'snapshot_incomplete',
    });
  }
  let snap: OrgSnapshot;
  if (validate) {
    const fast = fastValidate(input as Record<string, unknown>);
    if (fast) return fast;
    const r = OrgSnapshotSchema.safeParse(input);
    if (!r.success) {
      const issues = r.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
      const shown = issues.slice(0, 5).join('; ');
      throw new ValidationError({
        message: `diffSnapshots: the ${label} snapshot does not match OrgSnapshotSchema (${issues.length} issue${issues.length === 1 ? '' : 's'}): ${shown}${issues.length > 5 ? '; …' : ''}`,
        code: 'snapshot_invalid',
        issues,
      });
    }
    snap = r.data;
  } else {
    snap = input as OrgSnapshot;
    if (!Array.isArray(snap.employees) || !Array.isArray(snap.groups) || !snap.company || typeof snap.company.id !== 'string') {
      throw new ValidationError({ message: `diffSnapshots: the ${label} snapshot is missing employees, groups or company.id`, code: 'snapshot_invalid' });
    }
  }
  return snap;
}

function duplicateId(label: string, what: string, id: string): ValidationError {
  return new ValidationError({
    message: `diffSnapshots: the ${label} snapshot has two ${what} with id ${JSON.stringify(id)}`,
    code: 'snapshot_duplicate_id',
    issues: [`${what}: duplicate id ${JSON.stringify(id)}`],
  });
}

function indexById<T extends { id: string }>(items: readonly T[], what: string, label: string): Map<string, T> {
  const m = new Map<string, T>();
  for (const item of items) {
    if (m.has(item.id)) throw duplicateId(label, what, item.id);
    m.set(item.id, item);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------------------------

/** Structural equality for JSON-like values (custom fields). Iterative: deep values cannot overflow the stack. */
export function deepEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    if (Array.isArray(y)) return false;
    if (x instanceof Date || y instanceof Date) {
      if (!(x instanceof Date && y instanceof Date) || x.getTime() !== y.getTime()) return false;
      continue;
    }
    const xk = Object.keys(x);
    const yo = y as Record<string, unknown>;
    if (xk.length !== Object.keys(yo).length) return false;
    const xo = x as Record<string, unknown>;
    for (const k of xk) {
      if (!Object.prototype.hasOwnProperty.call(yo, k)) return false;
      stack.push([xo[k], yo[k]]);
    }
  }
  return true;
}

/** JSON with sorted object keys, so equal values always serialize identically (used for event ids). */
export function stableStringify(value: unknown, depth = 0): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
    return JSON.stringify(value) ?? 'null';
  }
  if (depth > 256) return '"[too deep]"';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v, depth + 1)).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k], depth + 1)}`).join(',')}}`;
}

function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort(compareStrings);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameCustomFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (!Object.prototype.hasOwnProperty.call(a, k)) continue;
    n++;
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    const x = a[k];
    const y = b[k];
    if (x !== y && (typeof x !== 'object' || typeof y !== 'object' || !deepEqual(x, y))) return false;
  }
  for (const k in b) if (Object.prototype.hasOwnProperty.call(b, k)) n--;
  return n === 0;
}

/** Group membership compared as a set (order and duplicates do not matter). */
function sameGroupSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { same = false; break; }
    if (same) return true;
  }
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size !== sb.size) return false;
  for (const x of sa) if (!sb.has(x)) return false;
  return true;
}

function eventId(parts: { type: ChangeType; subject: string; previousId?: string | undefined; changes: readonly FieldChange[] }): string {
  const h = createHash('sha256');
  h.update(parts.type);
  h.update('\u0000');
  h.update(parts.subject);
  h.update('\u0000');
  h.update(parts.previousId ?? '');
  h.update('\u0000');
  for (const c of parts.changes) {
    h.update(c.field);
    h.update('\u0001');
    h.update(stableStringify(c.before));
    h.update('\u0001');
    h.update(stableStringify(c.after));
    h.update('\u0002');
  }
  return h.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Employee comparison
// ---------------------------------------------------------------------------------------------

/** Scalar fields compared with `===`, in the order their changes are listed. */
const SCALAR_FIELDS = [
  'employeeNumber',
  'firstName',
  'lastName',
  'preferredName',
  'displayName',
  'workEmail',
  'personalEmail',
  'jobTitle',
  'managerId',
  'locationId',
  'employmentStatus',
  'employmentType',
  'startDate',
  'terminationDate',
] as const satisfies readonly (keyof Employee)[];

/**
 * The field-level differences between two versions of one employee, or `null` when they are
 * equal for diffing purposes (`remoteData`, `updatedAt` are ignored; raw status/type values only
 * count when the normalized value changed). Allocates nothing for unchanged employees.
 */
function fieldChanges(p: Employee, c: Employee): FieldChange[] | null {
  // Fast path: explicit property reads (monomorphic, no allocation) for the common unchanged case.
  if (
    p.employeeNumber === c.employeeNumber &&
    p.firstName === c.firstName &&
    p.lastName === c.lastName &&
    p.preferredName === c.preferredName &&
    p.displayName === c.displayName &&
    p.workEmail === c.workEmail &&
    p.personalEmail === c.personalEmail &&
    p.jobTitle === c.jobTitle &&
    p.managerId === c.managerId &&
    p.locationId === c.locationId &&
    p.employmentStatus === c.employmentStatus &&
    p.employmentType === c.employmentType &&
    p.startDate === c.startDate &&
    p.terminationDate === c.terminationDate &&
    sameGroupSet(p.groupIds, c.groupIds) &&
    sameCustomFields(p.customFields, c.customFields)
  ) {
    return null;
  }
  let out: FieldChange[] | null = null;
  for (const f of SCALAR_FIELDS) {
    const before = p[f] ?? null;
    const after = c[f] ?? null;
    if (before !== after) {
      (out ??= []).push({ field: f, before, after });
      if (f === 'employmentStatus' && (p.employmentStatusRaw ?? null) !== (c.employmentStatusRaw ?? null)) {
        out.push({ field: 'employmentStatusRaw', before: p.employmentStatusRaw ?? null, after: c.employmentStatusRaw ?? null });
      } else if (f === 'employmentType' && (p.employmentTypeRaw ?? null) !== (c.employmentTypeRaw ?? null)) {
        out.push({ field: 'employmentTypeRaw', before: p.employmentTypeRaw ?? null, after: c.employmentTypeRaw ?? null });
      }
    }
  }
  if (!sameGroupSet(p.groupIds, c.groupIds)) {
    (out ??= []).push({ field: 'groupIds', before: sortedUnique(p.groupIds), after: sortedUnique(c.groupIds) });
  }
  const pc = p.customFields;
  const cc = c.customFields;
  if (pc !== cc) {
    let keys: string[] | null = null;
    for (const k in pc) {
      if (!Object.prototype.hasOwnProperty.call(pc, k)) continue;
      const has = Object.prototype.hasOwnProperty.call(cc, k);
      if (!has || !deepEqual(pc[k], cc[k])) (keys ??= []).push(k);
    }
    for (const k in cc) {
      if (!Object.prototype.hasOwnProperty.call(cc, k)) continue;
      if (!Object.prototype.hasOwnProperty.call(pc, k)) (keys ??= []).push(k);
    }
    if (keys) {
      keys.sort(compareStrings);
      for (const k of keys) {
        const before = Object.prototype.hasOwnProperty.call(pc, k) ? pc[k] : null;
        const after = Object.prototype.hasOwnProperty.call(cc, k) ? cc[k] : null;
        (out ??= []).push({ field: `customFields.${k}`, before: before ?? null, after: after ?? null });
      }
    }
  }
  return out;
}

/** Which employee event a changed field belongs to (statuses and dates are decided by the caller). */
const FIELD_EVENT: Partial<Record<string, EmployeeChangeType>> = {
  managerId: 'MANAGER_CHANGE',
  jobTitle: 'TITLE_CHANGE',
  groupIds: 'GROUP_CHANGE',
  locationId: 'LOCATION_CHANGE',
  workEmail: 'EMAIL_CHANGE',
};

type Lifecycle = 'TERMINATION' | 'REHIRE' | 'LEAVE_START' | 'LEAVE_END' | null;

function lifecycleOf(before: Employee['employmentStatus'], after: Employee['employmentStatus']): Lifecycle {
  if (before === after) return null;
  // UNKNOWN is neither active nor terminated: moving into or out of it is only a profile update.
  if (before === 'UNKNOWN' || after === 'UNKNOWN') return null;
  if (after === 'TERMINATED') return 'TERMINATION';
  if (before === 'TERMINATED') return 'REHIRE';
  if (after === 'LEAVE') return 'LEAVE_START';
  if (before === 'LEAVE') return 'LEAVE_END';
  return null; // ACTIVE <-> PENDING
}

function isScheduledTermination(e: Employee, today: string): boolean {
  return e.employmentStatus !== 'TERMINATED' && e.terminationDate !== null && e.terminationDate >= today;
}

interface DraftEvent {
  type: EmployeeChangeType;
  changes: FieldChange[];
}

/** Fields that belong to the lifecycle event itself. */
const LIFECYCLE_FIELDS = new Set(['employmentStatus', 'employmentStatusRaw', 'terminationDate', 'startDate']);

/** No value: null, an empty string, an empty list. */
function isAbsent(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

/**
 * A field the vendor stops sending (a value becomes absent) or starts sending again (absent becomes
 * a value) in the same change as a lifecycle status change: BambooHR, for one, overwrites the
 * employment type with "Terminated" or "Leave of Absence". That is part of the status change, not a
 * profile change of its own (docs/change-events.md, "Fields that come and go with a status").
 */
function comesAndGoesWithStatus(ch: FieldChange): boolean {
  return !LIFECYCLE_FIELDS.has(ch.field) && isAbsent(ch.before) !== isAbsent(ch.after);
}

/**
 * `current` with the fields the vendor stopped sending along with a lifecycle status change (see
 * `diffSnapshots`) filled in from `previous`: what orgsync last knew of them. Provisioning plans
 * use it so that going on leave (or leaving) never clears an attribute or revokes what depends on
 * it. Returns `current` itself when nothing was dropped.
 */
export function withFieldsKeptAcrossStatus(previous: Employee, current: Employee): Employee {
  if (!lifecycleOf(previous.employmentStatus, current.employmentStatus)) return current;
  let out: Employee | null = null;
  for (const f of SCALAR_FIELDS) {
    if (LIFECYCLE_FIELDS.has(f) || isAbsent(previous[f]) || !isAbsent(current[f])) continue;
    out ??= { ...current };
    (out as Record<string, unknown>)[f] = previous[f];
    if (f === 'employmentType') out.employmentTypeRaw = previous.employmentTypeRaw;
  }
  if (previous.groupIds.length && !current.groupIds.length) (out ??= { ...current }).groupIds = previous.groupIds;
  for (const k of Object.keys(previous.customFields)) {
    if (isAbsent(previous.customFields[k]) || !isAbsent(current.customFields[k])) continue;
    out ??= { ...current };
    if (out.customFields === current.customFields) out.customFields = { ...current.customFields };
    out.customFields[k] = previous.customFields[k];
  }
  return out ?? current;
}

/** Split the field changes of one employee into typed events, each with only its own fields. */
function classify(p: Employee, c: Employee, changes: FieldChange[], today: string): DraftEvent[] {
  const lifecycle = lifecycleOf(p.employmentStatus, c.employmentStatus);
  let typeWithStatus = false;
  const scheduled = c.terminationDate !== p.terminationDate && isScheduledTermination(c, today);
  const buckets = new Map<EmployeeChangeType, FieldChange[]>();
  const put = (t: EmployeeChangeType, ch: FieldChange) => {
    const list = buckets.get(t);
    if (list) list.push(ch);
    else buckets.set(t, [ch]);
  };
  for (const ch of changes) {
    const f = ch.field;
    let t: EmployeeChangeType;
    if (f === 'employmentStatus' || f === 'employmentStatusRaw') t = lifecycle ?? 'PROFILE_UPDATE';
    else if (f === 'terminationDate') {
      t = scheduled ? 'TERMINATION_SCHEDULED' : lifecycle === 'TERMINATION' || lifecycle === 'REHIRE' ? lifecycle : 'PROFILE_UPDATE';
    } else if (f === 'startDate') t = lifecycle === 'REHIRE' ? 'REHIRE' : 'PROFILE_UPDATE';
    else if (lifecycle && (comesAndGoesWithStatus(ch) || (f === 'employmentTypeRaw' && typeWithStatus))) {
      // Dropped (or sent again) with the status: listed in the status event, not an event of its own.
      t = lifecycle;
      if (f === 'employmentType') typeWithStatus = true;
    } else t = FIELD_EVENT[f] ?? 'PROFILE_UPDATE';
    put(t, ch);
  }
  const out: DraftEvent[] = [];
  for (const [type, list] of buckets) out.push({ type, changes: list });
  return out;
}

function effectiveDateFor(type: EmployeeChangeType, e: Employee): string | null | undefined {
  switch (type) {
    case 'HIRE':
    case 'REHIRE':
      return e.startDate;
    case 'TERMINATION':
    case 'TERMINATION_SCHEDULED':
      return e.terminationDate;
    default:
      return undefined;
  }
}

function employeeEvent(
  type: EmployeeChangeType,
  employee: Employee,
  previous: Employee | undefined,
  changes: FieldChange[],
  extra?: { previousEmployeeId?: string; matchedOn?: string },
): EmployeeChangeEvent {
  const ev: EmployeeChangeEvent = {
    id: eventId({ type, subject: employee.id, previousId: extra?.previousEmployeeId, changes }),
    kind: 'employee',
    type,
    employeeId: employee.id,
    employee,
    changes,
  };
  if (previous) ev.previous = previous;
  if (extra?.previousEmployeeId !== undefined) ev.previousEmployeeId = extra.previousEmployeeId;
  if (extra?.matchedOn !== undefined) ev.matchedOn = extra.matchedOn;
  const eff = effectiveDateFor(type, employee);
  if (eff !== undefined) ev.effectiveDate = eff;
  return ev;
}

function compareEmployees(p: Employee, c: Employee, today: string, out: EmployeeChangeEvent[]): void {
  const changes = fieldChanges(p, c);
  if (!changes) return;
  for (const d of classify(p, c, changes, today)) out.push(employeeEvent(d.type, c, p, d.changes));
}

function newEmployeeEvents(c: Employee, today: string, out: EmployeeChangeEvent[]): void {
  const s = c.employmentStatus;
  if (s === 'TERMINATED') return; // already gone: nothing to provision
  if (s === 'UNKNOWN') {
    // Never a HIRE: surfaced as a profile update so the record is not silently ignored.
    out.push(employeeEvent('PROFILE_UPDATE', c, undefined, [{ field: 'employmentStatus', before: null, after: 'UNKNOWN' }]));
  } else {
    out.push(
      employeeEvent('HIRE', c, undefined, [
        { field: 'employmentStatus', before: null, after: s },
        { field: 'startDate', before: null, after: c.startDate },
      ]),
    );
  }
  if (isScheduledTermination(c, today)) {
    out.push(employeeEvent('TERMINATION_SCHEDULED', c, undefined, [{ field: 'terminationDate', before: null, after: c.terminationDate }]));
  }
}

// ---------------------------------------------------------------------------------------------
// Identity changes
// ---------------------------------------------------------------------------------------------

function normNumber(e: Employee): string | null {
  const v = e.employeeNumber?.trim();
  return v ? v : null;
}

function normEmail(e: Employee): string | null {
  const v = e.workEmail?.trim().toLowerCase();
  return v ? v : null;
}

function addTo(m: Map<string, Employee[]>, k: string | null, e: Employee): void {
  if (k === null) return;
  const l = m.get(k);
  if (l) l.push(e);
  else m.set(k, [e]);
}

function candidates(e: Employee, byNumber: Map<string, Employee[]>, byEmail: Map<string, Employee[]>): Set<Employee> {
  const s = new Set<Employee>();
  const n = normNumber(e);
  const m = normEmail(e);
  if (n !== null) for (const x of byNumber.get(n) ?? []) s.add(x);
  if (m !== null) for (const x of byEmail.get(m) ?? []) s.add(x);
  return s;
}

interface IdentityMatch {
  removed: Employee;
  added: Employee;
  matchedOn: 'employeeNumber' | 'workEmail';
}

/** Pair removed and added records that match each other and nobody else (1:1). */
function matchIdentities(removed: Employee[], added: Employee[]): IdentityMatch[] {
  if (removed.length === 0 || added.length === 0) return [];
  const rNum = new Map<string, Employee[]>();
  const rMail = new Map<string, Employee[]>();
  for (const r of removed) {
    addTo(rNum, normNumber(r), r);
    addTo(rMail, normEmail(r), r);
  }
  const aNum = new Map<string, Employee[]>();
  const aMail = new Map<string, Employee[]>();
  for (const a of added) {
    addTo(aNum, normNumber(a), a);
    addTo(aMail, normEmail(a), a);
  }
  const out: IdentityMatch[] = [];
  for (const a of added) {
    const fwd = candidates(a, rNum, rMail);
    if (fwd.size !== 1) continue;
    const r = fwd.values().next().value as Employee;
    const back = candidates(r, aNum, aMail);
    if (back.size !== 1 || !back.has(a)) continue;
    const n = normNumber(a);
    out.push({ removed: r, added: a, matchedOn: n !== null && n === normNumber(r) ? 'employeeNumber' : 'workEmail' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

function groupEvent(type: GroupChangeType, group: Group, previous: Group | undefined, changes: FieldChange[]): GroupChangeEvent {
  const ev: GroupChangeEvent = {
    id: eventId({ type, subject: `group:${group.id}`, changes }),
    kind: 'group',
    type,
    groupId: group.id,
    group,
    changes,
  };
  if (previous) ev.previous = previous;
  return ev;
}

function diffGroups(prev: Map<string, Group>, cur: Map<string, Group>, early: GroupChangeEvent[], late: GroupChangeEvent[]): void {
  for (const [id, g] of cur) {
    const p = prev.get(id);
    if (!p) {
      early.push(
        groupEvent('GROUP_CREATED', g, undefined, [
          { field: 'name', before: null, after: g.name },
          { field: 'type', before: null, after: g.type },
          { field: 'parentId', before: null, after: g.parentId },
        ]),
      );
      continue;
    }
    if (p.name !== g.name) early.push(groupEvent('GROUP_RENAMED', g, p, [{ field: 'name', before: p.name, after: g.name }]));
    if ((p.parentId ?? null) !== (g.parentId ?? null)) {
      early.push(groupEvent('GROUP_REPARENTED', g, p, [{ field: 'parentId', before: p.parentId ?? null, after: g.parentId ?? null }]));
    }
  }
  for (const [id, p] of prev) {
    if (!cur.has(id)) late.push(groupEvent('GROUP_DELETED', p, p, []));
  }
}

function byGroupThenType(a: GroupChangeEvent, b: GroupChangeEvent): number {
  return compareStrings(a.groupId, b.groupId) || TYPE_RANK[a.type] - TYPE_RANK[b.type];
}

// ---------------------------------------------------------------------------------------------
// diffSnapshots
// ---------------------------------------------------------------------------------------------

/**
 * Compare two complete snapshots of the same connector and company.
 *
 * Order of the result: group creations/renames/reparentings (by group id), then employee events
 * (by employee id, then {@link CHANGE_TYPE_ORDER}), then group deletions (by group id).
 *
 * @throws ValidationError a snapshot is not `complete: true`, fails `OrgSnapshotSchema`, or has duplicate ids
 * @throws ConfigError the snapshots are of different connectors or companies, or `options.now` is invalid
 * @throws SnapshotOrderError `current` was taken before `previous` (unless `options.allowOlder`)
 */
export function diffSnapshots(previous: OrgSnapshot | OrgSnapshotInput, current: OrgSnapshot | OrgSnapshotInput, options: DiffOptions = {}): ChangeEvent[] {
  const today = resolveToday(options.now);
  const validate = options.validate ?? true;
  const prev = checkSnapshot(previous, 'previous', validate);
  const cur = checkSnapshot(current, 'current', validate);

  if (prev.connector !== cur.connector) {
    throw new ConfigError({
      message: `diffSnapshots: cannot diff snapshots of different connectors (${JSON.stringify(prev.connector)} vs ${JSON.stringify(cur.connector)})`,
      code: 'diff_connector_mismatch',
    });
  }
  if (prev.company.id !== cur.company.id) {
    throw new ConfigError({
      message: `diffSnapshots: cannot diff snapshots of different companies (${JSON.stringify(prev.company.id)} vs ${JSON.stringify(cur.company.id)})`,
      code: 'diff_company_mismatch',
    });
  }
  if (options.allowOlder !== true) {
    const [p, c] = [Date.parse(prev.takenAt), Date.parse(cur.takenAt)];
    if (c < p) throw new SnapshotOrderError(prev.takenAt, cur.takenAt);
  }

  // One Map (previous id -> position) plus a "seen" bitmap: finds kept, added and removed
  // employees and duplicate ids in either snapshot without a second Map of 100k entries.
  const prevList = prev.employees;
  const prevIndex = new Map<string, number>();
  for (let i = 0; i < prevList.length; i++) {
    const id = prevList[i]!.id;
    if (prevIndex.has(id)) throw duplicateId('previous', 'employees', id);
    prevIndex.set(id, i);
  }
  const seen = new Uint8Array(prevList.length);
  const prevGroups = indexById(prev.groups, 'groups', 'previous');
  const curGroups = indexById(cur.groups, 'groups', 'current');

  const events: EmployeeChangeEvent[] = [];
  const added: Employee[] = [];
  let addedIds: Set<string> | null = null;
  for (const c of cur.employees) {
    const i = prevIndex.get(c.id);
    if (i !== undefined) {
      if (seen[i]) throw duplicateId('current', 'employees', c.id);
      seen[i] = 1;
      compareEmployees(prevList[i]!, c, today, events);
    } else {
      addedIds ??= new Set();
      if (addedIds.has(c.id)) throw duplicateId('current', 'employees', c.id);
      addedIds.add(c.id);
      added.push(c);
    }
  }
  const removed: Employee[] = [];
  if (cur.employees.length - added.length < prevList.length) {
    for (let i = 0; i < prevList.length; i++) if (!seen[i]) removed.push(prevList[i]!);
  }

  const matches = matchIdentities(removed, added);
  const matchedAdded = new Set<Employee>();
  const matchedRemoved = new Set<Employee>();
  for (const m of matches) {
    matchedAdded.add(m.added);
    matchedRemoved.add(m.removed);
    events.push(
      employeeEvent('IDENTITY_CHANGE', m.added, m.removed, [{ field: 'id', before: m.removed.id, after: m.added.id }], {
        previousEmployeeId: m.removed.id,
        matchedOn: m.matchedOn,
      }),
    );
    compareEmployees(m.removed, m.added, today, events);
  }
  for (const a of added) if (!matchedAdded.has(a)) newEmployeeEvents(a, today, events);
  for (const r of removed) {
    if (!matchedRemoved.has(r)) events.push(employeeEvent('REMOTE_DELETED', r, r, []));
  }

  events.sort((a, b) => compareStrings(a.employeeId, b.employeeId) || TYPE_RANK[a.type] - TYPE_RANK[b.type]);

  const early: GroupChangeEvent[] = [];
  const late: GroupChangeEvent[] = [];
  diffGroups(prevGroups, curGroups, early, late);
  early.sort(byGroupThenType);
  late.sort(byGroupThenType);

  const all: ChangeEvent[] = [...early, ...events, ...late];
  labelChangeEvents(all, prev, cur);
  return all;
}

// ---------------------------------------------------------------------------------------------
// Summaries and text output
// ---------------------------------------------------------------------------------------------

/** Number of events per change type; every type is present (0 when absent). */
export function summarizeChanges(events: readonly ChangeEvent[]): Record<ChangeType, number> {
  const out = Object.fromEntries(CHANGE_TYPE_ORDER.map((t) => [t, 0])) as Record<ChangeType, number>;
  for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
}

export interface FormatChangesOptions {
  /** Groups used to show group names instead of ids (pass the current snapshot, which has them). */
  groups?: readonly Pick<Group, 'id' | 'name' | 'type'>[];
  /** Locations used to show location names instead of ids. */
  locations?: readonly Pick<Location, 'id' | 'name'>[];
}

/** Make any text safe for a one-line listing: control characters are escaped, never printed. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function quote(s: string): string {
  return `'${oneLine(s).replace(/'/g, "\\'")}'`;
}

function personName(e: Employee): string {
  const n = e.displayName?.trim() || [e.firstName, e.lastName].filter(Boolean).join(' ').trim();
  return oneLine(n || '(no name)');
}

/**
 * A human-readable listing, one line per event, e.g.
 * `HIRE  Jane Doe (id 42) — Engineer, Engineering, starts 2026-12-01` or
 * `TITLE_CHANGE  Jane Doe (id 42) — jobTitle: 'A' → 'B'`.
 */
export function formatChangesText(events: readonly ChangeEvent[], options: FormatChangesOptions = {}): string {
  if (events.length === 0) return 'No changes.\n';
  const groupNames = new Map<string, string>();
  const departments = new Set<string>();
  for (const g of options.groups ?? []) {
    groupNames.set(g.id, g.name);
    if (g.type === 'DEPARTMENT') departments.add(g.id);
  }
  // Group events carry their group: use their names when no snapshot is given.
  for (const e of events) if (e.kind === 'group' && !groupNames.has(e.groupId)) groupNames.set(e.groupId, e.group.name);
  const locationNames = new Map<string, string>();
  for (const l of options.locations ?? []) locationNames.set(l.id, l.name);

  const groupLabel = (id: string) => {
    const n = groupNames.get(id);
    return n === undefined ? quote(id) : quote(n);
  };
  const value = (field: string, v: unknown, label?: string | string[]): string => {
    if (v === null || v === undefined) return '(none)';
    if (field === 'managerId') return typeof label === 'string' ? oneLine(label) : `id ${oneLine(String(v))}`;
    if (field === 'groupIds' && Array.isArray(label) && !options.groups?.length) return `[${label.map((x) => quote(x)).join(', ')}]`;
    if (field === 'locationId' && typeof label === 'string' && !locationNames.has(String(v))) return `${quote(label)} (${oneLine(String(v))})`;
    if (field === 'groupIds' && Array.isArray(v)) return `[${v.map((x) => groupLabel(String(x))).join(', ')}]`;
    if (field === 'locationId' && typeof v === 'string') {
      const n = locationNames.get(v);
      return n === undefined ? quote(v) : `${quote(n)} (${oneLine(v)})`;
    }
    if (typeof v === 'string') return quote(v);
    if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? quote(x) : oneLine(stableStringify(x)))).join(', ')}]`;
    return oneLine(stableStringify(v));
  };
  const changeList = (changes: readonly FieldChange[]) =>
    changes.map((c) => `${c.field === 'managerId' ? 'manager' : oneLine(c.field)}: ${value(c.field, c.before, c.beforeLabel)} → ${value(c.field, c.after, c.afterLabel)}`).join('; ');

  const lines: string[] = [];
  for (const e of events) {
    if (e.kind === 'group') {
      const head = `${e.type}  group ${quote(e.group.name)} (id ${oneLine(e.groupId)})`;
      lines.push(e.type === 'GROUP_DELETED' ? head : `${head} — ${changeList(e.changes)}`);
      continue;
    }
    const emp = e.employee;
    const head = `${e.type}  ${personName(emp)} (id ${oneLine(e.employeeId)})`;
    let detail: string;
    switch (e.type) {
      case 'HIRE': {
        const dept = emp.groupIds.find((g) => departments.has(g)) ?? emp.groupIds[0];
        const parts = [
          emp.jobTitle ? oneLine(emp.jobTitle) : null,
          dept !== undefined ? oneLine(groupNames.get(dept) ?? dept) : null,
          emp.startDate ? `starts ${emp.startDate}` : null,
          emp.employmentStatus === 'ACTIVE' ? null : `status ${emp.employmentStatus}`,
        ].filter((x): x is string => x !== null);
        detail = parts.join(', ');
        break;
      }
      case 'TERMINATION':
        detail = [emp.terminationDate ? `effective ${emp.terminationDate}` : null, changeList(e.changes)].filter(Boolean).join('; ');
        break;
      case 'TERMINATION_SCHEDULED':
        detail = `last day ${emp.terminationDate ?? '(none)'}`;
        break;
      case 'REHIRE':
        detail = [emp.startDate ? `starts ${emp.startDate}` : null, changeList(e.changes)].filter(Boolean).join('; ');
        break;
      case 'IDENTITY_CHANGE':
        detail = `was id ${oneLine(e.previousEmployeeId ?? '?')}, matched on ${oneLine(e.matchedOn ?? '?')}`;
        break;
      case 'REMOTE_DELETED':
        detail = 'no longer in the HR system (deleted at the source, not a termination)';
        break;
      default:
        detail = changeList(e.changes);
    }
    lines.push(detail ? `${head} — ${detail}` : head);
  }
  return `${lines.join('\n')}\n`;
}
