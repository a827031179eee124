/**
 * `orgsync simulate <vendor>` (built binary): the printed snapshot command works as printed,
 * `POST /__orgsync/advance` applies simulated HR changes that the next snapshot and `diff` show
 * (managers by name), `--changes` starts from the changed company, SIGTERM stops it with exit 0.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, ensureBuilt, exited, runBin, spawnBin, waitFor } from '../helpers/bin.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-simulate-'));
beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Run a printed `npx orgsync ...` line with the built binary in its place, through the shell as a user would. */
function runPrinted(line: string): string {
  const cmd = line.trim().replace('npx orgsync', `"${process.execPath}" "${bin}"`);
  return execFileSync('bash', ['-c', `${cmd} 2>&1`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
}

describe('orgsync simulate', () => {
  it.each(['bamboohr', 'workday', 'scim'])(
    '%s: snapshot, advance, snapshot, diff',
    async (vendor) => {
      const child = spawnBin(['simulate', vendor, '--size', '60', '--port', '0']);
      try {
        const printed = await waitFor(child.stdout!, /Ctrl-C stops the simulator/);
        const url = /simulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1]!;
        const lines = printed.split('\n').filter((l) => l.includes('npx orgsync snapshot'));
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(
          new RegExp(`ORGSYNC_${vendor.toUpperCase()}_\\w+=\\S+ npx orgsync snapshot ${vendor} .*--out before\\.json$`),
        );
        const before = path.join(dir, `${vendor}-before.json`);
        const after = path.join(dir, `${vendor}-after.json`);
        expect(runPrinted(lines[0]!.replace('before.json', before))).toMatch(/wrote .*: 60 employees/);

        const res = await fetch(`${url}/__orgsync/advance`, { method: 'POST' });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ round: 1 });
        expect((await fetch(`${url}/__orgsync/advance`)).status).toBe(405);

        expect(runPrinted(lines[1]!.replace('after.json', after))).toMatch(/wrote .*: 61 employees/);
        const diff = execFileSync(process.execPath, [bin, 'diff', before, after], { encoding: 'utf8' });
        expect(diff).toMatch(/\(.*1 HIRE.*\)/);
        expect(diff).toMatch(/TERMINATION {2}/);
        // Managers by name, not ids: `manager: Zoë O'Brien → Ano Cohen`.
        expect(diff).toMatch(/MANAGER_CHANGE .* — manager: (?!id )\p{Lu}[^→\n]+ → (?!id )\p{Lu}[^\n]+$/mu);
      } finally {
        child.kill('SIGTERM');
      }
      const end = await exited(child);
      expect(end.code).toBe(0);
    },
    120_000,
  );

  it('--changes serves the changed company from the start', async () => {
    const plain = spawnBin(['simulate', 'gusto', '--size', '30']);
    const changed = spawnBin(['simulate', 'gusto', '--size', '30', '--changes']);
    try {
      const [a, b] = await Promise.all([
        waitFor(plain.stdout!, /Ctrl-C stops/),
        waitFor(changed.stdout!, /Ctrl-C stops/),
      ]);
      expect(a).toMatch(/\(30 people\)/);
      expect(b).toMatch(/\(31 people, simulated HR changes applied\)/);
      expect(b).toMatch(/--out after\.json/);
    } finally {
      plain.kill('SIGINT');
      changed.kill('SIGINT');
    }
    expect((await exited(plain)).code).toBe(0);
    expect((await exited(changed)).code).toBe(0);
  }, 60_000);

  it('a port in use is a config error, exit 2', async () => {
    const first = spawnBin(['simulate', 'bamboohr', '--size', '5']);
    try {
      const printed = await waitFor(first.stdout!, /Ctrl-C stops/);
      const port = /127\.0\.0\.1:(\d+)/.exec(printed)![1]!;
      const second = await runBin(['simulate', 'bamboohr', '--port', port]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/config error: .*address already in use \(EADDRINUSE\)/);
    } finally {
      first.kill('SIGTERM');
    }
    await exited(first);
  }, 60_000);
});
