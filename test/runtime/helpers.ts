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
 * Today's date (YYYY-MM-DD) where the sample rules' company is (America/New_York): the date sample
 * changes must carry for their actions to be due now. A UTC date is tomorrow there from 00:00 to
 * 05:00 UTC, and a termination dated tomorrow is future-dated (its deprovisioning waits), which made
 * "every plan applied" tests fail at night.
 */
export function companyToday(now = new Date()): string {
  const tz = (sampleRules().policy?.timezone as string | undefined) ?? 'UTC';
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
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
