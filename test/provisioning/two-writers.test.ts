/**
 * Issue 12 §6: two writers on one journal. Two real processes applying the same plan with the same
 * journal executed every action twice, or crashed each other (one deleted the other's temp file at
 * start-up). Now the journal is locked: the second process is refused with a typed error naming the
 * lock file and the holder's pid, and every action runs exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LockedError } from '../../src/file-lock.js';
import { FileJournal, planProvisioning, type RuleSetInput } from '../../src/provisioning/index.js';
import { emp, ev, snap } from './helpers.js';

const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/slow-apply-child.ts', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

function setup(hires = 20) {
  const d = mkdtempSync(join(tmpdir(), 'orgsync-2w-'));
  const people = Array.from({ length: hires }, (_, i) =>
    emp(`w${String(i).padStart(2, '0')}`, { groupIds: ['g-sales'] }),
  );
  const rules: RuleSetInput = {
    version: 1,
    rules: [
      {
        id: 'sales',
        when: { attribute: 'department', op: 'equals', value: 'Sales' },
        grant: { role: 'member', permissions: ['crm'] },
      },
    ],
    policy: { hire: { sendWelcome: false } },
  };
  const plan = planProvisioning(
    people.map((p) => ev('HIRE', p)),
    rules,
    { current: snap(people), now: new Date('2025-03-02T12:00:00Z') },
  );
  const planPath = join(d, 'plan.json');
  writeFileSync(planPath, JSON.stringify(plan));
  const keys = plan.employees.flatMap((e) => e.actions).map((a) => a.idempotencyKey);
  return { d, planPath, journalPath: join(d, 'journal.json'), effectsPath: join(d, 'effects.log'), keys };
}

interface Run {
  proc: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function run(args: string[]): Run {
  const proc = spawn(process.execPath, ['--import', tsx, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { proc, done };
}

const effects = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('two processes on one provisioning journal', () => {
  it('two appliers started together: one runs, the other is refused; every action runs exactly once', async () => {
    const s = setup();
    const a = run([child, s.planPath, s.journalPath, s.effectsPath]);
    const b = run([child, s.planPath, s.journalPath, s.effectsPath]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const results = [ra, rb].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
    expect(
      results.map((r) => r.code),
      `${ra.stderr}\n${rb.stderr}`,
    ).toEqual([0, 1]);
    const winner = results[0]!.code === ra.code ? a : b;
    expect(results[1]!.stderr).toMatch(
      /orgsync: transient error: The provisioning journal .*journal\.json is in use by another process \(pid \d+\): lock file .*journal\.json\.lock/,
    );
    expect(results[1]!.stderr).toContain(`pid ${winner.proc.pid}`);
    const lines = effects(s.effectsPath);
    const keys = lines.map((l) => l.split(' ')[1]);
    expect(keys.length).toBeGreaterThan(20);
    expect(new Set(keys).size, 'no action twice').toBe(keys.length);
    const journal = new FileJournal(s.journalPath);
    const entries = await journal.list();
    expect(
      entries
        .filter((e) => e.status === 'done')
        .map((e) => e.key)
        .sort(),
    ).toEqual([...s.keys].sort());
    expect(
      entries.filter((e) => e.attempts !== 1),
      'nothing started twice',
    ).toEqual([]);
    await journal.close();
    expect(new Set(lines.map((l) => l.split(' ')[0]))).toEqual(new Set([String(winner.proc.pid)]));
    // The winner released its lock; the journal is readable and complete, and 0600.
    expect(existsSync(`${s.journalPath}.lock`)).toBe(false);
    expect(statSync(s.journalPath).mode & 0o777).toBe(0o600);
    expect(readdirSync(s.d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 30_000);

  it('orgsync apply while another process applies: exit 1 naming the lock and the holder pid; a later run finds all done', async () => {
    const s = setup(30);
    const gate = join(s.d, 'gate');
    const holder = run([child, s.planPath, s.journalPath, s.effectsPath, gate]);
    await until(() => effects(s.effectsPath).length >= 2, 15_000);
    const second = await run([cli, 'apply', s.planPath, '--journal', s.journalPath, '--handler', 'json']).done;
    writeFileSync(gate, '');
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain(`in use by another process (pid ${holder.proc.pid})`);
    expect(second.stderr).toContain(`${s.journalPath}.lock`);
    expect(second.stdout).toBe(''); // nothing executed
    expect((await holder.done).code).toBe(0);
    const again = await run([cli, 'apply', s.planPath, '--journal', s.journalPath, '--handler', 'json']).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/: 0 done, \d+ already done, 0 failed/);
    const keys = effects(s.effectsPath).map((l) => l.split(' ')[1]);
    expect(new Set(keys).size).toBe(keys.length);
  }, 30_000);

  it('a crashed holder (kill -9) does not hold the lock forever: the next writer takes over', async () => {
    const s = setup(30);
    const holder = run([child, s.planPath, s.journalPath, s.effectsPath]);
    await until(() => effects(s.effectsPath).length >= 3, 15_000);
    holder.proc.kill('SIGKILL');
    await holder.done;
    expect(existsSync(`${s.journalPath}.lock`), 'the crashed holder left its lock').toBe(true);
    const j = new FileJournal(s.journalPath);
    expect((await j.list()).length).toBeGreaterThan(0);
    await j.close();
    expect(existsSync(`${s.journalPath}.lock`)).toBe(false);
  }, 30_000);
});

describe('journal start-up hygiene', () => {
  it("removes temp files of dead writers only, never a live writer's or another file's", async () => {
    const d = mkdtempSync(join(tmpdir(), 'orgsync-2w-'));
    const path = join(d, 'journal.json');
    // A process that has exited: its pid is free.
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('close', r));
    const dead = `.journal.json.${gone.pid}.a1b2c3d4e5f6.tmp`;
    const live = `.journal.json.${process.ppid}.0f0f0f0f0f0f.tmp`; // the test runner: alive
    const other = `.other.json.${gone.pid}.a1b2c3d4e5f6.tmp`;
    for (const f of [dead, live, other]) writeFileSync(join(d, f), '{}');
    const j = new FileJournal(path);
    await j.markDone('k1');
    expect(readdirSync(d).sort()).toEqual([live, other, 'journal.json', 'journal.json.lock'].sort());
    await j.close();
  });

  it('a second FileJournal in another process is refused with LockedError (in-process test via a holder child)', async () => {
    const s = setup(30);
    const gate = join(s.d, 'gate');
    const holder = run([child, s.planPath, s.journalPath, s.effectsPath, gate]);
    try {
      await until(() => effects(s.effectsPath).length >= 1, 15_000);
      const err = await new FileJournal(s.journalPath).list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockedError);
      expect((err as LockedError).holderPid).toBe(holder.proc.pid);
      expect((err as LockedError).lockFile).toBe(`${s.journalPath}.lock`);
      expect((err as LockedError).code).toBe('locked');
    } finally {
      writeFileSync(gate, '');
      await holder.done;
    }
  }, 30_000);
});
