/**
 * Evaluating conditions against an employee: the rule context (lookups built from a snapshot), manager
 * chains and `reportsTo` (memoized per context), attribute values, and leaf matching.
 */
import type { Employee, Group, Location, OrgSnapshot } from '../../model.js';
import { PeopleIndex } from './people-index.js';
import { type Condition, type LeafCondition, MAX_MATCH_INPUT_LENGTH, type RuleAttribute } from './schema.js';

/** Lookup tables built from a snapshot so conditions can resolve group names, locations and managers. */
export interface RuleContext {
  employeesById: ReadonlyMap<string, Employee>;
  groupsById: ReadonlyMap<string, Group>;
  locationsById: ReadonlyMap<string, Location>;
}

export function createRuleContext(snapshot: Pick<OrgSnapshot, 'employees' | 'groups' | 'locations'>): RuleContext {
  return {
    employeesById: new PeopleIndex(snapshot.employees),
    groupsById: byId(snapshot.groups),
    locationsById: byId(snapshot.locations),
  };
}

/** id -> item, the last one winning (a loop: no [id, item] pair allocated per person). */
function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const x of items) m.set(x.id, x);
  return m;
}

const MAX_CHAIN = 10_000;

/** Ids of the employee's managers, nearest first. Stops on cycles and missing links. */
export function managerChain(employee: Employee, ctx: RuleContext): Employee[] {
  const out: Employee[] = [];
  const seen = new Set<string>([employee.id]);
  let next = employee.managerId;
  while (next && !seen.has(next) && out.length < MAX_CHAIN) {
    seen.add(next);
    const m = ctx.employeesById.get(next);
    if (!m) break;
    out.push(m);
    next = m.managerId;
  }
  return out;
}

function managerOf(e: Employee, ctx: RuleContext): Employee | undefined {
  return e.managerId ? ctx.employeesById.get(e.managerId) : undefined;
}

/** Whether a manager's own values (id, work email) satisfy a `reportsTo` condition. */
function matchesSelf(cond: LeafCondition, m: Employee): boolean {
  const email = scalarToString(m.workEmail);
  return matchValues(cond, email === null ? [m.id] : [m.id, email]);
}

/** Per rule context and `reportsTo` condition: employee id -> whether someone up their chain matches. */
const reportsToMemo = new WeakMap<RuleContext, WeakMap<LeafCondition, Map<string, boolean>>>();

/**
 * A `reportsTo` condition, evaluated for the whole snapshot once: "someone up my chain matches" is
 * "my manager matches, or someone up their chain does", memoized per employee, so evaluating it for
 * everyone is linear in the org size whatever the depth of the reporting lines (no depth cap). Same
 * answers as matching the values of `managerChain` (which lists at most 10,000 managers): a cycle's
 * members report to every other member, not to themselves; a missing manager ends the chain.
 */
function reportsTo(cond: LeafCondition, employee: Employee, ctx: RuleContext): boolean {
  if (cond.op === 'exists') {
    const m = managerOf(employee, ctx);
    return (cond.value ?? true) === (m !== undefined && m.id !== employee.id);
  }
  const own = ctx.employeesById.get(employee.id);
  // Not this snapshot's version of the person (another manager): walk their own chain.
  if (own && own.managerId !== employee.managerId) return matchValues(cond, attributeValues(employee, cond, ctx));
  if (!own) {
    const m = managerOf(employee, ctx);
    return m !== undefined && (matchesSelf(cond, m) || reportsTo(cond, m, ctx));
  }
  let byCond = reportsToMemo.get(ctx);
  if (!byCond) reportsToMemo.set(ctx, (byCond = new WeakMap()));
  let memo = byCond.get(cond);
  if (!memo) byCond.set(cond, (memo = new Map()));
  const known = memo.get(employee.id);
  if (known !== undefined) return known;
  // Walk up until a known answer, the top of the line, or a cycle; then settle the path top-down.
  const path: Employee[] = [];
  const onPath = new Map<string, number>();
  let cur: Employee | undefined = own;
  while (cur && !memo.has(cur.id)) {
    const at = onPath.get(cur.id);
    if (at !== undefined) {
      // A cycle: each member reports to all the others.
      const cycle = path.slice(at);
      const hits = cycle.map((m) => matchesSelf(cond, m));
      const count = hits.filter(Boolean).length;
      cycle.forEach((m, i) => memo.set(m.id, count - (hits[i] ? 1 : 0) > 0));
      path.length = at;
      break;
    }
    onPath.set(cur.id, path.length);
    path.push(cur);
    cur = managerOf(cur, ctx);
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const m = managerOf(path[i]!, ctx);
    memo.set(path[i]!.id, m !== undefined && (matchesSelf(cond, m) || memo.get(m.id)!));
  }
  return memo.get(employee.id)!;
}

/** Group ids plus (optionally) their ancestors. Cycle-safe. */
function groupClosure(ids: readonly string[], ctx: RuleContext, includeParents: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    let cur: string | null | undefined = id;
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      out.push(cur);
      if (!includeParents) break;
      cur = ctx.groupsById.get(cur)?.parentId;
    }
  }
  return out;
}

function scalarToString(v: unknown): string | null {
  if (typeof v === 'string') return v.length ? v : null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

const CASE_INSENSITIVE_ATTRS: ReadonlySet<RuleAttribute> = new Set(['email', 'manager', 'reportsTo']);

function push(out: string[], v: unknown): void {
  const s = scalarToString(v);
  if (s !== null) out.push(s);
}

/** The values an attribute has for an employee (multi-valued attributes yield several). */
export function attributeValues(
  employee: Employee,
  cond: Pick<LeafCondition, 'attribute' | 'field' | 'groupType' | 'includeParents'>,
  ctx: RuleContext,
): string[] {
  const out: string[] = [];
  switch (cond.attribute) {
    case 'group':
    case 'department':
    case 'team': {
      const type = cond.attribute === 'department' ? 'DEPARTMENT' : cond.attribute === 'team' ? 'TEAM' : cond.groupType;
      for (const id of groupClosure(employee.groupIds, ctx, cond.includeParents === true)) {
        const g = ctx.groupsById.get(id);
        if (type !== undefined && g?.type !== type) continue;
        push(out, id);
        if (g) push(out, g.name);
      }
      break;
    }
    case 'title':
      push(out, employee.jobTitle);
      break;
    case 'location':
      if (employee.locationId) {
        push(out, employee.locationId);
        push(out, ctx.locationsById.get(employee.locationId)?.name);
      }
      break;
    case 'employmentType':
      push(out, employee.employmentType);
      break;
    case 'status':
      push(out, employee.employmentStatus);
      break;
    case 'manager':
      if (employee.managerId) {
        push(out, employee.managerId);
        push(out, ctx.employeesById.get(employee.managerId)?.workEmail);
      }
      break;
    case 'reportsTo':
      for (const m of managerChain(employee, ctx)) {
        push(out, m.id);
        push(out, m.workEmail);
      }
      break;
    case 'customField': {
      const v = cond.field ? employee.customFields[cond.field] : undefined;
      if (Array.isArray(v)) for (const x of v) push(out, x);
      else push(out, v);
      break;
    }
    case 'email':
      push(out, employee.workEmail);
      break;
    case 'employeeId':
      push(out, employee.id);
      break;
  }
  return out;
}

const regexCache = new Map<string, RegExp>();
function compiled(pattern: string, flags: string): RegExp {
  const k = `${flags}/${pattern}`;
  let re = regexCache.get(k);
  if (!re) {
    re = new RegExp(pattern, flags);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(k, re);
  }
  return re;
}

function isLeaf(c: Condition): c is LeafCondition {
  return 'op' in c;
}

/** Evaluate a condition for one employee. */
export function evaluateCondition(cond: Condition, employee: Employee, ctx: RuleContext): boolean {
  // (loops, not every/some with a closure: this runs per person and condition)
  if ('all' in cond) {
    for (const c of cond.all) if (!evaluateCondition(c, employee, ctx)) return false;
    return true;
  }
  if ('any' in cond) {
    for (const c of cond.any) if (evaluateCondition(c, employee, ctx)) return true;
    return false;
  }
  if ('not' in cond) return !evaluateCondition(cond.not, employee, ctx);
  if (!isLeaf(cond)) return false;
  if (cond.attribute === 'reportsTo') return reportsTo(cond, employee, ctx);
  return matchValues(cond, attributeValues(employee, cond, ctx));
}

/** A leaf condition's wanted values, normalized once per condition (not per person and value). */
const wanted = new WeakMap<LeafCondition, { fold: boolean; want: string | Set<string> | RegExp }>();
function compile(cond: LeafCondition): { fold: boolean; want: string | Set<string> | RegExp } {
  let w = wanted.get(cond);
  if (w) return w;
  const fold = CASE_INSENSITIVE_ATTRS.has(cond.attribute) || ('ignoreCase' in cond && cond.ignoreCase === true);
  const norm = (x: string): string => (fold ? x.toLowerCase() : x);
  switch (cond.op) {
    case 'equals':
      w = { fold, want: norm(String(cond.value)) };
      break;
    case 'in':
      w = { fold, want: new Set(cond.values.map((v) => norm(String(v)))) };
      break;
    case 'matches':
      w = { fold, want: compiled(cond.pattern, cond.flags ?? '') };
      break;
    default:
      w = { fold, want: '' };
  }
  wanted.set(cond, w);
  return w;
}

/** Whether one attribute's values satisfy a leaf condition. */
function matchValues(cond: LeafCondition, values: string[]): boolean {
  if (cond.op === 'exists') return (cond.value ?? true) === values.length > 0;
  const { fold, want } = compile(cond);
  for (const v of values) {
    if (cond.op === 'matches') {
      // (flags are '' or 'i': no `g`/`y` state carried between tests)
      if (v.length <= MAX_MATCH_INPUT_LENGTH && (want as RegExp).test(v)) return true;
      continue;
    }
    const x = fold ? v.toLowerCase() : v;
    if (typeof want === 'string' ? x === want : (want as Set<string>).has(x)) return true;
  }
  return false;
}
