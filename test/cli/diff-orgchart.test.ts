import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo, snapshotPair } from '../helpers/cli.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';

let dir: string;
const org = sampleOrg({ size: 30 });

const io = captureIo;

let pair: Awaited<ReturnType<typeof snapshotPair>>;
beforeAll(async () => {
  pair = await snapshotPair(org, 'orgsync-cli2-');
  ({ dir } = pair);
});
afterAll(() => pair.close());

describe('orgsync diff', () => {
  it('prints the change events as text', async () => {
    const t = io();
    expect(await main(['diff', path.join(dir, 'old.json'), path.join(dir, 'new.json')], t.io)).toBe(0);
    const text = t.text();
    expect(text).toMatch(/^\d+ changes from .* \(.*1 HIRE.*\)/);
    expect(text).toMatch(/HIRE {2}Wren Castellanos/);
    expect(text).toMatch(/TERMINATION {2}/);
    expect(text).toMatch(/TITLE_CHANGE .*jobTitle: '.*' → 'Senior /);
  });

  it('prints JSON with a summary and stable event ids', async () => {
    const a = io();
    const b = io();
    await main(['diff', path.join(dir, 'old.json'), path.join(dir, 'new.json'), '--format', 'json'], a.io);
    await main(['diff', path.join(dir, 'old.json'), path.join(dir, 'new.json'), '--format', 'json'], b.io);
    const ja = JSON.parse(a.text());
    expect(ja.summary.HIRE).toBe(1);
    expect(ja.events.map((e: { id: string }) => e.id)).toEqual(
      JSON.parse(b.text()).events.map((e: { id: string }) => e.id),
    );
  });

  it('refuses snapshots given newest first (exit 2) unless --allow-older; plan --from NEW --to OLD too', async () => {
    const [oldFile, newFile] = [path.join(dir, 'old.json'), path.join(dir, 'new.json')];
    // The pair is taken in quick succession: make the order unmistakable.
    const older = JSON.parse(fs.readFileSync(oldFile, 'utf8'));
    const early = path.join(dir, 'early.json');
    fs.writeFileSync(early, JSON.stringify({ ...older, takenAt: '2020-01-01T00:00:00.000Z' }));
    const t = io();
    expect(await main(['diff', newFile, early], t.io)).toBe(2);
    expect(t.text()).toBe('');
    expect(t.errText()).toMatch(/current snapshot \(taken 2020-01-01T00:00:00.000Z\) is older than the previous one/);
    expect(t.errText()).toMatch(/--allow-older/);

    const ok = io();
    expect(await main(['diff', newFile, early, '--allow-older', '--format', 'json'], ok.io)).toBe(0);
    const backwards = JSON.parse(ok.text());
    expect(backwards.summary.REMOTE_DELETED).toBe(1); // Wren's hire, seen in reverse
    expect(backwards.summary.REHIRE).toBeGreaterThan(0);
    const forwards = io();
    expect(await main(['diff', early, newFile, '--format', 'json'], forwards.io)).toBe(0);
    expect(JSON.parse(forwards.text()).summary.REHIRE).toBe(0);

    const misplaced = io();
    expect(await main(['diff', '--allow-older', newFile, early], misplaced.io)).toBe(2);
    expect(misplaced.errText()).toMatch(/--allow-older takes no value/);

    const rules = path.resolve(__dirname, '../../examples/rules/department-access.json');
    const plan = io();
    expect(await main(['plan', '--rules', rules, '--from', newFile, '--to', early], plan.io)).toBe(2);
    expect(plan.errText()).toMatch(/is older than the previous one/);
    const planOk = io();
    expect(
      await main(
        ['plan', '--rules', rules, '--from', newFile, '--to', early, '--allow-older', '--format', 'json'],
        planOk.io,
      ),
    ).toBe(0);
    expect(JSON.parse(planOk.text()).kind).toBeDefined();
  });

  it('refuses files that are not complete snapshots', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ schemaVersion: 1, connector: 'bamboohr', complete: false }));
    const t = io();
    expect(await main(['diff', bad, path.join(dir, 'new.json')], t.io)).toBe(1);
    expect(t.errText()).toMatch(/validation error: Snapshot .* is not a complete orgsync snapshot/);
    const t2 = io();
    expect(
      await main(['diff', path.join(dir, 'old.json'), path.join(dir, 'new.json'), '--format', 'yaml'], t2.io),
    ).toBe(2);
    expect(t2.errText()).toMatch(/--format must be one of text\|json/);
  });
});

describe('orgsync orgchart', () => {
  for (const [format, pattern] of [
    ['json', /"roots"/],
    ['csv', /^id,name,title,manager,department/],
    ['mermaid', /^(graph|flowchart) /m],
    ['dot', /^digraph /m],
    ['html', /<!DOCTYPE html>/i],
  ] as const) {
    it(`exports ${format}`, async () => {
      const t = io();
      expect(await main(['orgchart', path.join(dir, 'new.json'), '--format', format], t.io)).toBe(0);
      expect(t.text()).toMatch(pattern);
      expect(t.text()).toContain('Castellanos');
    });
  }

  it('writes to --out atomically', async () => {
    const out = path.join(dir, 'chart.html');
    expect(await main(['orgchart', path.join(dir, 'new.json'), '--format', 'html', '--out', out], io().io)).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/<\/html>/i);
  });
});
