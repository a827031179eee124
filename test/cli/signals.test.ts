/**
 * Ctrl-C (SIGINT) and SIGTERM during `orgsync snapshot`, sent to the built binary: one line on
 * stderr, exit 130 / 143, no snapshot and no hidden `.tmp` file left behind, whether the signal
 * lands while the vendor is read or while the file is being written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { ensureBuilt, exited, spawnBin, waitFor } from '../helpers/bin.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-signals-'));
let small: RunningSimulator;
let big: RunningSimulator;

beforeAll(async () => {
  ensureBuilt();
  small = await simulators['bamboohr']!.start(sampleOrg({ size: 50 }));
  big = await simulators['bamboohr']!.start(sampleOrg({ size: 20_000 }));
}, 300_000);

afterAll(async () => {
  await small?.sim.close();
  await big?.sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const args = (r: RunningSimulator, out: string) => [
  'snapshot',
  'bamboohr',
  '--subdomain',
  String(r.options['subdomain']),
  '--base-url',
  String(r.options['baseUrl']),
  '--out',
  out,
];
const env = (r: RunningSimulator) => ({ ORGSYNC_BAMBOOHR_API_KEY: String(r.options['apiKey']) });
const leftovers = (name: string) => fs.readdirSync(dir).filter((f) => f.includes(name));

describe('orgsync snapshot interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s while reading the vendor: one line, exit %i, nothing written',
    async (signal, code) => {
      const out = path.join(dir, `read-${signal}.json`);
      // The employee report hangs, so the signal arrives mid-read.
      small.sim.inject({ match: '/v1/reports/custom', fault: { type: 'delay', ms: 20_000 } });
      const before = small.sim.stats.requests;
      const child = spawnBin(args(small, out), { env: env(small) });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      for (let i = 0; i < 200 && small.sim.stats.requests === before; i++) await new Promise((r) => setTimeout(r, 50));
      expect(small.sim.stats.requests).toBeGreaterThan(before);
      child.kill(signal);
      const result = await exited(child);
      small.sim.clearFaults();
      expect(result.code).toBe(code);
      expect(stderr.trim().split('\n')).toEqual([
        `orgsync: interrupted (${signal}); no snapshot written (${out} is unchanged).`,
      ]);
      expect(leftovers(`read-${signal}`)).toEqual([]);
    },
    60_000,
  );

  it('SIGINT while the 15 MB file is being written removes the temporary file', async () => {
    // The signal is sent the moment the temp file appears; a write that wins the race is retried.
    let interrupted = 0;
    for (let attempt = 0; attempt < 4 && interrupted === 0; attempt++) {
      const name = `write-${attempt}`;
      const out = path.join(dir, `${name}.json`);
      const child = spawnBin(args(big, out), { env: env(big) });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const watcher = fs.watch(dir, (_event, file) => {
        if (file && String(file).startsWith(`.${name}.json.`) && String(file).endsWith('.tmp')) {
          watcher.close();
          child.kill('SIGINT');
        }
      });
      const result = await exited(child);
      watcher.close();
      if (result.code === 130) {
        interrupted++;
        expect(stderr).toMatch(
          /orgsync: interrupted \(SIGINT\); no snapshot written .*, 1 temporary file removed\.\n$/,
        );
        expect(fs.existsSync(out)).toBe(false);
      } else expect(result.code).toBe(0); // the rename won the race: a complete file, never a partial one
      expect(leftovers(name).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
    expect(interrupted).toBe(1);
  }, 240_000);
});

describe('progress goes to stderr as plain lines when stderr is not a terminal', () => {
  it('one line per page, and nothing with --quiet', async () => {
    const out = path.join(dir, 'progress.json');
    const child = spawnBin(args(small, out), { env: env(small) });
    const text = await waitFor(child.stderr!, /wrote .*progress\.json/);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(text).toMatch(/^bamboohr: employees page 1 \(50 records\)\n/);
    expect(text).not.toMatch(/\x1b\[/); // no cursor codes in a pipe
    const quiet = spawnBin([...args(small, path.join(dir, 'quiet.json')), '--quiet'], { env: env(small) });
    let q = '';
    quiet.stderr!.on('data', (c: Buffer) => (q += c.toString('utf8')));
    expect((await exited(quiet)).code).toBe(0);
    expect(q).toBe('');
  }, 60_000);
});
