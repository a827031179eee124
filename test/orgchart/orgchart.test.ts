import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Employee, OrgSnapshot } from '../../src/model.js';
import {
  buildOrgChart,
  chainOfCommand,
  csvCell,
  dotString,
  mermaidLabel,
  orgChartToCsv,
  orgChartToDot,
  orgChartToHtml,
  orgChartToJson,
  orgChartToMermaid,
  orgChartToTree,
} from '../../src/org-chart.js';
import { makeEmployee, makeGroup, makeSnapshot } from '../diff/helpers.js';

/**
 *            ceo
 *          /     \
 *       cto       cfo
 *      /   \        \
 *   dev1   dev2     acc (LEAVE)
 */
function company(): OrgSnapshot {
  const e = (id: string, name: string, managerId: string | null, extra: Partial<Employee> = {}) =>
    makeEmployee({
      id,
      displayName: name,
      firstName: name.split(' ')[0]!,
      lastName: name.split(' ')[1] ?? null,
      managerId,
      ...extra,
    });
  return makeSnapshot({
    employees: [
      e('dev2', 'Bea Dev', 'cto', { jobTitle: 'Engineer', groupIds: ['t1', 'd-eng'] }),
      e('ceo', 'Cleo Chief', null, { jobTitle: 'CEO' }),
      e('cto', 'Tom Tech', 'ceo', { jobTitle: 'CTO', groupIds: ['d-eng'] }),
      e('dev1', 'Abe Dev', 'cto', { jobTitle: 'Engineer', groupIds: ['d-eng'] }),
      e('cfo', 'Fay Fin', 'ceo', { jobTitle: 'CFO', groupIds: ['d-fin'] }),
      e('acc', 'Al Count', 'cfo', { jobTitle: 'Accountant', employmentStatus: 'LEAVE', groupIds: ['d-fin'] }),
      e('gone', 'Gus Gone', 'cto', { employmentStatus: 'TERMINATED' }),
    ],
    groups: [
      makeGroup({ id: 't1', name: 'Platform Team', type: 'TEAM' }),
      makeGroup({ id: 'd-eng', name: 'Engineering' }),
      makeGroup({ id: 'd-fin', name: 'Finance, Legal & "Admin"' }),
    ],
  });
}

describe('buildOrgChart', () => {
  const chart = buildOrgChart(company());

  it('finds roots, direct reports (sorted by name), depth, span and department', () => {
    expect(chart.roots).toEqual(['ceo']);
    const ceo = chart.nodes.get('ceo')!;
    expect(ceo.directReports).toEqual(['cfo', 'cto']); // Fay Fin < Tom Tech
    expect(ceo.span).toBe(2);
    expect(ceo.depth).toBe(0);
    const cto = chart.nodes.get('cto')!;
    expect(cto.directReports).toEqual(['dev1', 'dev2']);
    expect(cto.parentId).toBe('ceo');
    const dev2 = chart.nodes.get('dev2')!;
    expect(dev2).toMatchObject({
      name: 'Bea Dev',
      title: 'Engineer',
      depth: 2,
      span: 0,
      department: 'Engineering',
      managerId: 'cto',
    });
    expect(chart.nodes.get('acc')!.employmentStatus).toBe('LEAVE');
  });

  it('gives each person their chain of command from the root', () => {
    expect(chart.nodes.get('dev1')!.chain).toEqual(['ceo', 'cto', 'dev1']);
    expect(chart.nodes.get('ceo')!.chain).toEqual(['ceo']);
    expect(chainOfCommand(chart, 'acc')).toEqual(['ceo', 'cfo', 'acc']);
    expect(chainOfCommand(chart, 'nobody')).toBeUndefined();
  });

  it('leaves out TERMINATED employees by default, includes them on request', () => {
    expect(chart.nodes.has('gone')).toBe(false);
    expect(chart.nodes.size).toBe(6);
    const all = buildOrgChart(company(), { includeTerminated: true });
    expect(all.nodes.get('gone')!.parentId).toBe('cto');
    expect(all.nodes.get('cto')!.directReports).toEqual(['dev1', 'dev2', 'gone']);
  });

  it('reports no diagnostics for a clean org', () => {
    expect(chart.diagnostics).toEqual({
      cycles: [],
      missingManagers: [],
      reportingToTerminated: [],
      selfManaged: [],
      duplicateIds: [],
    });
  });

  it('node JSON does not drag the whole chart along', () => {
    const json = JSON.stringify(chart.nodes.get('dev1'));
    expect(JSON.parse(json)).toMatchObject({ id: 'dev1', parentId: 'cto' });
    expect(json.length).toBeLessThan(400);
  });
});

describe('buildOrgChart diagnostics', () => {
  it('detects reporting cycles, breaks them at the smallest id, and hangs the rest below', () => {
    const snap = makeSnapshot({
      employees: [
        makeEmployee({ id: 'c', managerId: 'a' }),
        makeEmployee({ id: 'a', managerId: 'b' }),
        makeEmployee({ id: 'b', managerId: 'c' }),
        makeEmployee({ id: 'x', managerId: 'b' }),
        makeEmployee({ id: 'p', managerId: 'q' }),
        makeEmployee({ id: 'q', managerId: 'p' }),
      ],
    });
    const chart = buildOrgChart(snap);
    expect(chart.diagnostics.cycles).toEqual([
      ['a', 'b', 'c'],
      ['p', 'q'],
    ]);
    expect(chart.roots.sort()).toEqual(['a', 'p']);
    expect(chart.nodes.get('a')!.parentId).toBeNull();
    expect(chart.nodes.get('c')!.chain).toEqual(['a', 'c']);
    expect(chart.nodes.get('b')!.chain).toEqual(['a', 'c', 'b']);
    expect(chart.nodes.get('x')!.chain).toEqual(['a', 'c', 'b', 'x']);
    expect(chart.nodes.get('q')!.depth).toBe(1);
  });

  it('reports managers missing from the snapshot, self-managers and duplicate ids', () => {
    const snap = makeSnapshot({
      employees: [
        makeEmployee({ id: 'a', managerId: 'ghost' }),
        makeEmployee({ id: 'b', managerId: 'b' }),
        makeEmployee({ id: 'c', managerId: 'a' }),
        makeEmployee({ id: 'c', managerId: null, jobTitle: 'duplicate' }),
      ],
    });
    const chart = buildOrgChart(snap);
    expect(chart.diagnostics.missingManagers).toEqual([{ employeeId: 'a', managerId: 'ghost' }]);
    expect(chart.diagnostics.selfManaged).toEqual(['b']);
    expect(chart.diagnostics.duplicateIds).toEqual(['c']);
    expect(chart.roots.sort()).toEqual(['a', 'b']);
    expect(chart.nodes.get('c')!.managerId).toBe('a'); // first record wins
  });

  it('reports active employees reporting to terminated managers and makes them roots', () => {
    const snap = makeSnapshot({
      employees: [
        makeEmployee({ id: 'boss', employmentStatus: 'TERMINATED' }),
        makeEmployee({ id: 'r1', managerId: 'boss' }),
        makeEmployee({ id: 'r2', managerId: 'boss', employmentStatus: 'TERMINATED' }),
        makeEmployee({ id: 'r3', managerId: 'r1' }),
      ],
    });
    const chart = buildOrgChart(snap);
    expect(chart.diagnostics.reportingToTerminated).toEqual([{ employeeId: 'r1', managerId: 'boss' }]);
    expect(chart.diagnostics.missingManagers).toEqual([]);
    expect(chart.roots).toEqual(['r1']);
    expect(chart.nodes.get('r3')!.chain).toEqual(['r1', 'r3']);
    const all = buildOrgChart(snap, { includeTerminated: true });
    expect(all.diagnostics.reportingToTerminated).toEqual([{ employeeId: 'r1', managerId: 'boss' }]);
    expect(all.nodes.get('r1')!.parentId).toBe('boss');
  });

  it('handles a 100,000-deep chain and a 100,000-node cycle without recursion', () => {
    const n = 100_000; // far beyond what recursion survives (~10k frames)
    const employees = Array.from({ length: n }, (_, i) =>
      makeEmployee({ id: `p${i}`, managerId: i === 0 ? null : `p${i - 1}` }),
    );
    const chart = buildOrgChart(makeSnapshot({ employees }));
    expect(chart.roots).toEqual(['p0']);
    const last = chart.nodes.get(`p${n - 1}`)!;
    expect(last.depth).toBe(n - 1);
    expect(last.chain.length).toBe(n);
    expect(last.chain[0]).toBe('p0');
    const json = orgChartToJson(chart, { indent: 0 });
    expect(json.length).toBeGreaterThan(n * 50);
    expect(orgChartToCsv(chart).split('\r\n').length).toBe(n + 2);
    expect(orgChartToTree(chart).roots[0]!.reports[0]!.id).toBe('p1');
    expect(orgChartToHtml(chart)).toContain(`data-id="p${n - 1}"`);
    expect(orgChartToMermaid(chart).split('\n').length).toBe(2 * n + 1); // header + n nodes + n-1 edges + final newline
    expect(orgChartToDot(chart)).toContain(`"p${n - 2}" -> "p${n - 1}";`);

    // Close the chain into one big cycle.
    employees[0] = { ...employees[0]!, managerId: `p${n - 1}` };
    const cyclic = buildOrgChart(makeSnapshot({ employees }));
    expect(cyclic.diagnostics.cycles.length).toBe(1);
    expect(cyclic.diagnostics.cycles[0]!.length).toBe(n);
    expect(cyclic.roots).toEqual(['p0']);
  }, 60_000);
});

describe('exporters', () => {
  const chart = buildOrgChart(company());

  it('orgChartToJson: a nested tree that parses, in chart order, with diagnostics', () => {
    for (const indent of [0, 2]) {
      const doc = JSON.parse(orgChartToJson(chart, { indent }));
      expect(doc.company).toEqual({ id: 'acme', name: 'Acme Inc' });
      expect(doc.roots.map((r: { id: string }) => r.id)).toEqual(['ceo']);
      const ceo = doc.roots[0];
      expect(ceo.reports.map((r: { id: string }) => r.id)).toEqual(['cfo', 'cto']);
      expect(ceo.reports[1].reports.map((r: { name: string }) => r.name)).toEqual(['Abe Dev', 'Bea Dev']);
      expect(ceo.reports[1].reports[0]).toMatchObject({
        title: 'Engineer',
        department: 'Engineering',
        depth: 2,
        span: 0,
        reports: [],
      });
      expect(doc.diagnostics.cycles).toEqual([]);
      expect(doc).toEqual(JSON.parse(JSON.stringify(orgChartToTree(chart))));
    }
    const empty = JSON.parse(orgChartToJson(buildOrgChart(makeSnapshot())));
    expect(empty.roots).toEqual([]);
  });

  it('orgChartToCsv: header, pre-order rows, RFC 4180 quoting, first DEPARTMENT group', () => {
    const csv = orgChartToCsv(chart);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,name,title,manager,department');
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(['ceo', 'cfo', 'acc', 'cto', 'dev1', 'dev2']);
    expect(lines).toContain('dev2,Bea Dev,Engineer,cto,Engineering'); // t1 is a TEAM, skipped
    expect(lines).toContain('acc,Al Count,Accountant,cfo,"Finance, Legal & ""Admin"""');
    expect(lines).toContain('ceo,Cleo Chief,CEO,,');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(orgChartToCsv(company())).toBe(csv); // from a snapshot
    expect(orgChartToCsv(chart, { manager: 'name' })).toContain('dev2,Bea Dev,Engineer,Tom Tech,Engineering');
  });

  it('csvCell quotes commas, quotes and newlines, and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('=1+1', false)).toBe('=1+1');
    const tricky = buildOrgChart(
      makeSnapshot({ employees: [makeEmployee({ id: '1', displayName: 'Doe, "J"\nJr', jobTitle: '@cmd' })] }),
    );
    expect(orgChartToCsv(tricky).split('\r\n')[1]).toBe(`1,"Doe, ""J""\nJr",'@cmd,,`);
  });

  const nasty = makeSnapshot({
    employees: [
      makeEmployee({ id: 'b"oss', displayName: 'Ann "The Boss" <b>O\'Neil</b>', jobTitle: 'C\\E\\O\nx' }),
      makeEmployee({ id: 'r]1', displayName: 'Rex [x] {y} (z) | #1; end', managerId: 'b"oss', jobTitle: null }),
    ],
  });
  const nastyChart = buildOrgChart(nasty);

  it('orgChartToMermaid: safe node ids, entity-escaped labels, edges', () => {
    const m = orgChartToMermaid(nastyChart);
    const lines = m.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines[1]).toBe(`  p0["Ann #34;The Boss#34; #60;b#62;O'Neil#60;/b#62;<br/>C#92;E#92;O#10;x"]`);
    expect(lines[2]).toBe('  p1["Rex #91;x#93; #123;y#125; #40;z#41; #124; #35;1#59; end"]');
    expect(lines[3]).toBe('  p0 --> p1');
    // No raw quote, bracket or angle bracket inside any label.
    for (const l of lines.slice(1, 3)) {
      const label = l.slice(l.indexOf('["') + 2, l.lastIndexOf('"]'));
      expect(label.replace(/<br\/>/g, '')).not.toMatch(/["[\]<>{}|()\n]/);
    }
    expect(mermaidLabel('José Ñ')).toBe('José Ñ');
  });

  it('orgChartToMermaid marks people flagged by diagnostics', () => {
    const snap = makeSnapshot({ employees: [makeEmployee({ id: 'a', managerId: 'zz' }), makeEmployee({ id: 'b' })] });
    const m = orgChartToMermaid(buildOrgChart(snap));
    expect(m).toContain('classDef warn');
    expect(m).toMatch(/class p\d warn/);
  });

  it('orgChartToDot: quoted, escaped ids and labels', () => {
    const dot = orgChartToDot(nastyChart);
    expect(dot.startsWith('digraph "orgchart Acme Inc" {')).toBe(true);
    expect(dot).toContain(`"b\\"oss" [label="Ann \\"The Boss\\" <b>O'Neil</b>\\nC\\\\E\\\\O\\nx"];`);
    expect(dot).toContain(`"b\\"oss" -> "r]1";`);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    expect(dotString('a\r\nb\u0007')).toBe('"a\\nb "');
    // Every line is a complete statement: no raw newline escaped into a label.
    for (const l of dot.trimEnd().split('\n').slice(3, -1)) expect(l).toMatch(/;$/);
  });

  it('orgChartToHtml: self-contained, escaped, with diagnostics', () => {
    const html = orgChartToHtml(nastyChart);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // One script, the page's own (search, expand/collapse), allowed by its hash; nothing external.
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]![1]!, 'utf8').digest('base64');
    expect(html).toMatch(
      new RegExp(
        `Content-Security-Policy" content="default-src 'none'; [^"]*script-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'"`,
      ),
    );
    expect(html.replace(scripts[0]![0], '')).not.toMatch(/<script|src=|href=|@import|url\(/i);
    expect(html).toContain('Ann &#34;The Boss&#34; &#60;b&#62;O&#39;Neil&#60;/b&#62;');
    expect(html).toContain('No reporting-line problems found.');
    const diag = orgChartToHtml(
      buildOrgChart(makeSnapshot({ employees: [makeEmployee({ id: 'a', managerId: '<ghost>' })] })),
    );
    expect(diag).toContain('Managers missing from the snapshot (1)');
    expect(diag).toContain('&#60;ghost&#62;');
  });
});
