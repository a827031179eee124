/**
 * The file lock appears whole: a process that finds it held reads who holds it (pid, host, token), never
 * an empty file; taking it leaves nothing else behind in the directory, and a second taker is refused
 * with the holder's pid in the message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLock } from '../../src/file-lock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileLock', () => {
  it('is created with its holder in one step, and refuses another process naming the holder', async () => {
    const target = path.join(dir, 'journal.json');
    const lock = await FileLock.acquire(target, { what: 'test journal' });
    try {
      expect(readdirSync(dir)).toEqual(['journal.json.lock']); // no temporary file left behind
      const holder = JSON.parse(readFileSync(`${target}.lock`, 'utf8'));
      expect(holder).toMatchObject({ pid: process.pid, token: expect.any(String), what: 'test journal' });
      // Another process trying to take it is refused, with this process' pid.
      const script = `import('${path.resolve('src/file-lock.ts').replace(/\\\\/g, '/')}').then(({ FileLock }) => FileLock.acquire(${JSON.stringify(target)}, { what: 'test journal' })).then(() => console.log('taken'), (e) => console.log(e.message))`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
      expect(r.stdout).toMatch(new RegExp(`in use by another process \\(pid ${process.pid}\\)`));
    } finally {
      await lock.release();
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
