import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrgSnapshot } from '../../src/model.js';
import { emp, snap } from '../provisioning/helpers.js';

const DEPTS = [
  ['g-eng', 'Engineering'],
  ['g-sales', 'Sales'],
  ['g-fin', 'Finance'],
] as const;

/** A company of `n` people under one CEO: department heads, then teams of 8 under each manager. */
export function company(n: number, o: { takenAt?: string; flat?: boolean } = {}): OrgSnapshot {
  const people = [
    emp('ceo', { firstName: 'Ada', lastName: 'Chief', displayName: 'Ada Chief', jobTitle: 'CEO', groupIds: [] }),
  ];
  DEPTS.forEach(([gid, name], i) => {
    people.push(
      emp(`head-${i}`, {
        firstName: name,
        displayName: `${name} Head`,
        jobTitle: `${name} Manager`,
        managerId: 'ceo',
        groupIds: [gid],
      }),
    );
  });
  const byDept = new Map<string, typeof people>(DEPTS.map(([gid], i) => [gid, [people[1 + i]!]]));
  for (let i = people.length; i < n; i++) {
    const d = i % DEPTS.length;
    const [gid, name] = DEPTS[d]!;
    const sameDept = byDept.get(gid)!;
    const manager = o.flat ? people[1 + d]! : (sameDept[Math.floor((sameDept.length - 1) / 8)] ?? people[1 + d]!);
    const isManager = sameDept.length % 8 === 0;
    people.push(
      emp(`e${i}`, {
        firstName: `Person${i}`,
        displayName: `Person${i} ${name}`,
        jobTitle: isManager ? `${name} Manager` : `${name} Specialist`,
        managerId: manager.id,
        groupIds: [gid],
      }),
    );
    sameDept.push(people[people.length - 1]!);
  }
  return snap(people, { takenAt: o.takenAt ?? '2025-03-01T12:00:00Z' });
}

export const RULES = {
  version: 1,
  name: 'Acme app access',
  rules: [
    {
      id: 'engineering',
      when: { attribute: 'department', op: 'equals', value: 'Engineering' },
      grant: { role: 'admin', groups: ['engineering'] },
    },
    {
      id: 'engineering-managers',
      when: {
        all: [
          { attribute: 'department', op: 'equals', value: 'Engineering' },
          { attribute: 'title', op: 'matches', pattern: 'Manager' },
        ],
      },
      grant: { groups: ['eng-managers'] },
    },
    {
      id: 'sales',
      when: { attribute: 'department', op: 'equals', value: 'Sales' },
      grant: { role: 'member', licenses: ['crm'] },
    },
  ],
  policy: { thresholds: { maxDeprovisionCount: 2, maxDeprovisionPercent: 50 } },
};

/** previous.json (n people), current.json (3 terminated, 1 hired), rules.json in a temp folder. */
export function studioFiles(
  n = 40,
  o: { flat?: boolean } = {},
): { dir: string; snapshot: string; previous: string; rules: string } {
  const dir = mkdtempSync(join(tmpdir(), 'orgsync-studio-'));
  const previous = company(n, { takenAt: '2025-03-01T12:00:00Z', ...o });
  const current = company(n + 1, { takenAt: '2025-03-02T12:00:00Z', ...o });
  for (const id of [`e${n - 1}`, `e${n - 2}`, `e${n - 3}`]) {
    const p = current.employees.find((e) => e.id === id)!;
    Object.assign(p, {
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'Inactive',
      terminationDate: '2025-03-01',
    });
  }
  const files = {
    dir,
    snapshot: join(dir, 'current.json'),
    previous: join(dir, 'previous.json'),
    rules: join(dir, 'rules.json'),
  };
  writeFileSync(files.previous, JSON.stringify(previous));
  writeFileSync(files.snapshot, JSON.stringify(current));
  writeFileSync(files.rules, JSON.stringify(RULES, null, 2) + '\n', { mode: 0o644 });
  return files;
}
