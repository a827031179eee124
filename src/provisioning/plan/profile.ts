/**
 * The user profile an app account is given, and which of its fields changed.
 */
import type { FieldChange } from '../../changes.js';
import type { Employee } from '../../model.js';
import type { RuleContext } from '../rules.js';
import type { UserProfile, UserRef } from '../types.js';
import { canonicalJson, cmp } from '../util.js';

export function userProfile(e: Employee, ctx: RuleContext): UserProfile {
  const groups = e.groupIds.map((id) => ({ id, g: ctx.groupsById.get(id) }));
  const dept = groups.find((x) => x.g?.type === 'DEPARTMENT')?.g?.name ?? null;
  const manager = e.managerId ? ctx.employeesById.get(e.managerId) : undefined;
  return {
    employeeId: e.id,
    employeeNumber: e.employeeNumber,
    email: e.workEmail,
    personalEmail: e.personalEmail,
    firstName: e.firstName,
    lastName: e.lastName,
    displayName: e.displayName,
    title: e.jobTitle,
    managerId: e.managerId,
    managerEmail: manager?.workEmail ?? null,
    department: dept,
    groups: groups.map((x) => x.g?.name ?? x.id).sort(cmp),
    location: e.locationId ? (ctx.locationsById.get(e.locationId)?.name ?? e.locationId) : null,
    employmentType: e.employmentType,
    startDate: e.startDate,
  };
}

const PROFILE_FIELDS: Array<keyof UserProfile> = [
  'employeeNumber',
  'email',
  'personalEmail',
  'firstName',
  'lastName',
  'displayName',
  'title',
  'managerId',
  'managerEmail',
  'department',
  'groups',
  'location',
  'employmentType',
  'startDate',
];

export function profileChanges(before: UserProfile, after: UserProfile): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of PROFILE_FIELDS) {
    if (!sameJson(before[f], after[f])) out.push({ field: f, before: before[f], after: after[f] });
  }
  return out;
}

/** `canonicalJson(a) === canonicalJson(b)`, without serializing scalars and flat arrays (the common case). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return canonicalJson(a) === canonicalJson(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  return canonicalJson(a) === canonicalJson(b);
}

export function userRef(e: Employee): UserRef {
  return { employeeId: e.id, email: e.workEmail, displayName: e.displayName };
}
