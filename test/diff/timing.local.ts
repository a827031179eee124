/**
 * Local timing check for diffSnapshots (not a test): `npx tsx test/diff/timing.local.ts [N]`.
 * Builds N employees (default 100,000), changes 1% of them, and times the diff.
 */
import { diffSnapshots } from '../../src/diff.js';
import type { Employee } from '../../src/model.js';
import { makeEmployee, makeGroup, makeSnapshot } from './helpers.js';

const n = Number(process.argv[2] ?? 100_000);
const groups = Array.from({ length: 50 }, (_, i) => makeGroup({ id: `g${i}` }));
const prev: Employee[] = [];
for (let i = 0; i < n; i++) {
  prev.push(
    makeEmployee({
      id: String(i),
      managerId: i === 0 ? null : String(Math.floor((i - 1) / 8)),
      groupIds: [`g${i % 50}`, `g${(i * 7) % 50}`],
      customFields: { costCenter: `cc${i % 100}`, level: i % 7, tags: ['a', 'b'] },
    }),
  );
}
const cur: Employee[] = structuredClone(prev);
const step = 100; // 1%
for (let i = 1; i < n; i += step) {
  const k = (i / step) % 5;
  const e = cur[i]!;
  if (k === 0) e.jobTitle = 'Senior Engineer';
  else if (k === 1) e.managerId = '0';
  else if (k === 2) e.employmentStatus = 'TERMINATED';
  else if (k === 3) e.groupIds = [...e.groupIds].reverse().concat('g49');
  else e.customFields = { ...e.customFields, level: 99 };
}
const a = makeSnapshot({ employees: prev, groups });
const b = makeSnapshot({ employees: cur, groups });

for (const validate of [true, false]) {
  for (let r = 0; r < 4; r++) {
    const t = performance.now();
    const ev = diffSnapshots(a, b, { now: '2026-01-01', validate });
    const ms = performance.now() - t;
    console.log(`validate=${validate} n=${n} events=${ev.length} ${ms.toFixed(1)} ms`);
  }
}
