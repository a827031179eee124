/**
 * Summaries and the text output of change events.
 */
import type { ChangeEvent, FieldChange } from '../changes.js';
import type { Employee, Group, Location } from '../model.js';
import { stableStringify } from './compare.js';
import { CHANGE_TYPE_ORDER, type ChangeType } from './types.js';

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
    if (field === 'groupIds' && Array.isArray(label) && !options.groups?.length)
      return `[${label.map((x) => quote(x)).join(', ')}]`;
    if (field === 'locationId' && typeof label === 'string' && !locationNames.has(String(v)))
      return `${quote(label)} (${oneLine(String(v))})`;
    if (field === 'groupIds' && Array.isArray(v)) return `[${v.map((x) => groupLabel(String(x))).join(', ')}]`;
    if (field === 'locationId' && typeof v === 'string') {
      const n = locationNames.get(v);
      return n === undefined ? quote(v) : `${quote(n)} (${oneLine(v)})`;
    }
    if (typeof v === 'string') return quote(v);
    if (Array.isArray(v))
      return `[${v.map((x) => (typeof x === 'string' ? quote(x) : oneLine(stableStringify(x)))).join(', ')}]`;
    return oneLine(stableStringify(v));
  };
  const changeList = (changes: readonly FieldChange[]) =>
    changes
      .map(
        (c) =>
          `${c.field === 'managerId' ? 'manager' : oneLine(c.field)}: ${value(c.field, c.before, c.beforeLabel)} → ${value(c.field, c.after, c.afterLabel)}`,
      )
      .join('; ');

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
        detail = [emp.terminationDate ? `effective ${emp.terminationDate}` : null, changeList(e.changes)]
          .filter(Boolean)
          .join('; ');
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
