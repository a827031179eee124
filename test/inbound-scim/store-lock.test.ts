/**
 * Issue 12 §6: two `serve-scim` processes on one store both accepted writes and an acknowledged user
 * was lost; temp files of a writer killed with `kill -9` were never cleaned up; store files holding
 * personal data were created 0644. Real processes, real signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LockedError } from '../../src/file-lock.js';
import { FileScimStore } from '../../src/inbound-scim/store.js';
import { CORE_USER } from './helpers.js';

const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const writer = fileURLToPath(new URL('./fixtures/store-writer-child.ts', import.meta.url));
const TOKEN = 'serve-scim-lock-test-token-0123456789';

interface Proc {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  done: Promise<number | null>;
}

function run(args: string[]): Proc {
  const proc = spawn(process.execPath, ['--import', tsx, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return { proc, out: () => out, err: () => err, done };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('two serve-scim processes on one store', () => {
  it('the second is refused at start (exit 1, lock file and holder pid named); every acknowledged user is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgsync-scim-lock-'));
    const store = join(dir, 'store');
    const a = run([cli, 'serve-scim', '--port', '0', '--token', TOKEN, '--store', store]);
    try {
      await until(() => /listening: (\S+)/.test(a.out()), 20_000, `serve-scim A to listen (${a.err()})`);
      const b = run([cli, 'serve-scim', '--port', '0', '--token', TOKEN, '--store', store]);
      const codeB = await Promise.race([b.done, new Promise<'running'>((r) => setTimeout(() => r('running'), 15_000))]);
      if (codeB === 'running') b.proc.kill('SIGKILL');
      expect(codeB, `second serve-scim: ${b.out()} ${b.err()}`).toBe(1);
      expect(b.err()).toContain(`in use by another process (pid ${a.proc.pid})`);
      expect(b.err()).toContain(join(store, '.orgsync-scim-store.lock'));
      expect(b.out()).not.toMatch(/listening/);

      const base = /listening: (\S+)/.exec(a.out())![1]!;
      const res = await fetch(`${base}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: [CORE_USER],
          userName: 'ada@acme.example',
          name: { givenName: 'Ada', familyName: 'Lovelace' },
          active: true,
        }),
      });
      expect(res.status).toBe(201);
      a.proc.kill('SIGTERM');
      expect(await a.done).toBe(0);
      const file = join(store, 'default.scim.json');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { users: Array<{ userName: string }> };
      expect(saved.users.map((u) => u.userName)).toEqual(['ada@acme.example']);
      expect(statSync(file).mode & 0o777, 'personal data: owner only').toBe(0o600);
      expect(existsSync(join(store, '.orgsync-scim-store.lock')), 'released on shutdown').toBe(false);
    } finally {
      if (a.proc.exitCode === null) a.proc.kill('SIGKILL');
    }
  }, 60_000);
});

describe('FileScimStore after kill -9', () => {
  it('removes the dead writer’s temp files and takes over its lock; keeps a live writer’s and other files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgsync-scim-kill-'));
    const temps = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    let leftBehind: string[] = [];
    for (let round = 0; round < 5 && leftBehind.length === 0; round++) {
      const w = run([writer, dir]);
      await until(() => w.out().includes('ready'), 20_000, `the writer to start (${w.err()})`);
      // Kill it the moment a temp file exists (mid-write, before the rename).
      await until(() => temps().length > 0 || w.proc.exitCode !== null, 20_000, 'a temp file');
      w.proc.kill('SIGKILL');
      await w.done;
      leftBehind = temps();
    }
    expect(leftBehind.length, 'a SIGKILL mid-write leaves a temp file behind').toBeGreaterThan(0);
    expect(existsSync(join(dir, '.orgsync-scim-store.lock')), 'and its lock').toBe(true);

    // Files that are not the dead writer's: a live process's temp (the test runner's parent), another file's temp.
    const live = `.acme.scim.json.${process.ppid}.0badc0de.tmp`;
    const foreign = `.notes.txt.${leftBehind[0]!.split('.')[4]}.0badc0de.tmp`;
    writeFileSync(join(dir, live), '{}');
    writeFileSync(join(dir, foreign), '{}');

    const store = new FileScimStore({ dir });
    const data = await store.load('acme');
    expect(data.users.length === 0 || data.users.length === 20_000).toBe(true); // the old file or the new one, never torn
    expect(temps().sort()).toEqual([live, foreign].sort());
    await store.save('acme', { users: [], groups: [] });
    expect(statSync(join(dir, 'acme.scim.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.orgsync-scim-store.lock')).mode & 0o777).toBe(0o600);
    await store.close();
    expect(existsSync(join(dir, '.orgsync-scim-store.lock'))).toBe(false);
  }, 90_000);

  it('a second store object in another process is refused with LockedError while the first lives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgsync-scim-kill-'));
    const w = run([writer, dir]);
    try {
      await until(() => w.out().includes('ready'), 20_000, `the writer to start (${w.err()})`);
      const err = await new FileScimStore({ dir }).load('acme').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockedError);
      expect((err as LockedError).holderPid).toBe(w.proc.pid);
      expect((err as Error).message).toContain(join(dir, '.orgsync-scim-store.lock'));
    } finally {
      w.proc.kill('SIGKILL');
      await w.done;
    }
  }, 60_000);
});
