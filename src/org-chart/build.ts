/**
 * Building the org chart: the reporting tree of a snapshot (iterative, cycle-safe) and its diagnostics.
 */
import { composeDisplayName, type Employee, type EmploymentStatus, type OrgSnapshot } from '../model.js';

export interface OrgChartOptions {
  /** Include TERMINATED employees in the tree (default `false`: only ACTIVE, PENDING, LEAVE and UNKNOWN). */
  includeTerminated?: boolean;
}

export interface OrgChartNode {
  id: string;
  /** Display name (falls back to first/last name, then to the id). */
  name: string;
  title: string | null;
  /** The manager id as the HR system has it (may point outside the tree: see diagnostics). */
  managerId: string | null;
  /** The manager in this tree; `null` for roots (including people whose manager is missing, terminated, themselves, or who close a cycle). */
  parentId: string | null;
  /** Ids of direct reports, ordered by name then id. */
  directReports: readonly string[];
  /** Distance from the root (roots are 0). */
  depth: number;
  /** Number of direct reports. */
  span: number;
  /** Chain of command: ids from the root down to this person (inclusive). Computed on access, O(depth). */
  readonly chain: string[];
  employmentStatus: EmploymentStatus;
  /** Name of the first DEPARTMENT group of the person, if any. */
  department: string | null;
  workEmail: string | null;
}

export interface OrgChartDiagnostics {
  /** Reporting cycles: the ids in each cycle, starting at the smallest id and following managers. */
  cycles: string[][];
  /** Employees whose manager id matches nobody in the snapshot. */
  missingManagers: { employeeId: string; managerId: string }[];
  /** Employees not terminated whose manager is TERMINATED. */
  reportingToTerminated: { employeeId: string; managerId: string }[];
  /** Employees who are their own manager. */
  selfManaged: string[];
  /** Ids that appear more than once in the snapshot (only the first record is used). */
  duplicateIds: string[];
}

export interface OrgChart {
  connector: string;
  company: { id: string; name: string };
  takenAt: string;
  /** Ids of the people at the top of the tree, ordered by name then id. */
  roots: string[];
  nodes: Map<string, OrgChartNode>;
  diagnostics: OrgChartDiagnostics;
  /** Whether TERMINATED employees were included. */
  includeTerminated: boolean;
}

const EMPTY: readonly string[] = Object.freeze([]);

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function nameOf(e: Employee): string {
  const d = typeof e.displayName === 'string' ? e.displayName.trim() : '';
  return d || composeDisplayName(e.firstName, e.lastName, e.preferredName) || e.id;
}

const LOOKUP = Symbol('lookup');
const INDEX = Symbol('index');

class Node implements OrgChartNode {
  id: string;
  name: string;
  title: string | null;
  managerId: string | null;
  parentId: string | null = null;
  directReports: readonly string[] = EMPTY;
  depth = 0;
  span = 0;
  employmentStatus: EmploymentStatus;
  department: string | null;
  workEmail: string | null;
  /** Symbol-keyed internals: invisible to JSON.stringify and Object.keys. */
  readonly [LOOKUP]: Map<string, OrgChartNode>;
  readonly [INDEX]: number;

  constructor(e: Employee, name: string, department: string | null, lookup: Map<string, OrgChartNode>, index: number) {
    this.id = e.id;
    this.name = name;
    this.title = e.jobTitle ?? null;
    this.managerId = e.managerId ?? null;
    this.employmentStatus = e.employmentStatus;
    this.department = department;
    this.workEmail = e.workEmail ?? null;
    this[LOOKUP] = lookup;
    this[INDEX] = index;
  }

  get chain(): string[] {
    const out: string[] = [];
    let cur: OrgChartNode | undefined = this;
    // parentId links form a forest once cycles are broken; the bound is a belt-and-braces guard.
    let guard = this[LOOKUP].size + 1;
    while (cur && guard-- > 0) {
      out.push(cur.id);
      cur = cur.parentId === null ? undefined : this[LOOKUP].get(cur.parentId);
    }
    return out.reverse();
  }
}

/**
 * Build the reporting tree of a snapshot. Linear in the number of employees (sorting direct
 * reports by name is O(n log span)); never recursive.
 */
export function buildOrgChart(snapshot: OrgSnapshot, options: OrgChartOptions = {}): OrgChart {
  const includeTerminated = options.includeTerminated ?? false;
  const all = snapshot.employees;
  const diagnostics: OrgChartDiagnostics = {
    cycles: [],
    missingManagers: [],
    reportingToTerminated: [],
    selfManaged: [],
    duplicateIds: [],
  };

  // Departments: group id -> name, for DEPARTMENT groups only.
  const departmentName = new Map<string, string>();
  for (const g of snapshot.groups ?? [])
    if (g.type === 'DEPARTMENT' && !departmentName.has(g.id)) departmentName.set(g.id, g.name);

  // A node for every included record (first occurrence of an id wins), a side table for excluded
  // (terminated) ones so that reporting to them can be told from a missing manager. Duplicate ids are
  // rare: the fast path skips the per-id `has` check and, if the map sizes show duplicates, a careful
  // pass redoes the indexing. The fast path creates every node first and fills the maps after: at
  // 1,000,000 people, storing each young node into a map that already lives in the old generation
  // as it is created cost ~20% more (each store is an old-to-new pointer the next scavenge must visit).
  const index = (careful: boolean) => {
    const nodes = new Map<string, OrgChartNode>();
    const excluded = new Map<string, Employee>();
    const list: Node[] = [];
    const people: Employee[] = [];
    const dup = new Set<string>();
    const left: Employee[] = [];
    for (let i = 0; i < all.length; i++) {
      const e = all[i]!;
      const id = e.id;
      if (careful && (nodes.has(id) || excluded.has(id))) {
        dup.add(id);
        continue;
      }
      if (!includeTerminated && e.employmentStatus === 'TERMINATED') {
        if (careful) excluded.set(id, e);
        else left.push(e);
        continue;
      }
      let dept: string | null = null;
      for (const g of e.groupIds) {
        const d = departmentName.get(g);
        if (d !== undefined) {
          dept = d;
          break;
        }
      }
      const node = new Node(e, nameOf(e), dept, nodes, list.length);
      if (careful) nodes.set(id, node);
      list.push(node);
      people.push(e);
    }
    if (!careful) {
      for (let i = 0; i < list.length; i++) nodes.set(people[i]!.id, list[i]!);
      for (const e of left) excluded.set(e.id, e);
    }
    return { nodes, excluded, list, people, dup };
  };
  let indexed = index(false);
  if (indexed.nodes.size + indexed.excluded.size !== all.length) indexed = index(true);
  const { nodes, excluded, list, people, dup } = indexed;
  diagnostics.duplicateIds = [...dup].sort(compareStrings);

  const n = people.length;
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const e = people[i]!;
    const m = e.managerId;
    if (m === null || m === undefined || m === '') continue;
    if (m === e.id) {
      diagnostics.selfManaged.push(e.id);
      continue;
    }
    const mgrNode = nodes.get(m) as Node | undefined;
    const mgrStatus = mgrNode ? mgrNode.employmentStatus : excluded.get(m)?.employmentStatus;
    if (mgrStatus === undefined) {
      diagnostics.missingManagers.push({ employeeId: e.id, managerId: m });
      continue;
    }
    if (mgrStatus === 'TERMINATED' && e.employmentStatus !== 'TERMINATED') {
      diagnostics.reportingToTerminated.push({ employeeId: e.id, managerId: m });
    }
    if (mgrNode) parent[i] = mgrNode[INDEX];
  }

  // Cycles: walk manager links with three colours (0 new, 1 on the current walk, 2 done).
  const state = new Uint8Array(n);
  const posOnPath = new Int32Array(n);
  const path: number[] = [];
  for (let s = 0; s < n; s++) {
    if (state[s] !== 0) continue;
    path.length = 0;
    let j = s;
    while (j !== -1 && state[j] === 0) {
      state[j] = 1;
      posOnPath[j] = path.length;
      path.push(j);
      j = parent[j]!;
    }
    if (j !== -1 && state[j] === 1) {
      const members = path.slice(posOnPath[j]);
      let min = members[0]!;
      for (const k of members) if (compareStrings(people[k]!.id, people[min]!.id) < 0) min = k;
      const ids: string[] = [];
      let k = min;
      do {
        ids.push(people[k]!.id);
        k = parent[k]!;
      } while (k !== min);
      diagnostics.cycles.push(ids);
      parent[min] = -1; // break the cycle: its smallest id becomes a root
    }
    for (const k of path) state[k] = 2;
  }
  diagnostics.cycles.sort((a, b) => compareStrings(a[0]!, b[0]!));

  const names: string[] = new Array(n);
  for (let i = 0; i < n; i++) names[i] = list[i]!.name;
  const byName = (a: number, b: number) =>
    compareStrings(names[a]!, names[b]!) || compareStrings(people[a]!.id, people[b]!.id);

  // Children in CSR form, then per-parent arrays sorted by name.
  const count = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parent[i]! >= 0) count[parent[i]! + 1]!++;
  for (let i = 0; i < n; i++) count[i + 1]! += count[i]!;
  const fill = count.slice(0, n);
  const children = new Int32Array(count[n]!);
  for (let i = 0; i < n; i++) {
    const p = parent[i]!;
    if (p >= 0) children[fill[p]!++] = i;
  }
  const rootIdx: number[] = [];
  for (let i = 0; i < n; i++) if (parent[i] === -1) rootIdx.push(i);
  rootIdx.sort(byName);

  // Breadth-first from the roots: depth, parent ids, sorted direct reports.
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (const r of rootIdx) queue[tail++] = r;
  while (head < tail) {
    const i = queue[head++]!;
    const node = list[i]!;
    const start = count[i]!;
    const end = count[i + 1]!;
    if (end > start) {
      const kids = Array.from(children.subarray(start, end)).sort(byName);
      const ids: string[] = new Array(kids.length);
      for (let k = 0; k < kids.length; k++) {
        const c = kids[k]!;
        ids[k] = people[c]!.id;
        const child = list[c]!;
        child.parentId = node.id;
        child.depth = node.depth + 1;
        queue[tail++] = c;
      }
      node.directReports = ids;
      node.span = ids.length;
    }
  }

  return {
    connector: snapshot.connector,
    company: { id: snapshot.company.id, name: snapshot.company.name },
    takenAt: snapshot.takenAt,
    roots: rootIdx.map((i) => people[i]!.id),
    nodes,
    diagnostics,
    includeTerminated,
  };
}

/** The chain of command of one person (root first), or `undefined` when they are not in the chart. */
export function chainOfCommand(chart: OrgChart, id: string): string[] | undefined {
  return chart.nodes.get(id)?.chain;
}
