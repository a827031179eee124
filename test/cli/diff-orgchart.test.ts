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
    expect(ja.events.map((e: { id: string }) => e.id)).toEqual(JSON.parse(b.text()).events.map((e: { id: string }) => e.id));
  });

  it('refuses files that are not complete snapshots', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ schemaVersion: 1, connector: 'bamboohr', complete: false }));
    const t = io();
    expect(await main(['diff', bad, path.join(dir, 'new.json')], t.io)).toBe(1);
    expect(t.errText()).toMatch(/validation error: Snapshot .* is not a complete orgsync snapshot/);
    const t2 = io();
    expect(await main(['diff', path.join(dir, 'old.json'), path.join(dir, 'new.json'), '--format', 'yaml'], t2.io)).toBe(2);
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
