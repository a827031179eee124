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
 * when their rows are: compared by fingerprint when both have one, else by the rows' JSON.
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
  if (typeof v !== 'string') return v;
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

/** Whether two entries with one id came from the same vendor record (same JSON). */
function sameRow(a: DraftEntry, b: DraftEntry): boolean {
  if (a.fp !== undefined && b.fp !== undefined) return a.fp === b.fp;
  if (a.fp === undefined && b.fp === undefined) return JSON.stringify(a.raw) === JSON.stringify(b.raw);
  return (a.fp ?? contentFingerprint(a.raw)) === (b.fp ?? contentFingerprint(b.raw));
}

/**
 * Fill defaults, resolve manager references (by id, employee number, email, userName, externalId
 * or an untyped value, per the connector's `managers` hook) against all
 * employees of the sync, collapse duplicates from overlapping pages, and validate each employee.
 *
 * `drafts` is emptied as it is read (each draft is let go once its employee is built, so a 100,000
 * person sync does not hold both at their peak); pass an array you no longer need.
 */
export function finalizeEmployees(
  def: ConnectorDefinition<any, any>,
  drafts: DraftEntry[],
  includeRemote: boolean,
): { employees: Employee[]; warnings: string[]; unresolved: Record<string, ManagerRef> } {
  const warnings: string[] = [];
  const unresolved: Record<string, ManagerRef> = {};
  const byId = new Map<string, DraftEntry>();
  for (const d of drafts) {
    const prev = byId.get(d.draft.id);
    if (prev && !sameRow(prev, d)) {
      throw new ValidationError({
        vendor: def.id,
        code: 'duplicate_id',
        message: `${def.name} returned two different records with id ${d.draft.id}; records probably moved while paging. No snapshot was written; run the sync again.`,
      });
    }
    byId.set(d.draft.id, d);
  }
  drafts.length = 0;
  // Managers first, for everyone (the resolver indexes all drafts), then the employees.
  const resolver = managerResolver(byId as ReadonlyMap<string, { draft: EmployeeDraft }>, def.managers);
  const warn = (m: string) => warnings.push(m);
  const managers: Array<string | null> = new Array(byId.size);
  let m = 0;
  for (const { draft } of byId.values()) {
    let managerId = draft.managerId ?? null;
    const ref = draft.managerRef;
    if (!managerId && ref) {
      managerId = resolver.resolve(draft.id, ref, warn);
      if (!managerId) unresolved[draft.id] = ref;
    }
    if (managerId && !byId.has(managerId))
      warnings.push(`employee ${draft.id}: manager ${managerId} is not in the snapshot`);
    managers[m++] = managerId;
  }
  const entries = [...byId.values()];
  byId.clear();
  const out: Employee[] = [];
  let i = 0;
  for (let k = 0; k < entries.length; k++) {
    const { draft, raw } = entries[k]!;
    entries[k] = undefined as unknown as DraftEntry; // let the draft go once its employee exists
    const managerId = managers[k] ?? null;
    // An explicit literal (one object shape for every employee) rather than spreads: this loop runs
    // once per person of the company.
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
      managerId,
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
