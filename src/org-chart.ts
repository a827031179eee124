/**
 * Org chart: the reporting tree of a snapshot, its diagnostics (cycles, missing or terminated
 * managers, self-managers) and exporters (JSON, CSV, Mermaid, Graphviz DOT, self-contained HTML).
 *
 * Everything here is linear in the number of employees and iterative (no recursion), so bad data
 * (reporting cycles, million-deep chains) cannot loop forever or overflow the stack.
 *
 * The parts live in ./org-chart/: build.ts (tree and diagnostics), walk.ts (iterative walk, sink),
 * json.ts (tree/JSON), csv.ts, diagrams.ts (Mermaid, DOT); HTML is in org-chart-html.ts.
 */
export {
  type OrgChartOptions,
  type OrgChartNode,
  type OrgChartDiagnostics,
  type OrgChart,
  buildOrgChart,
  chainOfCommand,
} from './org-chart/build.js';
export { walk, Sink } from './org-chart/walk.js';
export {
  type OrgChartTreeNode,
  type OrgChartTree,
  orgChartToTree,
  type OrgChartJsonOptions,
  orgChartToJson,
} from './org-chart/json.js';
export { type OrgChartCsvOptions, csvCell, orgChartToCsv } from './org-chart/csv.js';
export {
  mermaidLabel,
  type OrgChartDiagramOptions,
  flaggedIds,
  orgChartToMermaid,
  dotString,
  orgChartToDot,
} from './org-chart/diagrams.js';
export { escapeHtml, orgChartToHtml, type OrgChartHtmlOptions } from './org-chart-html.js';
