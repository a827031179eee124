/**
 * The built `orgsync` binary behaves like a Unix tool: usage and --help/--version, exit codes,
 * clean config errors for bad files and arguments, and a quiet exit when the reader of a pipe
 * (`| head`) goes away.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulators } from '../../connectors/simulators.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { COMMANDS } from '../../src/cli/help.js';
import { bin, ensureBuilt, runBin } from '../helpers/bin.js';
import { cliSnapshot } from '../helpers/cli.js';
import { root } from '../helpers/fixtures.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-bin-'));
const rules = path.join(root, 'examples', 'rules', 'department-access.json');

beforeAll(async () => {
  ensureBuilt();
  // Two snapshots far apart (10 people, then 3000): thousands of change events and plan actions,
  // far more output than a pipe buffer holds.
  const running = await simulators['bamboohr']!.start(sampleOrg({ size: 3000 }));
  try {
    await cliSnapshot(running, path.join(dir, 'new.json'));
  } finally {
    await running.sim.close();
  }
  const snap = JSON.parse(fs.readFileSync(path.join(dir, 'new.json'), 'utf8'));
  const keep = new Set(snap.employees.slice(0, 10).map((e: { id: string }) => e.id));
  snap.employees = snap.employees.slice(0, 10).map((e: { managerId: string | null }) => ({
    ...e,
    managerId: e.managerId && keep.has(e.managerId) ? e.managerId : null,
  }));
  fs.writeFileSync(path.join(dir, 'old.json'), JSON.stringify(snap));
}, 300_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Run a shell pipeline `orgsync ARGS | head -n 1` and report orgsync's exit code and stderr. */
function pipeToHead(args: string): { code: number; stderr: string; head: string } {
  const err = path.join(dir, `err-${Math.random().toString(36).slice(2)}.txt`);
  const script = `"${process.execPath}" "${bin}" ${args} 2>"${err}" | head -n 1; echo "exit=\${PIPESTATUS[0]}"`;
  const out = execFileSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const code = Number(/exit=(\d+)/.exec(out)![1]);
  return { code, stderr: fs.readFileSync(err, 'utf8'), head: out.split('\n')[0]! };
}

describe('orgsync binary: usage', { timeout: 180_000 }, () => {
  it('no command: usage on stderr, exit 2; --version; help', async () => {
    const none = await runBin([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no command given/);
    for (const c of Object.keys(COMMANDS)) expect(none.stderr).toContain(`orgsync ${c}`);
    const v = await runBin(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(
      `orgsync ${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}`,
    );
    const help = await runBin(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: orgsync <command>/);
  });

  it('--help on every command prints its usage and runs nothing', async () => {
    for (const c of Object.keys(COMMANDS).filter((c) => c !== 'help')) {
      const r = await runBin([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain(`Usage: orgsync ${c}`);
      expect(r.stderr, c).toBe('');
    }
    const vendor = await runBin(['snapshot', 'bamboohr', '--help']);
    expect(vendor.stdout).toMatch(
      /Options of bamboohr:[\s\S]*--api-key VALUE \[secret; env ORGSYNC_BAMBOOHR_API_KEY\]/,
    );
  });

  it('demo shows its progress on stderr (plain lines in a pipe), the report on stdout', async () => {
    const r = await runBin(['demo', '--size', '300']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^demo: building a sample company of 300 people\ndemo: reading it from the BambooHR simulator\ndemo: employees page 1 \(300 records\)\n/,
    );
    expect(r.stderr).toMatch(/demo: second sync after simulated HR changes/);
    expect(r.stdout).toMatch(/^orgsync demo: BambooHR simulator .* \(300 people\)/);
    expect(r.stdout).not.toMatch(/demo: building/);
  });

  it('connectors lists each flag once (SCIM --base-url)', async () => {
    const r = await runBin(['connectors']);
    const scim = r.stdout.split('\n\n').find((s) => s.startsWith('scim'))!;
    expect(scim.match(/--base-url/g)).toHaveLength(1);
  });
});

describe(
  'orgsync binary: errors are clean config errors (exit 2), never "unexpected error"',
  { timeout: 180_000 },
  () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['plan', '--rules', 'missing.json', '--from', 'old.json', '--to', 'new.json'],
        /config error: Cannot read --rules 'missing.json': ENOENT/,
      ],
      [
        ['plan', '--rules', rules, '--from', 'nope.json', '--to', 'new.json'],
        /config error: Cannot read snapshot 'nope.json': ENOENT/,
      ],
      [['diff', 'old.json', 'new.json', 'extra.json'], /'diff' takes 2 arguments; unexpected: 'extra.json'/],
      [['diff', 'old.json', 'missing.json'], /Cannot read snapshot 'missing.json'/],
      [
        ['orgchart', 'new.json', '--format', 'csv', '--out', 'new.json/chart.csv'],
        /config error: cannot mkdir '.*new\.json': .*\(EEXIST\)|config error: cannot .*new\.json.*\(ENOTDIR\)/,
      ],
      [['apply', 'missing-plan.json'], /config error: Cannot read plan 'missing-plan.json': ENOENT/],
      [['demo', '--size', '0'], /--size must be a positive integer, got '0'/],
      [['demo', '--size', '-5'], /--size must be a positive integer, got '-5'/],
      [['demo', '--size', 'abc'], /--size must be a positive integer, got 'abc'/],
      [['simulate', 'bamboohr', '--size', '0'], /--size must be a positive integer/],
      [['simulate', 'nosuch'], /unknown vendor 'nosuch'/],
      [['demo', '--sise', '3000'], /Unknown option --sise for 'demo'\. Options: --vendor, --size, --quiet/],
      [
        ['snapshot', 'bamboohr', '--out', 'x.json'],
        /missing --subdomain \(or ORGSYNC_BAMBOOHR_SUBDOMAIN.*missing --api-key \(or ORGSYNC_BAMBOOHR_API_KEY\)/,
      ],
      [['new-connector', 'Bad Id'], /not a valid connector id/],
      [['help', 'nosuch'], /unknown command 'nosuch'/],
    ];
    it.each(cases)('orgsync %j', async (args, pattern) => {
      const r = await runBin(args, { cwd: dir });
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/unexpected error| {4}at /);
      expect(r.code).toBe(2);
    });

    it('--approve with the wrong id says it did not match', async () => {
      const plan = path.join(dir, 'halt-plan.json');
      // Everyone but 10 people leaves: a mass deprovisioning the safety stop halts.
      expect(
        (
          await runBin(
            ['plan', '--rules', rules, '--from', 'new.json', '--to', 'old.json', '--format', 'json', '--out', plan],
            { cwd: dir },
          )
        ).code,
      ).toBe(0);
      const r = await runBin(
        ['apply', plan, '--approve', 'plan_wrong', '--journal', path.join(dir, 'halt.journal.json')],
        { cwd: dir },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/--approve plan_wrong did not match this plan's id \(plan_/);
    }, 180_000);
  },
);

describe('orgsync binary: a closed pipe ends the command quietly', { timeout: 180_000 }, () => {
  it('diff | head', () => {
    const r = pipeToHead('diff old.json new.json');
    expect(r.head).toMatch(/^\d+ changes from /);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('apply --handler json | head', () => {
    execFileSync(
      process.execPath,
      [
        bin,
        'plan',
        '--rules',
        rules,
        '--from',
        'old.json',
        '--to',
        'new.json',
        '--format',
        'json',
        '--out',
        'plan.json',
      ],
      { cwd: dir },
    );
    const r = pipeToHead('apply plan.json --handler json --journal pipe.journal.json');
    expect(JSON.parse(r.head)).toHaveProperty('idempotencyKey');
    expect(r.stderr).not.toMatch(/EPIPE| {4}at /);
    expect(r.code).toBe(0);
  });

  it('demo | head', () => {
    const r = pipeToHead('demo --size 300 --quiet');
    expect(r.head).toMatch(/^orgsync demo: BambooHR simulator/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
