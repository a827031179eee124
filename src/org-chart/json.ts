/**
 * The chart as a nested tree and as JSON.
 */
import type { EmploymentStatus } from '../model.js';
import type { OrgChart, OrgChartDiagnostics, OrgChartNode } from './build.js';
import { Sink, walk } from './walk.js';

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
  return {
    connector: chart.connector,
    company: chart.company,
    takenAt: chart.takenAt,
    roots,
    diagnostics: chart.diagnostics,
  };
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
  const small = (v: unknown, level: number) =>
    indent ? JSON.stringify(v, null, indent).replace(/\n/g, nl(level)) : JSON.stringify(v);
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
