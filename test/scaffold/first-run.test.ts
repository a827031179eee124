/**
 * The kit, run as a contributor runs it (vitest in a child process, on the generated conformance
 * tests), fails where it must: the unfinished scaffold's first run lists every unfinished part at
 * once; a finished connector with a contributor's mistake ("terminated" without a date read as
 * ACTIVE, the HiBob story of issue 15) fails with the person and the field named in words, while
 * its other checks pass. A kit that could not fail here would be worthless.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scaffoldConnector } from '../../src/cli/scaffold.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { root } from '../helpers/fixtures.js';
import { fillToyConnector } from './fill.js';

const base = path.join(root, 'test', '.tmp', `first-run-${process.pid}`);
fs.rmSync(base, { recursive: true, force: true });
const core = path.join(root, 'src');
await scaffoldConnector({ id: 'raw-run', root: base, coreDir: core });
await scaffoldConnector({ id: 'slip-run', root: base, coreDir: core, auth: 'basic', paging: 'page' });
fillToyConnector(
  path.join(base, 'connectors', 'slip-run'),
  { id: 'slip-run', name: 'Slip Run', auth: 'basic', lists: 'endpoints' },
  {
    // The contributor's mistake: only a termination date makes someone TERMINATED.
    mistake: `if (row.status === 'terminated' && !row.end) d.employmentStatus = 'ACTIVE';`,
  },
);
fs.writeFileSync(
  path.join(base, 'vitest.config.mjs'),
  `export default { test: { include: ['test/**/*.test.ts'], testTimeout: 20000, hookTimeout: 30000 } };\n`,
);

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('the conformance kit fails a contributor’s first run and their mistakes', () => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'),
  );
  const run = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--root',
      base,
      '--config',
      path.join(base, 'vitest.config.mjs'),
      '--reporter',
      'verbose',
      '--no-color',
    ],
    {
      cwd: base,
      env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const out = `${run.stdout}\n${run.stderr}`;

  it('the run fails', () => {
    expect(run.error, out.slice(-2000)).toBeUndefined();
    expect(run.status, out.slice(-2000)).toBe(1);
  });

  it('the unfinished scaffold: one test lists every unfinished part at once, file by file', () => {
    const listed = /raw-run is not finished; (\d+) part\(s\) left:\n((?:\s+- .*\n)+)/.exec(out);
    expect(listed, out.slice(0, 4000)).not.toBeNull();
    const lines = listed![2]!
      .trim()
      .split('\n')
      .map((l) => l.trim());
    expect(Number(listed![1])).toBe(lines.length);
    for (const file of ['index.ts', 'schemas.ts', 'map.ts', 'simulator.ts', 'README.md'])
      expect(
        lines.some((l) => l.startsWith(`- ${file}:`)),
        file,
      ).toBe(true);
    // Each part says what to do, in words.
    for (const l of lines) expect(l, l).toMatch(/^- [\w.]+:\d+: [A-Za-z][^|]{15,}$/);
    expect(out).toMatch(/The first run failed: raw-run: the simulator data is not written yet/);
  });

  it('the mistake: the dateless leavers are named with the field, in words; the other fields pass', () => {
    const org = sampleOrg({ size: 120, today: '2026-06-01' });
    const dateless = org.people.filter((p) => p.status === 'terminated' && !p.terminationDate);
    expect(out).toContain(
      `slip-run reads ${dateless.length} of 120 sample people wrongly (${dateless.length} fields):`,
    );
    for (const p of dateless) {
      expect(out).toContain(
        `${p.firstName} ${p.lastName} (sample person #${p.key}, employee e-${p.key}): employment status should be TERMINATED (the person is terminated, with no termination date (the status alone says so)), but reads ACTIVE (vendor value 'terminated')`,
      );
    }
    expect(out).toMatch(/✓ .*connector conformance: slip-run > every sample person reads with the right manager/);
    expect(out).toMatch(
      /× .*connector conformance: slip-run > every sample person reads with the right employment status/,
    );
  });
});
