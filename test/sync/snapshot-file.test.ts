import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrgsyncError } from '../../src/errors.js';
import { OrgSnapshotSchema } from '../../src/model.js';
import { readSnapshotFile, snapshotJsonChunks, writeSnapshotFile } from '../../src/snapshot.js';
import { syntheticSnapshot } from '../../scripts/bench-data.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'orgsync-snapfile-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('snapshot files written record by record', () => {
  it('are byte-identical to the old JSON.stringify(snapshot, null, 2) format, and read back', async () => {
    const snap = {
      ...syntheticSnapshot(300),
      warnings: ['employee e1: group g9 is not in the snapshot'],
      watermark: '2026-06-01T00:00:00.000Z',
    };
    snap.employees[3] = { ...snap.employees[3]!, customFields: { nested: { a: [1, 'x\ny'] }, empty: [] } };
    const file = path.join(tmp(), 'snap.json');
    await writeSnapshotFile(file, snap);
    const text = readFileSync(file, 'utf8');
    // What writeSnapshotFile wrote before (one JSON.stringify of the parsed snapshot) loads the same.
    const old = path.join(tmp(), 'old.json');
    writeFileSync(old, JSON.stringify(OrgSnapshotSchema.parse(snap), null, 2) + '\n');
    expect(await readSnapshotFile(old)).toEqual(await readSnapshotFile(file));
    expect(readFileSync(old, 'utf8')).toBe(text);
    expect(statSync(file).mode & 0o777, 'personal data: owner only').toBe(0o600);
  });

  it('empty arrays and nulls keep the same layout', () => {
    const v = { a: [], b: null, c: [{ x: 1 }], d: 'z', e: undefined };
    expect([...snapshotJsonChunks(v)].join('')).toBe(JSON.stringify(v, null, 2) + '\n');
  });

  it('a record too large to serialize is a typed error, and no file or temp file is left', async () => {
    const dir = tmp();
    const file = path.join(dir, 'big.json');
    const real = JSON.stringify;
    vi.spyOn(JSON, 'stringify').mockImplementation(((v: unknown, r?: never, s?: never) => {
      if (v && typeof v === 'object' && (v as { id?: string }).id === 'e7')
        throw new RangeError('Invalid string length');
      return real(v, r, s);
    }) as typeof JSON.stringify);
    const snap = syntheticSnapshot(20);
    const at = snap.employees.findIndex((e) => e.id === 'e7');
    const err = await writeSnapshotFile(file, snap).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err).toMatchObject({ kind: 'validation', code: 'snapshot_too_large' });
    expect((err as Error).message).toContain(`employees[${at}]`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
