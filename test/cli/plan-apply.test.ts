import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo, cliSnapshot, snapshotPair } from '../helpers/cli.js';
import { simulators } from '../../connectors/simulators.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { root } from '../helpers/fixtures.js';

let dir: string;
const org = sampleOrg({ size: 40 });
const rules = path.join(root, 'examples/rules/department-access.json');

const io = captureIo;

let pair: Awaited<ReturnType<typeof snapshotPair>>;
beforeAll(async () => {
  pair = await snapshotPair(org, 'orgsync-plan-');
  ({ dir } = pair);
});
afterAll(() => pair.close());

describe('orgsync plan / apply', () => {
  it('plans as text and JSON, deterministically', async () => {
    const t = io();
    expect(
      await main(
        ['plan', '--rules', rules, '--from', path.join(dir, 'old.json'), '--to', path.join(dir, 'new.json')],
        t.io,
      ),
    ).toBe(0);
    expect(t.text()).toMatch(/Wren Castellanos/);
    expect(t.text()).toMatch(/createUser/);
    expect(t.text()).toMatch(/suspendUser/);
    const a = io();
    const b = io();
    const now = '2026-11-26T12:00:00Z';
    await main(
      [
        'plan',
        '--rules',
        rules,
        '--from',
        path.join(dir, 'old.json'),
        '--to',
        path.join(dir, 'new.json'),
        '--format',
        'json',
        '--now',
        now,
      ],
      a.io,
    );
    await main(
      [
        'plan',
        '--rules',
        rules,
        '--from',
        path.join(dir, 'old.json'),
        '--to',
        path.join(dir, 'new.json'),
        '--format',
        'json',
        '--now',
        now,
      ],
      b.io,
    );
    expect(a.text()).toBe(b.text());
    expect(JSON.parse(a.text()).planId).toMatch(/\w{8,}/);
  });

  it('applies with the console handler, journals, and does nothing twice on a re-run', async () => {
    const planFile = path.join(dir, 'plan.json');
    const now = new Date(Date.now() + 3 * 86_400_000).toISOString(); // after the start and termination dates
    expect(
      await main(
        [
          'plan',
          '--rules',
          rules,
          '--from',
          path.join(dir, 'old.json'),
          '--to',
          path.join(dir, 'new.json'),
          '--format',
          'json',
          '--out',
          planFile,
          '--now',
          now,
        ],
        io().io,
      ),
    ).toBe(0);
    const first = io();
    expect(await main(['apply', planFile, '--now', now], first.io)).toBe(0);
    expect(first.text()).toMatch(/^createUser /m);
    expect(first.text()).toMatch(/^suspendUser /m);
    expect(first.errText()).toMatch(/\d+ done, 0 already done, 0 failed/);
    expect(fs.existsSync(planFile.replace(/\.json$/, '.journal.json'))).toBe(true);
    const second = io();
    expect(await main(['apply', planFile, '--now', now, '--handler', 'json'], second.io)).toBe(0);
    expect(second.text()).toBe('');
    expect(second.errText()).toMatch(/0 done, \d+ already done/);
  });

  it('halts a mass termination (exit 3) until the plan id is approved', async () => {
    const mass = {
      ...org,
      people: org.people.map((p) =>
        p.key > 8 && p.status === 'active' ? { ...p, status: 'terminated' as const, terminationDate: '2026-01-05' } : p,
      ),
    };
    const sim2 = await simulators['bamboohr']!.start(org);
    try {
      const snap = (file: string) => cliSnapshot(sim2, file);
      await snap(path.join(dir, 'm-old.json'));
      sim2.update(mass);
      await snap(path.join(dir, 'm-new.json'));
    } finally {
      await sim2.sim.close();
    }
    const planFile = path.join(dir, 'mass-plan.json');
    expect(
      await main(
        [
          'plan',
          '--rules',
          rules,
          '--from',
          path.join(dir, 'm-old.json'),
          '--to',
          path.join(dir, 'm-new.json'),
          '--format',
          'json',
          '--out',
          planFile,
        ],
        io().io,
      ),
    ).toBe(0);
    const planId = JSON.parse(fs.readFileSync(planFile, 'utf8')).planId as string;
    const halted = io();
    expect(await main(['apply', planFile], halted.io)).toBe(3);
    expect(halted.text()).not.toMatch(/suspendUser/);
    expect(halted.errText()).toMatch(/HALTED by a safety stop; nothing was executed/);
    expect(halted.errText()).toContain(`--approve ${planId}`);
    const wrong = io();
    expect(await main(['apply', planFile, '--approve', 'not-this-plan'], wrong.io)).toBe(3);
    const approved = io();
    expect(await main(['apply', planFile, '--approve', planId], approved.io)).toBe(0);
    expect(approved.text()).toMatch(/^suspendUser /m);
  });

  it('rejects a bad rule file with a clear error', async () => {
    const bad = path.join(dir, 'bad-rules.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({ version: 1, rules: [{ id: 'x', when: { attribute: 'shoeSize', op: 'equals', value: 1 } }] }),
    );
    const t = io();
    expect(
      await main(
        ['plan', '--rules', bad, '--from', path.join(dir, 'old.json'), '--to', path.join(dir, 'new.json')],
        t.io,
      ),
    ).toBe(1);
    expect(t.errText()).toMatch(/validation error/);
  });
});
