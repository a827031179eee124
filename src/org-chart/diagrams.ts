/**
 * The chart as Mermaid and Graphviz DOT diagrams.
 */
import type { OrgChart } from './build.js';
import { Sink, walk } from './walk.js';

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
