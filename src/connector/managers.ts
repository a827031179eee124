/**
 * Manager references: the mapper of a vendor row says *how* the row names its manager (by id,
 * employee number, work email, userName, externalId, or a bare value whose kind the vendor does
 * not say); the core turns it into a `managerId` against every employee of the sync. The same
 * resolution runs after a full read and after an incremental one (there against the previous
 * snapshot merged with the changed records), so both reach the same `managerId`.
 *
 * Rules (docs/architecture.md, "Manager references"):
 * - `id`: taken as is; an id that is not in the snapshot is kept with a warning (the vendor said
 *   it is an id).
 * - `employeeNumber`, `workEmail`, `userName`, `externalId` (trimmed, case-insensitive): exactly one
 *   employee must match, else `managerId` is null and the snapshot warns.
 * - `value`: an id if one employee has that id; otherwise exactly one employee must match it on the
 *   connector's declared `valueKeys` (all of them together, case-insensitive), else null + warning.
 */
import type { Employee } from '../model.js';

/** What a manager reference can name. */
export type ManagerKey = 'id' | 'employeeNumber' | 'workEmail' | 'userName' | 'externalId';

/**
 * A reference to an employee's manager that the mapper could not turn into an id by itself
 * (e.g. BambooHR reports give the manager's employee number, SCIM servers a userName). The runtime
 * resolves it against all employees of the sync. The first field set wins, in declaration order.
 */
export interface ManagerRef {
  id?: string | null;
  employeeNumber?: string | null;
  workEmail?: string | null;
  userName?: string | null;
  externalId?: string | null;
  /** A value whose kind the vendor does not say (SCIM's plain-string `manager`): see `ManagerHook.valueKeys`. */
  value?: string | null;
}

/** The part of an employee (or a mapped draft) manager resolution reads. */
export type ManagerCandidate = Pick<Employee, 'id' | 'employeeNumber' | 'workEmail'> & {
  customFields?: Record<string, unknown> | undefined;
};

/**
 * A connector's manager-reference hook (`ConnectorDefinition.managers`): where its employees keep
 * the keys a reference may name, and what an untyped `value` may be.
 */
export interface ManagerHook {
  /** The employee's userName at the vendor (e.g. SCIM keeps it in `customFields.userName`). */
  userName?: (e: ManagerCandidate) => string | null | undefined;
  /** The employee's external id at the vendor (e.g. SCIM `externalId`). */
  externalId?: (e: ManagerCandidate) => string | null | undefined;
  /**
   * What an untyped `ManagerRef.value` may name. `id` is tried first (exact); the other keys
   * together must then give exactly one employee. Default: every key.
   */
  valueKeys?: readonly ManagerKey[];
}

const ALL_KEYS: readonly ManagerKey[] = ['id', 'employeeNumber', 'workEmail', 'userName', 'externalId'];
const OTHER_KEYS = ALL_KEYS.filter((k) => k !== 'id') as Array<Exclude<ManagerKey, 'id'>>;

/** Reads the value of one key from an employee (null when it has none). */
function reader(key: Exclude<ManagerKey, 'id'>, hook: ManagerHook | undefined): (e: ManagerCandidate) => string | null {
  const norm = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
  switch (key) {
    case 'employeeNumber':
      return (e) => norm(e.employeeNumber)?.toLowerCase() ?? null;
    case 'workEmail':
      return (e) => norm(e.workEmail)?.toLowerCase() ?? null;
    case 'userName':
      return hook?.userName ? (e) => norm(hook.userName!(e))?.toLowerCase() ?? null : () => null;
    case 'externalId':
      return hook?.externalId ? (e) => norm(hook.externalId!(e))?.toLowerCase() ?? null : () => null;
  }
}

export interface ManagerResolver {
  /** The manager id for one employee's reference, or null (then `warn` was called with why). */
  resolve(employeeId: string, ref: ManagerRef, warn: (message: string) => void): string | null;
}

/**
 * A resolver over `employees` (every employee of the sync, keyed by id). Indexes are built only for
 * the keys some reference actually uses, once each.
 */
export function managerResolver(
  employees: ReadonlyMap<string, { draft: ManagerCandidate }>,
  hook: ManagerHook | undefined,
): ManagerResolver {
  const indexes = new Map<Exclude<ManagerKey, 'id'>, Map<string, string[]>>();
  const index = (key: Exclude<ManagerKey, 'id'>): Map<string, string[]> => {
    let m = indexes.get(key);
    if (m) return m;
    m = new Map();
    const read = reader(key, hook);
    for (const { draft } of employees.values()) {
      const k = read(draft);
      if (k === null) continue;
      const list = m.get(k);
      if (list) list.push(draft.id);
      else m.set(k, [draft.id]);
    }
    indexes.set(key, m);
    return m;
  };
  const lookup = (key: Exclude<ManagerKey, 'id'>, value: string): string[] => {
    return index(key).get(value.trim().toLowerCase()) ?? [];
  };
  const valueKeys = (hook?.valueKeys ?? ALL_KEYS).filter((k): k is Exclude<ManagerKey, 'id'> => k !== 'id');
  const valueById = (hook?.valueKeys ?? ALL_KEYS).includes('id');
  const LABEL: Record<Exclude<ManagerKey, 'id'>, string> = {
    employeeNumber: 'employee number',
    workEmail: 'email',
    userName: 'userName',
    externalId: 'externalId',
  };
  return {
    resolve(employeeId, ref, warn) {
      if (ref.id) return ref.id;
      for (const key of OTHER_KEYS) {
        const v = ref[key];
        if (!v) continue;
        const hits = lookup(key, v);
        if (hits.length === 1) return hits[0]!;
        // Employee numbers and external ids are quoted; emails and userNames (personal data) are not.
        const shown = key === 'employeeNumber' || key === 'externalId' ? ` ${v}` : '';
        warn(
          `employee ${employeeId}: manager ${LABEL[key]}${shown} matched ${hits.length} employees; managerId left empty`,
        );
        return null;
      }
      if (ref.value) {
        const v = ref.value.trim();
        if (valueById && employees.has(v)) return v;
        const hits = new Set<string>();
        for (const key of valueKeys) for (const id of lookup(key, v)) hits.add(id);
        if (hits.size === 1) return hits.values().next().value as string;
        warn(
          `employee ${employeeId}: manager reference matched ${hits.size} employees (by ${[...(valueById ? ['id'] : []), ...valueKeys].join(', ')}); managerId left empty`,
        );
      }
      return null;
    },
  };
}
