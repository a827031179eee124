/**
 * Input checks of `diffSnapshots`: today's date, snapshot validation (zod, or the compiled employee check),
 * duplicate ids.
 */
import { ConfigError, ValidationError } from '../errors.js';
import { compiledEmployeeCheck } from '../model-check.js';
import { type Employee, type OrgSnapshot, OrgSnapshotSchema } from '../model.js';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function resolveToday(now: Date | string | undefined): string {
  if (now === undefined) return new Date().toISOString().slice(0, 10);
  if (now instanceof Date) {
    if (Number.isNaN(now.getTime()))
      throw new ConfigError({ message: 'diffSnapshots: options.now is an invalid Date', code: 'diff_now_invalid' });
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

export function checkSnapshot(input: unknown, label: 'previous' | 'current', validate: boolean): OrgSnapshot {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError({
      message: `diffSnapshots: the ${label} snapshot is not an object`,
      code: 'snapshot_invalid',
    });
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
    if (
      !Array.isArray(snap.employees) ||
      !Array.isArray(snap.groups) ||
      !snap.company ||
      typeof snap.company.id !== 'string'
    ) {
      throw new ValidationError({
        message: `diffSnapshots: the ${label} snapshot is missing employees, groups or company.id`,
        code: 'snapshot_invalid',
      });
    }
  }
  return snap;
}

export function duplicateId(label: string, what: string, id: string): ValidationError {
  return new ValidationError({
    message: `diffSnapshots: the ${label} snapshot has two ${what} with id ${JSON.stringify(id)}`,
    code: 'snapshot_duplicate_id',
    issues: [`${what}: duplicate id ${JSON.stringify(id)}`],
  });
}

/** Whether the ids are strictly ascending in code-unit order (as `takeSnapshot` sorts them; strictly: no id twice). */
export function idsStrictlyAscending(list: readonly { id: string }[]): boolean {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1]!.id < list[i]!.id)) return false;
  return true;
}

export function indexById<T extends { id: string }>(items: readonly T[], what: string, label: string): Map<string, T> {
  const m = new Map<string, T>();
  for (const item of items) {
    if (m.has(item.id)) throw duplicateId(label, what, item.id);
    m.set(item.id, item);
  }
  return m;
}
