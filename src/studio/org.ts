/**
 * The org chart as the studio pages it: the reporting tree is built once, then served a level at a
 * time (children of one person, paged) so that a 10,000-person company never renders at once.
 */
import { buildOrgChart, type OrgChart } from '../org-chart.js';
import type { OrgSnapshot } from '../model.js';

export interface OrgNodeView {
  id: string;
  name: string;
  title: string | null;
  department: string | null;
  status: string;
  /** Direct reports. */
  span: number;
  /** Everyone below this person. */
  size: number;
}

export interface OrgPage {
  parent: string | null;
  total: number;
  offset: number;
  nodes: OrgNodeView[];
}

export interface OrgIndex {
  chart: OrgChart;
  people: number;
  /** Headcount per department (first DEPARTMENT group), sorted by name. */
  departments: Array<{ department: string; people: number }>;
  children(parent: string | null, offset?: number, limit?: number): OrgPage;
  /** People whose name, title, email, department or id contains `q`, each with the chain of command down to them. */
  search(
    q: string,
    limit?: number,
  ): { total: number; results: Array<OrgNodeView & { chain: Array<{ id: string; name: string }> }> };
}

export const ORG_PAGE_SIZE = 100;

export function buildOrgIndex(snapshot: OrgSnapshot): OrgIndex {
  const chart = buildOrgChart(snapshot);
  const size = new Map<string, number>();
  // Post-order without recursion (deep chains must not overflow the stack).
  const order: string[] = [];
  const stack = [...chart.roots];
  while (stack.length) {
    const id = stack.pop()!;
    order.push(id);
    for (const c of chart.nodes.get(id)?.directReports ?? []) stack.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = chart.nodes.get(order[i]!)!;
    let s = 0;
    for (const c of n.directReports) s += 1 + (size.get(c) ?? 0);
    size.set(n.id, s);
  }
  const view = (id: string): OrgNodeView => {
    const n = chart.nodes.get(id)!;
    return {
      id,
      name: n.name,
      title: n.title,
      department: n.department,
      status: n.employmentStatus,
      span: n.span,
      size: size.get(id) ?? 0,
    };
  };
  const depts = new Map<string, number>();
  for (const n of chart.nodes.values()) {
    const d = n.department ?? '(no department)';
    depts.set(d, (depts.get(d) ?? 0) + 1);
  }
  const haystack = new Map<string, string>();
  for (const n of chart.nodes.values())
    haystack.set(
      n.id,
      `${n.name}\n${n.title ?? ''}\n${n.workEmail ?? ''}\n${n.department ?? ''}\n${n.id}`.toLowerCase(),
    );
  return {
    chart,
    people: chart.nodes.size,
    departments: [...depts.entries()]
      .map(([department, people]) => ({ department, people }))
      .sort((a, b) => (a.department < b.department ? -1 : a.department > b.department ? 1 : 0)),
    children(parent, offset = 0, limit = ORG_PAGE_SIZE) {
      const ids = parent === null ? chart.roots : (chart.nodes.get(parent)?.directReports ?? []);
      const lim = Math.max(1, Math.min(limit, 500));
      const off = Math.max(0, offset);
      return { parent, total: ids.length, offset: off, nodes: ids.slice(off, off + lim).map(view) };
    },
    search(q, limit = 50) {
      const needle = q.trim().toLowerCase();
      if (!needle) return { total: 0, results: [] };
      const hits: string[] = [];
      for (const [id, text] of haystack) if (text.includes(needle)) hits.push(id);
      return {
        total: hits.length,
        results: hits.slice(0, Math.max(1, Math.min(limit, 200))).map((id) => ({
          ...view(id),
          chain: chart.nodes.get(id)!.chain.map((c) => ({ id: c, name: chart.nodes.get(c)?.name ?? c })),
        })),
      };
    },
  };
}
