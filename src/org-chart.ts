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
function walk(chart: OrgChart, enter: (node: OrgChartNode, index: number) => void, leave?: (node: OrgChartNode, index: number) => void): void {
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
class Sink {
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

function flaggedIds(chart: OrgChart): Set<string> {
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

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface OrgChartHtmlOptions {
  /** Page title (default: `Org chart — <company name>`). */
  title?: string;
  /** Levels expanded when the page opens (default 3); deeper levels are collapsed (click to open). */
  openDepth?: number;
}

const HTML_STYLE = `
:root{--line:#b8c2cc;--card:#fff;--ink:#1f2933;--muted:#616e7c;--warn:#b42318;--bg:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;padding:24px;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}
.meta{color:var(--muted);margin:0 0 16px}
.diagnostics{border:1px solid #f3c7c3;background:#fff5f4;border-radius:8px;padding:12px 16px;margin:0 0 20px}
.diagnostics h2{font-size:15px;margin:0 0 8px;color:var(--warn)}
.diagnostics h3{font-size:13px;margin:8px 0 4px}
.diagnostics ul{margin:0;padding-left:20px}
.ok{color:#067647;margin:0 0 20px}
ul.tree,ul.tree ul{list-style:none;margin:0;padding:0}
ul.tree ul{margin-left:22px}
ul.tree li{position:relative;padding:6px 0 0 22px}
ul.tree li::before{content:"";position:absolute;left:0;top:0;bottom:0;border-left:1px solid var(--line)}
ul.tree li:last-child::before{bottom:auto;height:26px}
ul.tree li::after{content:"";position:absolute;left:0;top:26px;width:20px;border-top:1px solid var(--line)}
ul.tree>li{padding-left:0}
ul.tree>li::before,ul.tree>li::after{display:none}
details>summary{list-style:none;cursor:pointer}
details>summary::-webkit-details-marker{display:none}
.card{display:inline-block;vertical-align:top;min-width:220px;max-width:420px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 10px;box-shadow:0 1px 2px rgba(0,0,0,.05)}
details>summary .card::after{content:" ▸";color:var(--muted)}
details[open]>summary .card::after{content:" ▾"}
.card.flag{border-color:var(--warn);box-shadow:0 0 0 1px var(--warn)}
.name{font-weight:600}
.title,.dept,.span{color:var(--muted);font-size:12px}
.badge{display:inline-block;font-size:11px;padding:0 6px;border-radius:10px;background:#eef2f6;color:var(--muted);margin-left:6px}
`;

/**
 * A self-contained HTML page (inline CSS, no scripts, no external resources; a Content Security
 * Policy forbids scripts outright) drawing the chart as nested boxes with connecting lines, with
 * the diagnostics on top. Every name, title and id is HTML-escaped.
 */
export function orgChartToHtml(chart: OrgChart, options: OrgChartHtmlOptions = {}): string {
  const openDepth = options.openDepth ?? 3;
  const title = options.title ?? `Org chart — ${chart.company.name}`;
  const e = escapeHtml;
  const nameOfId = (id: string) => {
    const n = chart.nodes.get(id);
    return n ? `${e(n.name)} <span class="badge">${e(id)}</span>` : `<span class="badge">${e(id)}</span>`;
  };
  const flagged = flaggedIds(chart);
  const d = chart.diagnostics;

  const out = new Sink();
  const head = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${e(chart.company.name)}</h1>`,
    `<p class="meta">${chart.nodes.size} ${chart.nodes.size === 1 ? 'person' : 'people'} · ${chart.roots.length} ${chart.roots.length === 1 ? 'root' : 'roots'} · snapshot ${e(chart.takenAt)} · ${e(chart.connector)}${chart.includeTerminated ? ' · including terminated employees' : ''}</p>`,
  ];
  for (const l of head) out.line(l);

  const problems = d.cycles.length + d.missingManagers.length + d.reportingToTerminated.length + d.selfManaged.length + d.duplicateIds.length;
  if (problems === 0) {
    out.line('<p class="ok" id="diagnostics">No reporting-line problems found.</p>');
  } else {
    out.line(`<section class="diagnostics" id="diagnostics"><h2>${problems} reporting-line ${problems === 1 ? 'problem' : 'problems'}</h2>`);
    const section = (heading: string, items: string[]) => {
      if (items.length) out.line(`<h3>${e(heading)} (${items.length})</h3><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`);
    };
    section('Reporting cycles', d.cycles.map((c) => c.map(nameOfId).join(' → ') + ` → ${nameOfId(c[0]!)}`));
    section('Managers missing from the snapshot', d.missingManagers.map((m) => `${nameOfId(m.employeeId)} reports to unknown id <span class="badge">${e(m.managerId)}</span>`));
    section('Reporting to a terminated manager', d.reportingToTerminated.map((m) => `${nameOfId(m.employeeId)} reports to terminated <span class="badge">${e(m.managerId)}</span>`));
    section('Their own manager', d.selfManaged.map(nameOfId));
    section('Duplicate ids in the snapshot', d.duplicateIds.map((id) => `<span class="badge">${e(id)}</span>`));
    out.line('</section>');
  }

  out.line('<main><ul class="tree">');
  const card = (n: OrgChartNode) => {
    const parts = [`<span class="name">${e(n.name)}</span>`];
    if (n.employmentStatus !== 'ACTIVE') parts.push(`<span class="badge">${e(n.employmentStatus)}</span>`);
    if (n.title) parts.push(`<div class="title">${e(n.title)}</div>`);
    if (n.department) parts.push(`<div class="dept">${e(n.department)}</div>`);
    if (n.span) parts.push(`<div class="span">${n.span} direct ${n.span === 1 ? 'report' : 'reports'}</div>`);
    return `<div class="card${flagged.has(n.id) ? ' flag' : ''}" data-id="${e(n.id)}">${parts.join('')}</div>`;
  };
  walk(
    chart,
    (n) => {
      if (n.span) out.line(`<li><details${n.depth < openDepth ? ' open' : ''}><summary>${card(n)}</summary><ul>`);
      else out.line(`<li>${card(n)}`);
    },
    (n) => {
      out.line(n.span ? '</ul></details></li>' : '</li>');
    },
  );
  out.line('</ul></main>');
  out.line('</body>');
  out.line('</html>');
  return out.toString();
}
