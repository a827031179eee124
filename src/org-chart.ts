/**
 * Org chart: the reporting tree of a snapshot, its diagnostics (cycles, missing or terminated
 * managers, self-managers) and exporters (JSON, CSV, Mermaid, Graphviz DOT, self-contained HTML).
 *
 * Everything here is linear in the number of employees and iterative (no recursion), so bad data
 * (reporting cycles, million-deep chains) cannot loop forever or overflow the stack.
 */
import type { Employee, EmploymentStatus, OrgSnapshot } from './model.js';
import { composeDisplayName } from './model.js';

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
  const diagnostics: OrgChartDiagnostics = { cycles: [], missingManagers: [], reportingToTerminated: [], selfManaged: [], duplicateIds: [] };

  // Departments: group id -> name, for DEPARTMENT groups only.
  const departmentName = new Map<string, string>();
  for (const g of snapshot.groups ?? []) if (g.type === 'DEPARTMENT' && !departmentName.has(g.id)) departmentName.set(g.id, g.name);

  // One pass: a node for every included record (first occurrence of an id wins), a side table
  // for excluded (terminated) ones so that reporting to them can be told from a missing manager.
  // Duplicate ids are rare: the first pass skips the per-id `has` check and, if the map sizes show
  // duplicates, a second careful pass redoes the indexing.
  const index = (careful: boolean) => {
    const nodes = new Map<string, OrgChartNode>();
    const excluded = new Map<string, Employee>();
    const list: Node[] = [];
    const people: Employee[] = [];
    const dup = new Set<string>();
    for (let i = 0; i < all.length; i++) {
      const e = all[i]!;
      const id = e.id;
      if (careful && (nodes.has(id) || excluded.has(id))) {
        dup.add(id);
        continue;
      }
      if (!includeTerminated && e.employmentStatus === 'TERMINATED') {
        excluded.set(id, e);
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
      nodes.set(id, node);
      list.push(node);
      people.push(e);
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
  const byName = (a: number, b: number) => compareStrings(names[a]!, names[b]!) || compareStrings(people[a]!.id, people[b]!.id);

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

// ---------------------------------------------------------------------------------------------
// Traversal helpers (iterative)
// ---------------------------------------------------------------------------------------------

/** Pre-order walk (roots in order, each person before their reports). Calls `enter`/`leave` for every node. */
/** @internal Depth-first walk of the chart (shared with the HTML renderer). */
export function walk(chart: OrgChart, enter: (node: OrgChartNode, index: number) => void, leave?: (node: OrgChartNode, index: number) => void): void {
  // Parallel arrays instead of one object per level: a million-deep chain allocates almost nothing.
  const stackNode: OrgChartNode[] = [];
  const stackNext: number[] = [];
  const stackIndex: number[] = [];
  for (let r = 0; r < chart.roots.length; r++) {
    const root = chart.nodes.get(chart.roots[r]!);
    if (!root) continue;
    enter(root, r);
    stackNode.push(root);
    stackNext.push(0);
    stackIndex.push(r);
    while (stackNode.length) {
      const top = stackNode.length - 1;
      const node = stackNode[top]!;
      const next = stackNext[top]!;
      if (next < node.directReports.length) {
        stackNext[top] = next + 1;
        const child = chart.nodes.get(node.directReports[next]!);
        if (!child) continue;
        enter(child, next);
        stackNode.push(child);
        stackNext.push(0);
        stackIndex.push(next);
      } else {
        stackNode.pop();
        stackNext.pop();
        const index = stackIndex.pop()!;
        leave?.(node, index);
      }
    }
  }
}

/**
 * Collects output in flat chunks: millions of small pieces are joined every few thousand, so they
 * do not stay alive as millions of separate strings until the end (which made GC dominate).
 */
/** @internal */
export class Sink {
  private parts: string[] = [];
  private readonly chunks: string[] = [];

  push(text: string): void {
    this.parts.push(text);
    if (this.parts.length >= 4096) this.flush();
  }

  /** Append text followed by a newline. */
  line(text: string): void {
    this.push(text);
    this.push('\n');
  }

  private flush(): void {
    if (this.parts.length) this.chunks.push(this.parts.join(''));
    this.parts = [];
  }

  toString(): string {
    this.flush();
    return this.chunks.join('');
  }
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

export interface OrgChartTreeNode {
  id: string;
  name: string;
  title: string | null;
  department: string | null;
  employmentStatus: EmploymentStatus;
  managerId: string | null;
  depth: number;
  span: number;
  reports: OrgChartTreeNode[];
}

export interface OrgChartTree {
  connector: string;
  company: { id: string; name: string };
  takenAt: string;
  roots: OrgChartTreeNode[];
  diagnostics: OrgChartDiagnostics;
}

function treeNode(n: OrgChartNode): OrgChartTreeNode {
  return {
    id: n.id,
    name: n.name,
    title: n.title,
    department: n.department,
    employmentStatus: n.employmentStatus,
    managerId: n.managerId,
    depth: n.depth,
    span: n.span,
    reports: [],
  };
}

/**
 * The chart as nested plain objects (built iteratively). Note that `JSON.stringify` of a very
 * deep tree overflows the stack: use {@link orgChartToJson} to serialize.
 */
export function orgChartToTree(chart: OrgChart): OrgChartTree {
  const roots: OrgChartTreeNode[] = [];
  const stack: OrgChartTreeNode[] = [];
  walk(
    chart,
    (n) => {
      const t = treeNode(n);
      if (stack.length) stack[stack.length - 1]!.reports.push(t);
      else roots.push(t);
      stack.push(t);
    },
    () => {
      stack.pop();
    },
  );
  return { connector: chart.connector, company: chart.company, takenAt: chart.takenAt, roots, diagnostics: chart.diagnostics };
}

export interface OrgChartJsonOptions {
  /** Spaces per indentation level (default 2; 0 for compact). Indentation stops growing past depth 32. */
  indent?: number;
}

/**
 * The chart as a nested JSON document: `{connector, company, takenAt, roots: [{id, name, title,
 * department, employmentStatus, managerId, depth, span, reports: [...]}], diagnostics}`.
 * Serialized iteratively, so any depth works.
 */
export function orgChartToJson(chart: OrgChart, options: OrgChartJsonOptions = {}): string {
  const indent = Math.max(0, Math.min(10, Math.floor(options.indent ?? 2)));
  const MAX_LEVEL = 32;
  const pads: string[] = [];
  for (let l = 0; l <= MAX_LEVEL; l++) pads.push(indent ? `\n${' '.repeat(indent * l)}` : '');
  const nl = (level: number) => pads[Math.min(level, MAX_LEVEL)]!;
  const sep = indent ? ': ' : ':';
  /** A small value, pretty-printed at `level` (company, diagnostics). */
  const small = (v: unknown, level: number) => (indent ? JSON.stringify(v, null, indent).replace(/\n/g, nl(level)) : JSON.stringify(v));
  const out = new Sink();
  const head = {
    connector: chart.connector,
    company: chart.company,
    takenAt: chart.takenAt,
  };
  out.push('{');
  let first = true;
  for (const [k, v] of Object.entries(head)) {
    out.push(`${first ? '' : ','}${nl(1)}${JSON.stringify(k)}${sep}${small(v, 1)}`);
    first = false;
  }
  out.push(`,${nl(1)}"roots"${sep}[`);
  // Node at depth d sits at level 2 + 2d (object), its "reports" array contents at 2 + 2(d+1).
  let wroteRoot = false;
  walk(
    chart,
    (n, index) => {
      const level = 2 + 2 * n.depth;
      const isFirst = n.depth === 0 ? !wroteRoot : index === 0;
      if (n.depth === 0) wroteRoot = true;
      const p = nl(level + 1);
      out.push(
        `${isFirst ? '' : ','}${nl(level)}{${p}"id"${sep}${JSON.stringify(n.id)},${p}"name"${sep}${JSON.stringify(n.name)},` +
          `${p}"title"${sep}${JSON.stringify(n.title)},${p}"department"${sep}${JSON.stringify(n.department)},` +
          `${p}"employmentStatus"${sep}${JSON.stringify(n.employmentStatus)},${p}"managerId"${sep}${JSON.stringify(n.managerId)},` +
          `${p}"depth"${sep}${n.depth},${p}"span"${sep}${n.span},${p}"reports"${sep}[`,
      );
    },
    (n) => {
      const level = 2 + 2 * n.depth;
      out.push(n.span ? `${nl(level + 1)}]${nl(level)}}` : `]${nl(level)}}`);
    },
  );
  out.push(`${wroteRoot ? nl(1) : ''}],${nl(1)}"diagnostics"${sep}${small(chart.diagnostics, 1)}${nl(0)}}`);
  return out.toString();
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

export interface OrgChartCsvOptions extends OrgChartOptions {
  /** What the `manager` column holds: the manager's `id` (default) or `name`. */
  manager?: 'id' | 'name';
  /**
   * Prefix cells starting with `=`, `+`, `-`, `@`, tab or CR with `'` so spreadsheets do not run
   * them as formulas (default `true`).
   */
  formulaSafe?: boolean;
}

/** One CSV cell, RFC 4180 quoting: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvCell(value: string | null | undefined, formulaSafe = true): string {
  let s = value ?? '';
  if (formulaSafe && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function isChart(x: OrgChart | OrgSnapshot): x is OrgChart {
  return x instanceof Object && 'nodes' in x && x.nodes instanceof Map;
}

/**
 * CSV with columns `id,name,title,manager,department`, one row per person in the chart in
 * pre-order (each manager before their reports), CRLF line endings. Given a snapshot, the chart is
 * built first (with `options.includeTerminated`). `manager` is the HR manager id (or name).
 */
export function orgChartToCsv(input: OrgChart | OrgSnapshot, options: OrgChartCsvOptions = {}): string {
  const chart = isChart(input) ? input : buildOrgChart(input, options);
  const safe = options.formulaSafe ?? true;
  const managerAsName = options.manager === 'name';
  const out = new Sink();
  out.push('id,name,title,manager,department\r\n');
  walk(chart, (n) => {
    let manager = n.managerId;
    if (managerAsName && manager !== null) manager = chart.nodes.get(manager)?.name ?? manager;
    out.push(`${csvCell(n.id, safe)},${csvCell(n.name, safe)},${csvCell(n.title, safe)},${csvCell(manager, safe)},${csvCell(n.department, safe)}\r\n`);
  });
  return out.toString();
}

// ---------------------------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------------------------

/**
 * Text for a Mermaid quoted label: anything beyond letters, digits, spaces and harmless
 * punctuation becomes a Mermaid entity code (`#60;`), so quotes, brackets, `<script>` and
 * newlines cannot break out of the label or inject HTML.
 */
export function mermaidLabel(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/[\p{L}\p{N}\p{M} .,_'/:@-]/u.test(ch)) out += ch;
    else out += `#${ch.codePointAt(0)};`;
  }
  return out;
}

export interface OrgChartDiagramOptions {
  /** Show job titles under names (default true). */
  titles?: boolean;
}

/** @internal */
export function flaggedIds(chart: OrgChart): Set<string> {
  const s = new Set<string>();
  const d = chart.diagnostics;
  for (const c of d.cycles) for (const id of c) s.add(id);
  for (const m of d.missingManagers) s.add(m.employeeId);
  for (const m of d.reportingToTerminated) s.add(m.employeeId);
  for (const id of d.selfManaged) s.add(id);
  return s;
}

/** A Mermaid `flowchart TD`: one node per person (`p0`, `p1`, ... with escaped labels), an edge per reporting line. */
export function orgChartToMermaid(chart: OrgChart, options: OrgChartDiagramOptions = {}): string {
  const titles = options.titles ?? true;
  const key = new Map<string, string>();
  const lines = new Sink();
  const edges = new Sink();
  lines.line('flowchart TD');
  const flagged = flaggedIds(chart);
  const warn: string[] = [];
  walk(chart, (n) => {
    const k = `p${key.size}`;
    key.set(n.id, k);
    const label = mermaidLabel(n.name) + (titles && n.title ? `<br/>${mermaidLabel(n.title)}` : '');
    lines.line(`  ${k}["${label}"]`);
    if (n.parentId !== null) edges.line(`  ${key.get(n.parentId)} --> ${k}`);
    if (flagged.has(n.id)) warn.push(k);
  });
  lines.push(edges.toString());
  if (warn.length) {
    lines.line('  classDef warn stroke:#c00,stroke-width:2px');
    lines.line(`  class ${warn.join(',')} warn`);
  }
  return lines.toString();
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT
// ---------------------------------------------------------------------------------------------

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`, other control characters dropped. */
export function dotString(text: string): string {
  const s = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, ' ');
  return `"${s}"`;
}

/** A Graphviz `digraph`: quoted, escaped ids and labels; people flagged by diagnostics are drawn in red. */
export function orgChartToDot(chart: OrgChart, options: OrgChartDiagramOptions = {}): string {
  const titles = options.titles ?? true;
  const flagged = flaggedIds(chart);
  const lines = new Sink();
  const edges = new Sink();
  lines.line(`digraph ${dotString(`orgchart ${chart.company.name}`)} {`);
  lines.line('  rankdir=TB;');
  lines.line('  node [shape=box, style=rounded, fontname="Helvetica"];');
  walk(chart, (n) => {
    const label = titles && n.title ? `${n.name}\n${n.title}` : n.name;
    lines.line(`  ${dotString(n.id)} [label=${dotString(label)}${flagged.has(n.id) ? ', color="red"' : ''}];`);
    if (n.parentId !== null) edges.line(`  ${dotString(n.parentId)} -> ${dotString(n.id)};`);
  });
  lines.push(edges.toString());
  lines.line('}');
  return lines.toString();
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

export { escapeHtml, orgChartToHtml, type OrgChartHtmlOptions } from './org-chart-html.js';
