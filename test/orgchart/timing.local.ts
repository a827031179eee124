/**
 * Local timing check for buildOrgChart (not a test): `npx tsx test/orgchart/timing.local.ts [N] [deep]`.
 * Builds N employees (default 1,000,000) in a wide tree, or one single chain with `deep`.
 */
import { buildOrgChart, orgChartToCsv, orgChartToJson } from '../../src/org-chart.js';
import type { Employee, OrgSnapshot } from '../../src/model.js';

const n = Number(process.argv[2] ?? 1_000_000);
const deep = process.argv[3] === 'deep';
const employees: Employee[] = new Array(n);
for (let i = 0; i < n; i++) {
  employees[i] = {
    id: `e${i}`,
    employeeNumber: null,
    firstName: 'F',
    lastName: `L${i}`,
    preferredName: null,
    displayName: `F L${i}`,
    workEmail: null,
    personalEmail: null,
    jobTitle: 'Engineer',
    managerId: i === 0 ? null : deep ? `e${i - 1}` : `e${Math.floor((i - 1) / 8)}`,
    groupIds: ['d1'],
    locationId: null,
    employmentStatus: 'ACTIVE',
    employmentStatusRaw: null,
    employmentType: null,
    employmentTypeRaw: null,
    startDate: null,
    terminationDate: null,
    customFields: {},
  };
}
const snap: OrgSnapshot = {
  schemaVersion: 1,
  connector: 'x',
  takenAt: '2026-01-01T00:00:00Z',
  complete: true,
  company: { id: 'c', name: 'C', legalName: null },
  employees,
  groups: [{ id: 'd1', name: 'Eng', type: 'DEPARTMENT', parentId: null }],
  locations: [],
  warnings: [],
};
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  const chart = buildOrgChart(snap);
  const t1 = performance.now();
  const csv = orgChartToCsv(chart);
  const t2 = performance.now();
  orgChartToJson(chart, { indent: 0 });
  const t3 = performance.now();
  const last = chart.nodes.get(`e${n - 1}`)!;
  console.log(
    `n=${n} deep=${deep} build ${(t1 - t).toFixed(0)} ms, csv ${(t2 - t1).toFixed(0)} ms (${csv.length} chars), json ${(t3 - t2).toFixed(0)} ms; last depth ${last.depth}, chain ${last.chain.length}`,
  );
}
