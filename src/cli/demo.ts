/**
 * `orgsync demo`: start a vendor simulator on loopback with a built-in sample company, take a
 * snapshot with the real connector code, and print a readable summary. No credentials, no
 * network beyond 127.0.0.1.
 */
import { connectors } from '../../connectors/index.js';
import { simulators } from '../../connectors/simulators.js';
import { takeSnapshot } from '../snapshot.js';
import { applySampleChanges, sampleOrg } from '../simulator/sample-org.js';
import { sync } from '../sync.js';
import { diffSnapshots, formatChangesText, summarizeChanges } from '../diff.js';
import { formatPlanText, loadRuleSet, planProvisioning } from '../provisioning/index.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrgSnapshot } from '../model.js';
import type { Io } from './io.js';
import type { ProgressEvent } from '../http/client.js';
import { createProgress } from './progress.js';

export interface DemoOptions {
  vendor: string;
  size?: number | undefined;
  /** No progress on stderr. */
  quiet?: boolean;
  io: Io;
}

export async function runDemo(o: DemoOptions): Promise<number> {
  const { io } = o;
  const factory = connectors[o.vendor];
  const simulator = simulators[o.vendor];
  if (!factory || !simulator) {
    io.stderr(`orgsync demo: unknown vendor '${o.vendor}'. One of: ${Object.keys(simulators).join(', ')}.\n`);
    return 2;
  }
  if (o.size !== undefined && (!Number.isSafeInteger(o.size) || o.size < 1)) {
    io.stderr(`orgsync demo: --size must be a positive integer, got '${o.size}'.\n`);
    return 2;
  }
  const started = Date.now();
  const progress = createProgress({ io, label: 'demo', quiet: o.quiet ?? false });
  progress.phase(`building a sample company of ${o.size ?? 40} people`);
  const org = sampleOrg({ size: o.size ?? 40 });
  const running = await simulator.start(org);
  const { sim, options } = running;
  try {
    progress.phase(`reading it from the ${factory.definition.name} simulator`);
    const connector = factory({ ...options, http: { onProgress: (e: ProgressEvent) => progress.event(e) } });
    const snapshot = await takeSnapshot(connector);
    progress.done();
    io.stdout(
      `orgsync demo: ${factory.definition.name} simulator on ${sim.url} serving "${org.companyName}" (${org.people.length} people)\n\n`,
    );
    io.stdout(summarize(snapshot));

    // Simulated HR changes, then a second sync (incremental where the vendor allows it) and the change events.
    const changed = applySampleChanges(org);
    const changedAt = new Date(Date.now() + 1000);
    running.update(changed, changedAt);
    progress.phase('second sync after simulated HR changes');
    const second = await sync(connector, { previous: snapshot, now: new Date(changedAt.getTime() + 1000) });
    progress.done();
    const events = diffSnapshots(snapshot, second.snapshot);
    const counts = Object.entries(summarizeChanges(events)).filter(([, n]) => n > 0);
    io.stdout(
      `\nAfter simulated HR changes: second sync (${second.mode}${second.reason ? `: ${second.reason}` : ''}), ${events.length} change events${counts.length ? ` (${counts.map(([t, n]) => `${n} ${t}`).join(', ')})` : ''}\n`,
    );
    io.stdout(
      formatChangesText(events, { groups: second.snapshot.groups, locations: second.snapshot.locations }).replace(
        /^/gm,
        '  ',
      ),
    );
    // What the provisioning helper would do about it, with the sample rules (dry run).
    const rulesFile = exampleRulesFile();
    if (rulesFile) {
      const rules = await loadRuleSet(rulesFile);
      const plan = planProvisioning(events, rules, { previous: snapshot, current: second.snapshot });
      io.stdout(`\nProvisioning plan (dry run) with ${path.relative(process.cwd(), rulesFile) || rulesFile}:\n`);
      io.stdout(formatPlanText(plan).replace(/^/gm, '  '));
    }
    io.stdout(`\n${sim.stats.requests} requests to the simulator, ${Date.now() - started} ms in all.\n`);
  } finally {
    progress.done();
    await sim.close();
  }
  return 0;
}

/** A readable summary of a snapshot: headcount by status and department, and the top of the org tree. */
export function summarize(s: OrgSnapshot, treeDepth = 2): string {
  const lines: string[] = [];
  lines.push(`Snapshot of ${s.company.name} via ${s.connector}, taken ${s.takenAt}`);
  lines.push(
    `${s.employees.length} employees, ${s.groups.length} groups, ${s.locations.length} locations${s.warnings.length ? `, ${s.warnings.length} warnings` : ''}`,
  );
  lines.push('');
  lines.push('Headcount by status');
  const byStatus = count(s.employees.map((e) => e.employmentStatus));
  for (const [k, v] of byStatus) lines.push(`  ${k.padEnd(12)} ${String(v).padStart(5)}`);
  lines.push('');
  lines.push('Headcount by department (not terminated)');
  const groupName = new Map(s.groups.map((g) => [g.id, g]));
  const depts = count(
    s.employees
      .filter((e) => e.employmentStatus !== 'TERMINATED')
      .map((e) => e.groupIds.map((g) => groupName.get(g)).find((g) => g?.type === 'DEPARTMENT')?.name ?? '(none)'),
  );
  for (const [k, v] of depts) lines.push(`  ${k.padEnd(24)} ${String(v).padStart(5)}`);
  lines.push('');
  lines.push(`Org chart (top ${treeDepth + 1} levels)`);
  const current = s.employees.filter((e) => e.employmentStatus !== 'TERMINATED');
  const ids = new Set(current.map((e) => e.id));
  const reports = new Map<string, typeof current>();
  for (const e of current) {
    const m = e.managerId && ids.has(e.managerId) && e.managerId !== e.id ? e.managerId : '';
    const list = reports.get(m) ?? [];
    list.push(e);
    reports.set(m, list);
  }
  const seen = new Set<string>();
  const walk = (managerKey: string, depth: number, prefix: string) => {
    const list = (reports.get(managerKey) ?? []).sort((a, b) => a.displayName.localeCompare(b.displayName));
    for (const e of list) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      const n = reports.get(e.id)?.length ?? 0;
      lines.push(
        `${prefix}${e.displayName} — ${e.jobTitle ?? 'no title'}${e.employmentStatus !== 'ACTIVE' ? ` [${e.employmentStatus}]` : ''}${n ? ` (${n} direct report${n === 1 ? '' : 's'})` : ''}`,
      );
      if (depth < treeDepth) walk(e.id, depth + 1, `${prefix}  `);
    }
  };
  walk('', 0, '  ');
  return lines.join('\n') + '\n';
}

function count(values: string[]): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The sample rule set shipped in examples/ (found from src/ or dist/). */
export function exampleRulesFile(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const f = path.join(dir, 'examples', 'rules', 'department-access.json');
    if (existsSync(f)) return f;
    dir = path.dirname(dir);
  }
  return undefined;
}
