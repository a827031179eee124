/**
 * The contributor's work on a scaffolded connector, for a toy vendor: its row shape, the pure mapper,
 * the simulator data, and every TODO(new-connector) marker removed. Works for every combination the
 * scaffold generates (auth, paging, lists from endpoints or rows). `mistake` plants a bug in the mapper
 * (for tests proving the kit catches it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { simCredentials, type ConnectorDescription } from '../../src/cli/scaffold-templates.js';

export interface Fill {
  /** Extra code at the end of mapEmployee, before `return d;`, that may change `d` (the draft) using `row`. */
  mistake?: string;
  /** Leave the TODO(new-connector) markers in place. */
  keepMarkers?: boolean;
}

const camel = (id: string) => id.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function fillToyConnector(
  dir: string,
  d: Pick<ConnectorDescription, 'id' | 'name' | 'auth' | 'lists'>,
  o: Fill = {},
): void {
  const v = camel(d.id);
  const T = d.name.replace(/\W/g, '');
  const rows = d.lists === 'rows';
  const file = (f: string) => path.join(dir, f);
  const edit = (f: string, fn: (s: string) => string) =>
    fs.writeFileSync(file(f), fn(fs.readFileSync(file(f), 'utf8')));

  edit('schemas.ts', (s) =>
    s.replace(
      /export const EmployeeRowSchema = z\.looseObject\(\{[\s\S]*?\}\);/,
      `export const EmployeeRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  email: z.string().nullable(),
  first: z.string(),
  last: z.string(),
  title: z.string().nullable(),
  dept: z.string().nullable(),
  dept_id: z.string().nullable(),
  loc: z.string().nullable(),
  loc_id: z.string().nullable(),
  manager_id: z.string().nullable(),
  status: z.string(),
  kind: z.string().nullable(),
  start: z.string().nullable(),
  end: z.string().nullable(),
});`,
    ),
  );

  edit('map.ts', (s) =>
    s
      .replace(
        /export function mapEmployee[\s\S]*?\n}\n/,
        `export function mapEmployee(row: EmployeeRow${rows ? ', ctx: ListsContext' : ''}): EmployeeDraft {
  const status = ({ active: 'ACTIVE', leave: 'LEAVE', onboarding: 'PENDING', terminated: 'TERMINATED' } as const)[row.status] ?? 'UNKNOWN';
  const type = ({ ft: 'FULL_TIME', pt: 'PART_TIME', contractor: 'CONTRACTOR', intern: 'INTERN', temp: 'TEMPORARY' } as const)[row.kind ?? ''] ?? (row.kind ? 'OTHER' : null);
  const d: EmployeeDraft = {
    id: row.id, employeeNumber: null, firstName: row.first, lastName: row.last, preferredName: null,
    workEmail: row.email, personalEmail: null, jobTitle: row.title, managerId: row.manager_id,
    groupIds: ${rows ? 'row.dept ? [rememberGroup(ctx, row.dept)] : []' : 'row.dept_id ? [row.dept_id] : []'},
    locationId: ${rows ? 'row.loc ? rememberLocation(ctx, row.loc) : null' : 'row.loc_id'},
    employmentStatus: status, employmentStatusRaw: row.status, employmentType: type, employmentTypeRaw: row.kind,
    startDate: row.start, terminationDate: row.end,
  };
  ${o.mistake ?? ''}
  return d;
}
`,
      )
      .replace(
        /export function mapCompany[\s\S]*?\n}\n/,
        `export function mapCompany(options: ${T}Options): Company {
  void options;
  return { id: 'toy', name: 'Toy Co', legalName: null };
}
`,
      ),
  );

  edit('simulator.ts', (s) =>
    s.replace(
      new RegExp(`export function ${v}DataFromSample[\\s\\S]*?\\n}\\n`),
      `export function ${v}DataFromSample(org: SampleOrg): ${T}SimData {
  const dept = new Map(org.departments.map((d, i) => [d.name, 'd' + i]));
  const loc = new Map(org.locations.map((l, i) => [l.name, 'l' + i]));
  const kinds = { full_time: 'ft', part_time: 'pt', contractor: 'contractor', intern: 'intern', temporary: 'temp' } as const;
  return {
    credentials: ${simCredentials(d as ConnectorDescription)},
    ${
      rows
        ? ''
        : `departments: org.departments.map((d) => ({ id: dept.get(d.name), name: d.name })),
    locations: org.locations.map((l) => ({ id: loc.get(l.name), name: l.name })),`
    }
    employees: org.people.map((p) => ({
      id: ${v}EmployeeId(p.key), email: p.workEmail, first: p.firstName, last: p.lastName, title: p.title,
      dept: p.department, dept_id: dept.get(p.department) ?? null, loc: p.location, loc_id: loc.get(p.location) ?? null,
      manager_id: p.managerKey ? ${v}EmployeeId(p.managerKey) : null,
      status: p.status === 'pending' ? 'onboarding' : p.status, kind: kinds[p.type], start: p.hireDate, end: p.terminationDate,
    })),
  };
}
`,
    ),
  );

  if (!o.keepMarkers) {
    for (const f of fs.readdirSync(dir)) {
      if (/\.(ts|md)$/.test(f)) edit(f, (s) => s.replace(/^.*TODO\(new-connector\).*\n/gm, ''));
    }
  }
}
