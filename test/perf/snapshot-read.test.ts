import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrgsyncError } from '../../src/errors.js';
import { OrgSnapshotSchema } from '../../src/model.js';
import { readSnapshotChunks, readSnapshotFile, snapshotJsonChunks } from '../../src/snapshot.js';
import { syntheticSnapshot } from '../../scripts/bench-data.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'orgsync-snapread-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The text split into pieces of `size` bytes (so every token is cut somewhere across the sizes tried). */
async function* pieces(text: string, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** What the old reader answered: zod over JSON.parse of the whole text. */
const oldRead = (text: string) => OrgSnapshotSchema.parse(JSON.parse(text));

const sample = () => {
  const s = { ...syntheticSnapshot(40), warnings: ['w "1"', 'ü ✓ \u2028'], watermark: '2026-06-01T00:00:00.000Z' };
  s.employees[3] = {
    ...s.employees[3]!,
    displayName: 'Zoë "Q" {[,]} \\ 🦄',
    customFields: { nested: { a: [1, 'x\ny', null, true, -1.5e3] }, empty: [], o: {} },
  };
  return s;
};

describe('streaming snapshot reader', { timeout: 120_000 }, () => {
  it('reads pretty, compact and oddly spaced JSON exactly as JSON.parse + OrgSnapshotSchema do, for any chunking', async () => {
    const s = sample();
    const texts = [
      [...snapshotJsonChunks(OrgSnapshotSchema.parse(s) as unknown as Record<string, unknown>)].join(''),
      JSON.stringify(s),
      JSON.stringify(s, null, '\t').replace(/,\n/g, ' ,\r\n '),
      // extra unknown keys (stripped, as zod strips them), scalars at the end of the object, extra employee key
      JSON.stringify({
        extra: [1, { a: '}' }],
        ...s,
        employees: s.employees.map((e, i) => (i === 2 ? { ...e, junk: 1 } : e)),
        more: 12,
      }),
    ];
    for (const text of texts) {
      const expected = oldRead(text);
      for (const size of [1, 2, 3, 7, 64, 1000, 1 << 20]) {
        expect(await readSnapshotChunks(pieces(text, size), 'x'), `chunk size ${size}`).toEqual(expected);
      }
    }
  });

  it('reads a written file back', async () => {
    const file = path.join(tmp(), 's.json');
    const s = sample();
    writeFileSync(
      file,
      [...snapshotJsonChunks(OrgSnapshotSchema.parse(s) as unknown as Record<string, unknown>)].join(''),
    );
    expect(await readSnapshotFile(file)).toEqual(OrgSnapshotSchema.parse(s));
  });

  it('malformed and truncated files are typed errors naming the position, without quoting content', async () => {
    const good = JSON.stringify(sample(), null, 2);
    const cases: Array<[string, string, RegExp]> = [
      [
        'truncated mid-employee',
        good.slice(0, Math.floor(good.length / 2)),
        /ends early \(truncated\) at line \d+, column \d+ \(byte \d+\)/,
      ],
      ['truncated after the last brace is removed', good.slice(0, good.lastIndexOf('}')), /ends early/],
      ['empty', '', /the file is empty/],
      [
        'a bad token inside an employee',
        good.replace('"First5"', '"First5" x'),
        /invalid JSON at line \d+, column \d+/,
      ],
      [
        'a trailing comma in employees',
        good.replace(/\}\n {2}\],\n {2}"groups"/, '},\n  ],\n  "groups"'),
        /expected a value in the array/,
      ],
      ['garbage after the object', good + '\n{}', /after the end of the snapshot object/],
      ['an array document', '[1]', /a JSON array, not a snapshot object/],
      [
        'an unterminated string value',
        good.replace('"connector": "bench"', '"connector": "bench'),
        /invalid JSON|ends early/,
      ],
    ];
    for (const [what, text, re] of cases) {
      const err = await readSnapshotChunks(pieces(text, 97), 'Snapshot s.json').catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(OrgsyncError);
      expect(err, what).toMatchObject({ kind: 'validation' });
      expect((err as Error).message, what).toMatch(re);
      expect((err as Error).message, what).not.toContain('First5');
    }
    // The position is where the damage is: line and column of the bad token.
    const bad = good.replace('"First5"', '"First5" x');
    const offset = bad.indexOf('"First5" x') + '"First5" '.length;
    const line = bad.slice(0, offset).split('\n').length;
    const column = Buffer.byteLength(bad.slice(bad.lastIndexOf('\n', offset - 1) + 1, offset)) + 1;
    const err = (await readSnapshotChunks(pieces(bad, 13), 's').catch((e: unknown) => e)) as OrgsyncError;
    expect(err.message).toContain(`line ${line}, column ${column} (byte ${Buffer.byteLength(bad.slice(0, offset))})`);
    expect(err.code).toBe('snapshot_malformed');
    const cut = (await readSnapshotChunks(pieces(good.slice(0, 500), 13), 's').catch(
      (e: unknown) => e,
    )) as OrgsyncError;
    expect(cut.code).toBe('snapshot_truncated');
    expect(cut.message).toContain('(byte 500)');
  });

  it('schema problems list the same issues as zod did, employees included', async () => {
    const s = sample() as any;
    s.employees[4].employmentStatus = 'RETIRED';
    s.employees[9].id = '';
    delete s.company.name;
    const text = JSON.stringify(s);
    const err = (await readSnapshotChunks(pieces(text, 50), 'Snapshot x').catch((e: unknown) => e)) as OrgsyncError & {
      issues?: string[];
    };
    const r = OrgSnapshotSchema.safeParse(JSON.parse(text));
    expect(r.success).toBe(false);
    const zodIssues = r.error!.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(err.kind).toBe('validation');
    expect(err.message).toBe(`Snapshot x is not a complete orgsync snapshot: ${zodIssues.join('; ')}.`);
  });

  it('a missing file is a config error', async () => {
    await expect(readSnapshotFile(path.join(tmp(), 'nope.json'))).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringContaining('ENOENT'),
    });
  });

  it('__proto__ at the top level or in an employee never changes a prototype', async () => {
    const s = sample() as any;
    const text = JSON.stringify(s)
      .replace('{"schemaVersion"', '{"__proto__":{"polluted":1},"schemaVersion"')
      .replace('"customFields":{"costCenter":"cc0"}', '"customFields":{"__proto__":{"x":1}}');
    const got = await readSnapshotChunks(pieces(text, 31), 'x');
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(got).toEqual(oldRead(text));
  });
});
