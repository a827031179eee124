/**
 * Employee events: field changes, lifecycle classification, fields that come and go with a status change.
 */
import type { EmployeeChangeEvent, EmployeeChangeType, FieldChange } from '../changes.js';
import type { Employee } from '../model.js';
import { compareStrings, deepEqual, eventId, sameCustomFields, sameGroupSet, sortedUnique } from './compare.js';

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
        out.push({
          field: 'employmentStatusRaw',
          before: p.employmentStatusRaw ?? null,
          after: c.employmentStatusRaw ?? null,
        });
      } else if (f === 'employmentType' && (p.employmentTypeRaw ?? null) !== (c.employmentTypeRaw ?? null)) {
        out.push({
          field: 'employmentTypeRaw',
          before: p.employmentTypeRaw ?? null,
          after: c.employmentTypeRaw ?? null,
        });
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
      t = scheduled
        ? 'TERMINATION_SCHEDULED'
        : lifecycle === 'TERMINATION' || lifecycle === 'REHIRE'
          ? lifecycle
          : 'PROFILE_UPDATE';
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

export function employeeEvent(
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

export function compareEmployees(p: Employee, c: Employee, today: string, out: EmployeeChangeEvent[]): void {
  const changes = fieldChanges(p, c);
  if (!changes) return;
  for (const d of classify(p, c, changes, today)) out.push(employeeEvent(d.type, c, p, d.changes));
}

export function newEmployeeEvents(c: Employee, today: string, out: EmployeeChangeEvent[]): void {
  const s = c.employmentStatus;
  if (s === 'TERMINATED') return; // already gone: nothing to provision
  if (s === 'UNKNOWN') {
    // Never a HIRE: surfaced as a profile update so the record is not silently ignored.
    out.push(
      employeeEvent('PROFILE_UPDATE', c, undefined, [{ field: 'employmentStatus', before: null, after: 'UNKNOWN' }]),
    );
  } else {
    out.push(
      employeeEvent('HIRE', c, undefined, [
        { field: 'employmentStatus', before: null, after: s },
        { field: 'startDate', before: null, after: c.startDate },
      ]),
    );
  }
  if (isScheduledTermination(c, today)) {
    out.push(
      employeeEvent('TERMINATION_SCHEDULED', c, undefined, [
        { field: 'terminationDate', before: null, after: c.terminationDate },
      ]),
    );
  }
}
