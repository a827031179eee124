/**
 * Where `--out` may point: a new nested path, an existing device or named pipe (written in place, never
 * replaced), a directory or an impossible path (a typed, prompt error; `/proc` used to hang).
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/snapshot.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-out-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic output targets', () => {
  it('creates missing folders, level by level', async () => {
    const file = path.join(dir, 'a/b/c/out.json');
    await writeFileAtomic(file, ['{"x":', '1}\n']);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"x":1}\n');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['out.json']);
  });

  it('writes /dev/null in place: the device stays a device', async () => {
    await writeFileAtomic('/dev/null', 'nothing to see\n');
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it.skipIf(process.platform === 'win32')(
    'writes into a named pipe a reader is waiting on, and leaves the pipe a pipe',
    async () => {
      const fifo = path.join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
      const reader = spawn('cat', [fifo]);
      let got = '';
      reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
      const closed = new Promise((r) => reader.on('close', r));
      await writeFileAtomic(fifo, ['line 1\n', 'line 2\n']);
      await closed;
      expect(got).toBe('line 1\nline 2\n');
      expect(fs.statSync(fifo).isFIFO()).toBe(true);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
  );

  it('a directory as the target is EISDIR, naming it', async () => {
    await expect(writeFileAtomic(dir, 'x')).rejects.toMatchObject({ code: 'EISDIR', path: dir });
  });

  it('a file where a folder should be is ENOTDIR', async () => {
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, '');
    await expect(writeFileAtomic(path.join(file, 'x/y.json'), 'x')).rejects.toMatchObject({
      code: 'ENOTDIR',
      path: file,
    });
  });

  it.skipIf(!fs.existsSync('/proc/self'))('a path under /proc fails at once instead of spinning', async () => {
    await expect(writeFileAtomic('/proc/orgsync-no-such/x/y.json', 'x')).rejects.toMatchObject({
      code: expect.stringMatching(/^E[A-Z]+$/),
    });
  });

  it.skipIf(!fs.existsSync('/dev/full'))('a full device is ENOSPC, and /dev/full stays a device', async () => {
    await expect(writeFileAtomic('/dev/full', 'x')).rejects.toMatchObject({ code: 'ENOSPC', path: '/dev/full' });
    expect(fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('snapshot files hold personal data', () => {
  it.skipIf(process.platform === 'win32')('are created 0600, whatever the umask', async () => {
    const { writeSnapshotFile } = await import('../../src/snapshot.js');
    const { sampleOrg } = await import('../../src/simulator/sample-org.js');
    const { takeSnapshot } = await import('../../src/index.js');
    const { simulators } = await import('../../connectors/simulators.js');
    const sim = await simulators['bamboohr']!.start(sampleOrg({ size: 5 }));
    try {
      const { connectors } = await import('../../connectors/index.js');
      const snap = await takeSnapshot(connectors['bamboohr']!(sim.options as never));
      const file = path.join(dir, 'snap.json');
      const old = process.umask(0o022);
      try {
        await writeSnapshotFile(file, snap);
      } finally {
        process.umask(old);
      }
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await sim.sim.close();
    }
  });
});
