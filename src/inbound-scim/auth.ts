/**
 * Per-tenant bearer-token authentication: the configured tokens (compared in constant time) and the
 * optional `authenticate(token)` hook.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { ScimHttpError } from './errors.js';
import { header, type ScimRequest } from './http.js';
import { assertTenantId } from './store.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export interface TenantToken {
  id: string;
  token: string | string[];
  name?: string;
}

export type Authenticate = (
  token: string,
  request: ScimRequest,
) => string | null | undefined | Promise<string | null | undefined>;

export class TokenAuth {
  /** Company names of the configured tenants. */
  readonly names = new Map<string, string>();
  private readonly tokens: Array<{ tenant: string; digest: Buffer }> = [];

  constructor(
    tenants: TenantToken[],
    private readonly hook?: Authenticate,
  ) {
    const seen = new Map<string, string>();
    for (const t of tenants) {
      assertTenantId(t.id);
      if (this.names.has(t.id))
        throw new ConfigError({ message: `createScimHandler: tenant '${t.id}' is listed twice.` });
      this.names.set(t.id, t.name ?? t.id);
      for (const token of Array.isArray(t.token) ? t.token : [t.token]) {
        if (typeof token !== 'string' || token.length === 0) {
          throw new ConfigError({ message: `createScimHandler: tenant '${t.id}' has an empty token.` });
        }
        const key = sha256(token).toString('hex');
        const other = seen.get(key);
        if (other !== undefined && other !== t.id) {
          throw new ConfigError({
            message: `createScimHandler: tenants '${other}' and '${t.id}' share a token; each tenant needs its own.`,
          });
        }
        seen.set(key, t.id);
        this.tokens.push({ tenant: t.id, digest: sha256(token) });
      }
    }
  }

  /** The tenant the request's bearer token belongs to; 401 otherwise. */
  async authenticate(request: ScimRequest): Promise<string> {
    const challenge = { 'www-authenticate': 'Bearer realm="orgsync-scim"' };
    const value = header(request.headers, 'authorization');
    const m = value ? /^\s*bearer\s+(\S+)\s*$/i.exec(value) : null;
    if (!m) {
      throw new ScimHttpError(
        401,
        undefined,
        'Authentication required: send Authorization: Bearer <token>.',
        challenge,
      );
    }
    const token = m[1]!;
    // Constant time over every configured token: the digest comparison does not stop early and
    // every entry is compared, so timing tells nothing about which tokens exist.
    const digest = sha256(token);
    let found: string | undefined;
    for (const t of this.tokens) {
      if (timingSafeEqual(digest, t.digest) && found === undefined) found = t.tenant;
    }
    if (found === undefined && this.hook) {
      const r = await this.hook(token, request);
      if (typeof r === 'string' && r) {
        assertTenantId(r);
        found = r;
      }
    }
    if (found === undefined) throw new ScimHttpError(401, undefined, 'The bearer token is not valid.', challenge);
    return found;
  }
}
