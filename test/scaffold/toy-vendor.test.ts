/**
 * A connector scaffolded by `orgsync new-connector`, filled in for a toy vendor, passes the same
 * conformance suite as the shipped connectors; the unfilled scaffold fails it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { detectScaffoldMode, scaffoldConnector } from '../../src/cli/scaffold.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/cli.js';
import { runConnectorConformance } from '../../src/testing/conformance.js';
import { startSimulator } from '../../src/simulator/server.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { root } from '../helpers/fixtures.js';

// Inside the repository so the scaffold's imports (zod, the core) resolve.
const base = path.join(root, 'test', '.tmp', `scaffold-${process.pid}`);
fs.rmSync(base, { recursive: true, force: true });
const unfilled = await scaffoldConnector({ id: 'toy-raw', root: base, coreDir: path.join(root, 'src') });
const made = await scaffoldConnector({ id: 'toyhr', root: base, coreDir: path.join(root, 'src') });
const dir = path.join(base, 'connectors', 'toyhr');

// The contributor's work: the vendor's row shape, the pure mapper, the simulator data.
fs.writeFileSync(
  path.join(dir, 'schemas.ts'),
  `import { z } from 'zod';
export const EmployeeRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  email: z.string().nullable(),
  first: z.string(),
  last: z.string(),
  title: z.string().nullable(),
  dept_id: z.string().nullable(),
  manager_id: z.string().nullable(),
  status: z.string(),
  kind: z.string().nullable(),
  start: z.string().nullable(),
  end: z.string().nullable(),
});
export type EmployeeRow = z.infer<typeof EmployeeRowSchema>;
export const GroupRowSchema = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), name: z.string() });
export type GroupRow = z.infer<typeof GroupRowSchema>;
`,
);
fs.writeFileSync(
  path.join(dir, 'map.ts'),
  fs
    .readFileSync(path.join(dir, 'map.ts'), 'utf8')
    .replace(/export function mapEmployee[\s\S]*?\n}\n/, `export function mapEmployee(row: EmployeeRow): EmployeeDraft {
  const status = ({ active: 'ACTIVE', leave: 'LEAVE', onboarding: 'PENDING', terminated: 'TERMINATED' } as const)[row.status] ?? 'UNKNOWN';
  const type = ({ ft: 'FULL_TIME', pt: 'PART_TIME', contractor: 'CONTRACTOR', intern: 'INTERN', temp: 'TEMPORARY' } as const)[row.kind ?? ''] ?? (row.kind ? 'OTHER' : null);
  return {
    id: row.id, employeeNumber: null, firstName: row.first, lastName: row.last, preferredName: null,
    workEmail: row.email, personalEmail: null, jobTitle: row.title, managerId: row.manager_id,
    groupIds: row.dept_id ? [row.dept_id] : [], locationId: null,
    employmentStatus: status, employmentStatusRaw: row.status, employmentType: type, employmentTypeRaw: row.kind,
    startDate: row.start, terminationDate: row.end,
  };
}
`)
    .replace(/export function mapCompany[\s\S]*?\n}\n/, `export function mapCompany(): Company {
  return { id: 'toy', name: 'Toy Co', legalName: null };
}
`),
);
fs.writeFileSync(
  path.join(dir, 'simulator.ts'),
  fs
    .readFileSync(path.join(dir, 'simulator.ts'), 'utf8')
    .replace(/export function toyhrDataFromSample[\s\S]*?\n}\n/, `export function toyhrDataFromSample(org: SampleOrg): ToyhrSimData {
  const dept = new Map(org.departments.map((d, i) => [d.name, 'd' + i]));
  const kinds = { full_time: 'ft', part_time: 'pt', contractor: 'contractor', intern: 'intern', temporary: 'temp' } as const;
  return {
    token: 'toy-token-0123456789',
    departments: org.departments.map((d) => ({ id: dept.get(d.name), name: d.name })),
    employees: org.people.map((p) => ({
      id: 'u' + p.key, email: p.workEmail, first: p.firstName, last: p.lastName, title: p.title,
      dept_id: dept.get(p.department) ?? null, manager_id: p.managerKey ? 'u' + p.managerKey : null,
      status: p.status === 'pending' ? 'onboarding' : p.status, kind: kinds[p.type], start: p.hireDate, end: p.terminationDate,
    })),
  };
}
`),
);

const connector = await import(path.join(dir, 'index.ts'));
const simulator = await import(path.join(dir, 'simulator.ts'));

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('orgsync new-connector', () => {
  it('creates the declaration, schemas, mapper, simulator, README, fixtures folder and a conformance test', () => {
    expect(made.files.sort()).toEqual(
      ['connectors/toyhr/README.md', 'connectors/toyhr/index.ts', 'connectors/toyhr/map.ts', 'connectors/toyhr/schemas.ts', 'connectors/toyhr/simulator.ts', 'fixtures/toyhr/README.md', 'test/connectors/toyhr/conformance.test.ts'].sort(),
    );
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| `managerId` \| TODO \|/);
  });

  it('the unfilled scaffold fails until the connector is written', async () => {
    const raw = await import(path.join(base, 'connectors', 'toy-raw', 'index.ts'));
    const rawSim = await import(path.join(base, 'connectors', 'toy-raw', 'simulator.ts'));
    expect(() => rawSim.toyRawDataFromSample(sampleOrg({ size: 5 }))).toThrow(/not written yet/);
    const sim = await startSimulator(rawSim.toyRawRoutes({ token: 't-0000', employees: [{ id: 1 }], departments: [] }));
    try {
      const err = await takeSnapshot(raw.toyRaw({ apiToken: 't-0000', baseUrl: `${sim.url}/v1` })).catch((e: unknown) => e);
      expect(String((err as Error).message)).toMatch(/not written yet/);
    } finally {
      await sim.close();
    }
    expect(unfilled.files).toContain('test/connectors/toy-raw/conformance.test.ts');
  });

  it('refuses an invalid or existing id', async () => {
    await expect(scaffoldConnector({ id: 'Bad Id', root: base })).rejects.toThrow(/not a valid connector id/);
    await expect(scaffoldConnector({ id: 'toyhr', root: base })).rejects.toThrow(/already exists/);
  });
});

runConnectorConformance(connector.toyhr, {
  async start(org) {
    const data = simulator.toyhrDataFromSample(org);
    const sim = await startSimulator(simulator.toyhrRoutes(data));
    return { sim, options: { apiToken: data.token, baseUrl: `${sim.url}/v1` } };
  },
  badCredentials: (o) => ({ ...o, apiToken: 'revoked-token-000' }),
  employeesPath: '/v1/employees',
  paged: true,
  sample: { personId: (p) => 'u' + p.key, groups: { department: 'DEPARTMENT' }, notApplicable: { location: 'the toy vendor has no locations' } },
});

describe('orgsync new-connector in a user project (not this repository)', () => {
  it('scaffolds a connector package that imports orgsync and orgsync/testing, never ../../src', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-user-project-'));
    try {
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'acme-app', version: '1.0.0' }));
      expect(detectScaffoldMode(project)).toBe('package');
      expect(detectScaffoldMode(root)).toBe('repo');
      const t = captureIo();
      expect(await main(['new-connector', 'acmehr', '--root', project], t.io)).toBe(0);
      expect(t.text()).toMatch(/a connector package that depends on orgsync/);
      expect(t.text()).toMatch(/npx vitest run connectors\/acmehr/);
      const dir = path.join(project, 'connectors', 'acmehr');
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(pkg.dependencies.orgsync).toMatch(/^\^\d+\.\d+\.\d+$/);
      expect(pkg.dependencies.zod).toBeDefined();
      const text = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
      expect(text('index.ts')).toContain(`import { defineConnector, offsetPaging } from 'orgsync';`);
      expect(text('map.ts')).toContain(`import type { Company, EmployeeDraft, Group } from 'orgsync';`);
      expect(text('simulator.ts')).toContain(`from 'orgsync/testing';`);
      expect(text('test/conformance.test.ts')).toContain(`import { runConnectorConformance, startSimulator } from 'orgsync/testing';`);
      expect(text('test/conformance.test.ts')).toContain(`from '../index.js'`);
      for (const f of ['index.ts', 'map.ts', 'simulator.ts', 'schemas.ts', 'test/conformance.test.ts']) expect(text(f), f).not.toMatch(/\.\.\/src\/|\/src\//);
      // The repository layout is not touched in a user's project.
      expect(fs.existsSync(path.join(project, 'test'))).toBe(false);
      expect(fs.existsSync(path.join(project, 'fixtures'))).toBe(false);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
