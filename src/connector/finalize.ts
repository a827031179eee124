/**
 * The last step of every read, full or incremental: one record per id (different records under
 * one id fail the sync), defaults filled, manager references resolved against every employee of
 * the sync (`managers.ts`), each employee validated against the model.
 */
import { ValidationError } from '../errors.js';
import { composeDisplayName, EmployeeSchema, type Employee } from '../model.js';
import { compiledEmployeeCheck } from '../model-check.js';
import { contentFingerprint } from '../pagination/drift.js';
import { copyRecord } from './map-helpers.js';
import { managerResolver, type ManagerRef } from './managers.js';
import type { ConnectorDefinition, EmployeeDraft } from './types.js';
import { validateOutput } from './validate.js';

/**
 * One draft and what is known of the vendor row it came from: the row (`raw`, kept for
 * `remoteData`) and/or its `contentFingerprint` (`fp`). Two drafts with one id are the same record
 * when their rows are (compared by fingerprint when both have one, else by the rows' JSON); when
 * neither row is known, when the employees they became are (see `sameRecord`).
 */
export interface DraftEntry {
  draft: EmployeeDraft;
  raw?: unknown;
  fp?: string;
}

/**
 * Values many employees share (their manager's id, location, groups, job title, raw status and
 * type, dates) arrive as one string per row from the vendor's JSON. `internDraft` replaces each by
 * the first equal string seen, so a 100,000-person read holds each such value once (about a fifth
 * of the drafts' and the snapshot's memory). Replacing a string by an equal one changes nothing
 * observable. One pool per read.
 */
export type InternPool = Map<string, string>;

const internOne = (pool: InternPool, v: string | null | undefined): string | null | undefined => {
  // V8's JSON.parse already shares string values of up to 10 characters (dates, statuses); a
  // shorter value made by the mapper costs a few bytes: neither is worth a map lookup per person.
  if (typeof v !== 'string' || v.length <= 10) return v;
  const known = pool.get(v);
  if (known !== undefined) return known;
  pool.set(v, v);
  return v;
};

export function internDraft(d: EmployeeDraft, pool: InternPool): void {
  // A draft that is not a plain writable object is left as it is (validation speaks about it later).
  if (!d || typeof d !== 'object' || !Object.isExtensible(d)) return;
  if (typeof d.managerId === 'string') d.managerId = internOne(pool, d.managerId);
  if (typeof d.locationId === 'string') d.locationId = internOne(pool, d.locationId) as string;
  if (typeof d.jobTitle === 'string') d.jobTitle = internOne(pool, d.jobTitle) as string;
  if (typeof d.employmentStatusRaw === 'string') d.employmentStatusRaw = internOne(pool, d.employmentStatusRaw);
  if (typeof d.employmentTypeRaw === 'string') d.employmentTypeRaw = internOne(pool, d.employmentTypeRaw);
  if (typeof d.startDate === 'string') d.startDate = internOne(pool, d.startDate) as string;
  if (typeof d.terminationDate === 'string') d.terminationDate = internOne(pool, d.terminationDate) as string;
  const g = d.groupIds;
  if (Array.isArray(g) && Object.isExtensible(g))
    for (let i = 0; i < g.length; i++) if (typeof g[i] === 'string') g[i] = internOne(pool, g[i]) as string;
}

/**
 * Whether two entries with one id are the same record: by their vendor rows (same JSON) when both
 * rows or fingerprints are known, else by what the snapshot keeps of them: the employee each
 * became and its manager reference. A full read keeps no rows (memory) unless `includeRemoteData`
 * is set, so two records under one id that differ only in fields nobody maps collapse into one
 * employee, and any difference the snapshot would show fails the read (`duplicate_id`).
 */
function sameRecord(a: BuiltEntry, b: BuiltEntry): boolean {
  const known = (e: BuiltEntry) => e.fp !== undefined || e.raw !== undefined;
  if (known(a) && known(b)) {
    if (a.fp !== undefined && b.fp !== undefined) return a.fp === b.fp;
    if (a.fp === undefined && b.fp === undefined) return JSON.stringify(a.raw) === JSON.stringify(b.raw);
    return (a.fp ?? contentFingerprint(a.raw)) === (b.fp ?? contentFingerprint(b.raw));
  }
  return (
    JSON.stringify(a.draft) === JSON.stringify(b.draft) &&
    JSON.stringify(a.ref ?? null) === JSON.stringify(b.ref ?? null)
  );
}

/**
 * An employee built from its draft (`managerId` as the mapper gave it, resolved later), with what
 * finalizing still needs: the draft's manager reference and its vendor record (`raw` and/or `fp`,
 * as in {@link DraftEntry}). Named `draft` for `managerResolver`, which reads id, employee number,
 * work email and custom fields (the same on both).
 */
export interface BuiltEntry {
  draft: Employee;
  ref: ManagerRef | null | undefined;
  raw?: unknown;
  fp?: string;
}

/**
 * The employee a draft becomes: defaults filled, `managerId` as the draft says (null when it has
 * only a reference), not yet validated. An explicit literal (one object shape for every employee)
 * rather than spreads: this runs once per person of the company.
 */
export function employeeFromDraft(draft: EmployeeDraft, raw: unknown, includeRemote: boolean): Employee {
  const employee: Employee = {
    id: draft.id,
    employeeNumber: draft.employeeNumber,
    firstName: draft.firstName,
    lastName: draft.lastName,
    preferredName: draft.preferredName,
    displayName:
      draft.displayName ||
      composeDisplayName(draft.firstName, draft.lastName, draft.preferredName) ||
      draft.workEmail ||
      draft.id,
    workEmail: draft.workEmail,
    personalEmail: draft.personalEmail,
    jobTitle: draft.jobTitle,
    managerId: draft.managerId ?? null,
    groupIds: draft.groupIds.length > 1 ? [...new Set(draft.groupIds)] : draft.groupIds,
    locationId: draft.locationId,
    employmentStatus: draft.employmentStatus,
    employmentStatusRaw: draft.employmentStatusRaw ?? null,
    employmentType: draft.employmentType,
    employmentTypeRaw: draft.employmentTypeRaw ?? null,
    startDate: draft.startDate,
    terminationDate: draft.terminationDate,
    customFields: draft.customFields ? copyRecord(draft.customFields) : {},
  };
  if (draft.updatedAt !== undefined) employee.updatedAt = draft.updatedAt;
  if (includeRemote) employee.remoteData = raw;
  return employee;
}

/**
 * Fill defaults, resolve manager references (by id, employee number, email, userName, externalId
 * or an untyped value, per the connector's `managers` hook) against all
 * employees of the sync, collapse duplicates from overlapping pages, and validate each employee.
 *
 * `drafts` is emptied as it is read (each draft is let go once its employee is built, so a 100,000
 * person sync does not hold both); pass an array you no longer need.
 */
export function finalizeEmployees(
  def: ConnectorDefinition<any, any>,
  drafts: DraftEntry[],
  includeRemote: boolean,
): { employees: Employee[]; warnings: string[]; unresolved: Record<string, ManagerRef> } {
  const built: BuiltEntry[] = new Array(drafts.length);
  for (let k = 0; k < drafts.length; k++) {
    const d = drafts[k]!;
    drafts[k] = undefined as unknown as DraftEntry;
    const e: BuiltEntry = { draft: employeeFromDraft(d.draft, d.raw, includeRemote), ref: d.draft.managerRef };
    if (d.raw !== undefined) e.raw = d.raw;
    if (d.fp !== undefined) e.fp = d.fp;
    built[k] = e;
  }
  drafts.length = 0;
  return finalizeBuilt(def, built);
}

/**
 * `finalizeEmployees` for employees already built from their drafts (a full read builds each one
 * as it is mapped, so drafts never pile up). Empties `entries`.
 */
export function finalizeBuilt(
  def: ConnectorDefinition<any, any>,
  entries: BuiltEntry[],
): { employees: Employee[]; warnings: string[]; unresolved: Record<string, ManagerRef> } {
  const warnings: string[] = [];
  const unresolved: Record<string, ManagerRef> = {};
  const byId = new Map<string, BuiltEntry>();
  for (const d of entries) {
    const prev = byId.get(d.draft.id);
    if (prev && !sameRecord(prev, d)) {
      throw new ValidationError({
        vendor: def.id,
        code: 'duplicate_id',
        message: `${def.name} returned two different records with id ${d.draft.id}; records probably moved while paging. No snapshot was written; run the sync again.`,
      });
    }
    byId.set(d.draft.id, d);
  }
  entries.length = 0;
  const resolver = managerResolver(byId, def.managers);
  const warn = (m: string) => warnings.push(m);
  const out: Employee[] = [];
  let i = 0;
  for (const { draft: employee, ref } of byId.values()) {
    if (!employee.managerId && ref) {
      employee.managerId = resolver.resolve(employee.id, ref, warn);
      if (!employee.managerId) unresolved[employee.id] = ref;
    }
    const managerId = employee.managerId;
    if (managerId && !byId.has(managerId))
      warnings.push(`employee ${employee.id}: manager ${managerId} is not in the snapshot`);
    // The compiled check answers the common case fast; zod decides (and explains) the rest.
    if (compiledEmployeeCheck && compiledEmployeeCheck(employee)) {
      out.push(employee);
      i++;
    } else out.push(validateOutput(def, 'employees', EmployeeSchema, employee, i++));
  }
  return { employees: out, warnings, unresolved };
}

/** `{ unresolvedManagerRefs }` with keys in id order, or nothing when every reference resolved. */
export function unresolvedField(unresolved: Record<string, ManagerRef>): {
  unresolvedManagerRefs?: Record<string, ManagerRef>;
} {
  const ids = Object.keys(unresolved);
  if (!ids.length) return {};
  ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, ManagerRef> = {};
  for (const id of ids) {
    const r = unresolved[id]!;
    // Only the fields that are set (a stable, compact shape in the snapshot file).
    out[id] = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== null)) as ManagerRef;
  }
  return { unresolvedManagerRefs: out };
}
