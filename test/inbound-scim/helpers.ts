import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import {
  createScimHandler,
  MemoryScimStore,
  type ScimHandler,
  type ScimHandlerOptions,
  type ScimResponse,
  type ScimStore,
  type ScimTenantData,
} from '../../src/inbound-scim/index.js';

export const TOKEN_A = 'token-acme-0123456789abcdef';
export const TOKEN_B = 'token-globex-0123456789abcdef';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A fixed clock that advances 1 s per call, so timestamps are deterministic and ordered. */
export function clock(start = '2026-03-02T09:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

/** Ids u1, u2, ... (or the given list first). */
export function ids(prefix = 'id', given: string[] = []): () => string {
  let n = 0;
  const queue = [...given];
  return () => queue.shift() ?? `${prefix}${++n}`;
}

/**
 * `ORGSYNC_TEST_SCIM_STORE=sql`: the protocol suites run on the runtime's SQL store (a fresh SQLite
 * file per handler, src/runtime/scim-store.ts) instead of memory — the same store contract
 * (test/runtime/scim-store-suites.test.ts sets it).
 */
const sqlDirs: string[] = [];
if (process.env['ORGSYNC_TEST_SCIM_STORE'] === 'sql')
  afterAll(() => sqlDirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function testStore(): ScimStore {
  if (process.env['ORGSYNC_TEST_SCIM_STORE'] !== 'sql') return new MemoryScimStore();
  let opened: Promise<ScimStore & { version(t: string): Promise<number> }> | undefined;
  const open = () =>
    (opened ??= (async () => {
      const { openStore, SqlScimStore } = await import('../../src/runtime/index.js');
      const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-scim-sql-'));
      sqlDirs.push(dir);
      const file = path.join(dir, 'rt.db');
      return new SqlScimStore(await openStore({ sqlite: file }, { migrate: true }));
    })());
  return {
    load: async (t: string) => (await open()).load(t),
    save: async (t: string, d: ScimTenantData) => (await open()).save(t, d),
    version: async (t: string) => (await open()).version(t),
  };
}

export function makeHandler(overrides: Partial<ScimHandlerOptions> = {}): ScimHandler {
  return createScimHandler({
    store: testStore(),
    tenants: [
      { id: 'acme', token: TOKEN_A, name: 'Acme Inc.' },
      { id: 'globex', token: TOKEN_B },
    ],
    now: clock(),
    newId: ids(),
    ...overrides,
  });
}

export interface Client {
  (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ScimResponse & { json: any }>;
}

/** A request helper bound to a handler and token; bodies are sent as JSON text, like on the wire. */
export function client(h: ScimHandler, token: string | null = TOKEN_A): Client {
  return async (method, p, body, headers = {}) => {
    const res = await h.handle({
      method,
      path: p,
      headers: { host: 'app.example.com', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return Object.assign(res, { json: res.body as any });
  };
}

export function patchOp(...operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

export function user(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [CORE_USER, ENTERPRISE],
    userName,
    active: true,
    name: { givenName: userName.split('@')[0], familyName: 'Test' },
    emails: [{ value: userName, type: 'work', primary: true }],
    ...extra,
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** RFC 7643/7644 sample bodies in ../shared (read-only reference, never copied into the project). */
export const SPECS = path.resolve(here, '../../../shared/specs/scim');
export const hasSpecs = existsSync(SPECS);
export function spec(name: string): any {
  return JSON.parse(readFileSync(path.join(SPECS, name), 'utf8'));
}

export function expectScimError(
  res: { status: number; json: any; headers: Record<string, string> },
  status: number,
  scimType?: string,
): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.json)}`);
  const body = res.json;
  if (!body || !Array.isArray(body.schemas) || body.schemas[0] !== ERROR_URN)
    throw new Error(`not a SCIM error body: ${JSON.stringify(body)}`);
  if (body.status !== String(status))
    throw new Error(`error status should be the string "${status}", got ${JSON.stringify(body.status)}`);
  if (scimType !== undefined && body.scimType !== scimType)
    throw new Error(`expected scimType ${scimType}, got ${JSON.stringify(body.scimType)}`);
  if (scimType === undefined && 'scimType' in body)
    throw new Error(`expected no scimType, got ${JSON.stringify(body.scimType)}`);
  if (!String(res.headers['content-type'] ?? '').startsWith('application/scim+json'))
    throw new Error('error without application/scim+json content type');
}
