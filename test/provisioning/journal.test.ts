import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { applyPlan, FileJournal, MemoryJournal, parsePlan } from '../../src/provisioning/index.js';
import { recordingHandlers } from './helpers.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'orgsync-journal-'));

describe('FileJournal', () => {
  it('write, then read back from a new instance', async () => {
    const path = join(dir(), 'j.json');
    const j = new FileJournal(path, { clock: () => new Date('2025-01-01T00:00:00Z') });
    await j.markStarted('a');
    await j.markDone('a', { id: 'u1' });
    await j.markStarted('b');
    await j.markFailed('b', new Error('nope'));
    await j.markStarted('c');
    const again = new FileJournal(path);
    expect(await again.get('a')).toEqual({
      key: 'a',
      status: 'done',
      attempts: 1,
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:00.000Z',
      result: { id: 'u1' },
    });
    expect(await again.get('b')).toMatchObject({ status: 'failed', error: 'nope' });
    expect(await again.get('c')).toMatchObject({ status: 'started', attempts: 1 });
    expect(await again.get('zzz')).toBeUndefined();
    expect((await again.list()).map((e) => e.key).sort()).toEqual(['a', 'b', 'c']);
    await again.markStarted('b');
    expect((await new FileJournal(path).get('b'))?.attempts).toBe(2);
  });

  it('the file is never half-written: concurrent writes while a reader polls always parse, and all land', async () => {
    const path = join(dir(), 'j.json');
    const j = new FileJournal(path);
    await j.markStarted('warmup');
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        const text = await readFile(path, 'utf8');
        const parsed = JSON.parse(text) as { kind: string; entries: unknown[] };
        expect(parsed.kind).toBe('orgsync.provisioning-journal');
        reads++;
      }
    })();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => j.markStarted(`k${i}`).then(() => j.markDone(`k${i}`, { i }))),
    );
    reading = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    const done = (await new FileJournal(path).list()).filter((e) => e.status === 'done');
    expect(done).toHaveLength(60);
    // No temp files left behind.
    expect(readdirSync(join(path, '..')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a crash between writing the temp file and renaming leaves the last good state (and the temp file is cleaned up)', async () => {
    const d = dir();
    const path = join(d, 'j.json');
    const j = new FileJournal(path);
    await j.markStarted('a');
    await j.markDone('a');
    const good = readFileSync(path, 'utf8');
    // What a crash mid-write leaves: a truncated temp file next to the journal. Its writer's pid is
    // above Linux's largest possible pid (2^22), so no live process can have it (4242 could: on a busy
    // machine the temp file then belonged to a live writer and was rightly kept).
    const tmp = join(d, '.j.json.4194305.deadbeef.tmp');
    writeFileSync(tmp, good.slice(0, Math.floor(good.length / 2)));
    const after = new FileJournal(path);
    expect(await after.get('a')).toMatchObject({ status: 'done' });
    expect(existsSync(tmp)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(good);
  });

  it('refuses a corrupt or foreign journal instead of forgetting what was done', async () => {
    const d = dir();
    writeFileSync(join(d, 'bad.json'), '{"kind":"orgsync.provisioning-journal","entries":[{"key":"a"');
    await expect(new FileJournal(join(d, 'bad.json')).list()).rejects.toBeInstanceOf(ValidationError);
    writeFileSync(join(d, 'other.json'), '{"hello":"world"}');
    await expect(new FileJournal(join(d, 'other.json')).get('a')).rejects.toThrow(
      /not an orgsync provisioning journal/,
    );
  });

  it('stores the message of an error only (no stack, cause or properties)', async () => {
    for (const j of [new FileJournal(join(dir(), 'j.json')), new MemoryJournal()]) {
      const err = Object.assign(new Error('upstream said no', { cause: new Error('token=abc123') }), {
        response: { headers: { authorization: 'Bearer xyz' } },
      });
      await j.markStarted('k');
      await j.markFailed('k', err);
      const e = await j.get('k');
      expect(e?.error).toBe('upstream said no');
      expect(JSON.stringify(await j.list())).not.toMatch(/abc123|xyz|at .*\.ts/);
      await j.markFailed('k2', 'plain string');
      expect((await j.get('k2'))?.error).toBe('plain string');
    }
  });

  it('returns copies: callers cannot change the journal by mutating an entry', async () => {
    const j = new MemoryJournal();
    await j.markDone('a', { x: 1 });
    const e = await j.get('a');
    (e as { status: string }).status = 'failed';
    expect((await j.get('a'))?.status).toBe('done');
  });
});

describe('crash recovery (a real process killed mid-run)', () => {
  it('a re-run after SIGKILL does only what is left: no action executed twice, none lost', async () => {
    const d = dir();
    const journalPath = join(d, 'journal.json');
    const effectsPath = join(d, 'effects.log');
    const planPath = join(d, 'plan.json');
    const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));

    const proc = spawn(process.execPath, ['--import', tsx, child, planPath, journalPath, effectsPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Kill it once some (not all) side effects happened.
    const killed = await new Promise<boolean>((resolve, reject) => {
      const timer = setInterval(() => {
        const n = existsSync(effectsPath) ? readFileSync(effectsPath, 'utf8').split('\n').filter(Boolean).length : 0;
        if (n >= 6) {
          clearInterval(timer);
          proc.kill('SIGKILL');
          resolve(true);
        }
      }, 5);
      proc.on('exit', (code) => {
        clearInterval(timer);
        if (code !== null) reject(new Error(`child exited on its own (${code}): ${stderr}`));
      });
    });
    expect(killed).toBe(true);
    await new Promise((r) => proc.once('close', r));

    const plan = parsePlan(readFileSync(planPath, 'utf8'));
    const keys = plan.employees
      .flatMap((e) => e.actions)
      .filter((a) => a.type !== 'notify')
      .map((a) => a.idempotencyKey);
    const before = readFileSync(effectsPath, 'utf8').split('\n').filter(Boolean);
    expect(before.length).toBeGreaterThanOrEqual(6);
    expect(before.length).toBeLessThan(keys.length);

    // The app's handlers dedupe on the idempotency key (the handler contract), so an action that
    // was in flight at the crash is not applied twice; everything else is only called if not done.
    const applied = new Set(before);
    const h = recordingHandlers();
    const dedupe = Object.fromEntries(
      Object.entries(h.handlers).map(([type, fn]) => [
        type,
        async (a: never, ctx: { idempotencyKey: string; attempt: number }) => {
          if (type !== 'notify') {
            if (applied.has(ctx.idempotencyKey)) return { duplicate: true };
            applied.add(ctx.idempotencyKey);
          }
          return (fn as (a: never, c: typeof ctx) => unknown)(a, ctx);
        },
      ]),
    );
    const res = await applyPlan(plan, dedupe as never, {
      journal: new FileJournal(journalPath),
      now: new Date('2025-03-02T12:00:00Z'),
      retryDelay: { minMs: 1 },
    });
    expect(res.failed).toEqual([]);
    // Done before the crash: never called again.
    const journaledBefore = new Set(res.skipped.map((s) => s.idempotencyKey));
    expect(h.calls.some((c) => journaledBefore.has(c.key))).toBe(false);
    // Re-called (same key) only what was started but not recorded done: at most `concurrency` (2) actions.
    const recalled = h.calls.filter((c) => before.includes(c.key));
    expect(recalled.length).toBeLessThanOrEqual(2);
    // Every action applied exactly once overall.
    const all = [
      ...before,
      ...h.succeeded.filter((c) => c.type !== 'notify' && !before.includes(c.key)).map((c) => c.key),
    ];
    expect(all.sort()).toEqual([...keys].sort());
    const final = await new FileJournal(journalPath).list();
    expect(final.filter((e) => e.status === 'done').map((e) => e.key)).toEqual(expect.arrayContaining(keys));
  });
});
