/** Shared by the runtime tests: sample rules, recording handlers, simulators, service checks. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { ProvisioningHandlers } from '../../src/provisioning/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function sampleRules(thresholds?: Record<string, number>): any {
  const rs = JSON.parse(readFileSync(path.join(root, 'examples/rules/department-access.json'), 'utf8'));
  if (thresholds) rs.policy = { ...rs.policy, thresholds: { ...(rs.policy?.thresholds ?? {}), ...thresholds } };
  return rs;
}

/**
 * The date (YYYY-MM-DD) sample changes must carry for every action they cause to be due now, where the
 * sample rules' company is (America/New_York): today there once the policy's hire time (08:00) has
 * passed, else yesterday. Two time-of-day traps, both correct product behaviour:
 * - a UTC date is tomorrow in New York from 00:00 to 05:00 UTC, and a termination dated tomorrow is
 *   future-dated (its deprovisioning waits): "every plan applied" tests failed at night;
 * - a hire starting today is provisioned at 08:00 company time (`policy.hire.time`), so before 08:00
 *   in New York (05:00-13:00 UTC in winter) the new hire's actions are deferred and the plan stays
 *   open: the same tests failed in the morning (found by CI at 05:40 UTC, 2026-12-05).
 * A hire who started yesterday and a termination dated yesterday are due at any hour.
 */
export function companyDueDate(now = new Date()): string {
  const policy = sampleRules().policy ?? {};
  const tz = (policy.timezone as string | undefined) ?? 'UTC';
  const hireTime = (policy.hire?.time as string | undefined) ?? '00:00';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const today = `${parts['year']}-${parts['month']}-${parts['day']}`;
  if (`${parts['hour']}:${parts['minute']}` >= hireTime) return today;
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export interface Call {
  tenant: string;
  type: string;
  key: string;
  employeeId: string | null;
  target: string;
  kind?: string;
}

/** Handlers that record every call (per tenant) and succeed. */
export function recordingHandlers(tenant: string, calls: Call[]): ProvisioningHandlers {
  const h = (type: string) => (a: any, ctx: { idempotencyKey: string }) => {
    calls.push({
      tenant,
      type,
      key: ctx.idempotencyKey,
      employeeId: a.employeeId,
      target: a.target,
      ...(a.notification?.kind ? { kind: a.notification.kind } : {}),
    });
    return { ok: true };
  };
  return {
    createUser: h('createUser'),
    updateUser: h('updateUser'),
    grant: h('grant'),
    revoke: h('revoke'),
    suspendUser: h('suspendUser'),
    deleteUser: h('deleteUser'),
    sendWelcome: h('sendWelcome'),
    notify: h('notify'),
  } as ProvisioningHandlers;
}

/** Is a TCP service up on loopback? */
export async function reachable(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Services for the distributed tests: skip with a message when unreachable outside CI; in CI
 * (`CI` set) a missing service is a failure.
 */
export async function services(): Promise<{ ok: boolean; why: string }> {
  const pg = await reachable(5432);
  const redis = await reachable(6379);
  const why = [pg ? '' : 'PostgreSQL 127.0.0.1:5432', redis ? '' : 'Redis 127.0.0.1:6379']
    .filter(Boolean)
    .join(' and ');
  if (!why) return { ok: true, why: '' };
  if (process.env['CI']) throw new Error(`CI: ${why} unreachable; the distributed runtime tests need them`);
  console.warn(`skipping distributed runtime tests: ${why} unreachable (they fail instead when CI is set)`);
  return { ok: false, why };
}

/** The shared test database (trust auth); override with ORGSYNC_TEST_PG_URL. */
export const PG_URL = process.env['ORGSYNC_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A test file's scratch space: a temp directory and its own PostgreSQL schema (`<prefix>_<hex>`),
 * both removed after the file. `pgUp` is false, with a message, when PostgreSQL is unreachable
 * outside CI; in CI that fails the file.
 */
export async function scratch(prefix: string, what: string): Promise<{ pgUp: boolean; dir: string; schema: string }> {
  const pgUp = await reachable(5432);
  if (!pgUp && process.env['CI']) throw new Error(`CI: PostgreSQL 127.0.0.1:5432 unreachable; ${what} tests need it`);
  if (!pgUp) console.warn(`skipping PostgreSQL ${what} tests: 127.0.0.1:5432 unreachable (they fail when CI is set)`);
  const dir = mkdtempSync(path.join(tmpdir(), `orgsync-${prefix}-`));
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (pgUp) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  });
  return { pgUp, dir, schema };
}
