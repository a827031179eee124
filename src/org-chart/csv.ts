/**
 * The chart as CSV (formula-safe cells).
 */
import type { OrgSnapshot } from '../model.js';
import { buildOrgChart, type OrgChart, type OrgChartOptions } from './build.js';
import { Sink, walk } from './walk.js';

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
    out.push(
      `${csvCell(n.id, safe)},${csvCell(n.name, safe)},${csvCell(n.title, safe)},${csvCell(manager, safe)},${csvCell(n.department, safe)}\r\n`,
    );
  });
  return out.toString();
}
