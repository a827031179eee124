/**
 * An OAuth 2.0 client-credentials token endpoint for vendor simulators (RFC 6749 section 4.4):
 * checks the client (Basic header or form fields), the grant type and an optional scope, issues
 * opaque bearer tokens with `expires_in`, and tells the vendor's routes whether a token is valid.
 * Error bodies are RFC 6749 section 5.2 (`{error, error_description}`); a vendor whose token
 * endpoint answers differently wraps `handle`.
 */
import { randomBytes } from 'node:crypto';
import { basicAuth, bearerToken, type SimRequest, type SimResponse } from './server.js';

export interface TokenIssuerOptions {
  clientId: string;
  clientSecret: string;
  /** Where the client may put its credentials (default `either`). */
  clientAuth?: 'basic' | 'body' | 'either';
  /** A scope the request must ask for (checked when set). */
  scope?: string;
  /** Lifetime announced in `expires_in`, in seconds (default 3600); tokens are refused after it. */
  expiresIn?: number;
  /** Prefix of issued tokens (readable logs). */
  tokenPrefix?: string;
}

export class SimTokenIssuer {
  /** Token requests answered (successful or not). */
  requests = 0;
  private readonly tokens = new Map<string, number>();

  constructor(readonly options: TokenIssuerOptions) {}

  /** Answer a token request. */
  handle(req: SimRequest): SimResponse {
    this.requests++;
    const o = this.options;
    const err = (status: number, error: string, description: string): SimResponse => ({
      status,
      body: { error, error_description: description },
      headers: { 'cache-control': 'no-store' },
    });
    if (req.method !== 'POST') return err(405, 'invalid_request', 'The token endpoint accepts POST only.');
    const form = new URLSearchParams(req.body);
    const basic = basicAuth(req.headers);
    const mode = o.clientAuth ?? 'either';
    const id = mode !== 'body' && basic ? basic.user : mode !== 'basic' ? form.get('client_id') : null;
    const secret = mode !== 'body' && basic ? basic.pass : mode !== 'basic' ? form.get('client_secret') : null;
    if (form.get('grant_type') !== 'client_credentials')
      return err(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
    if (id !== o.clientId || secret !== o.clientSecret)
      return err(401, 'invalid_client', 'Client authentication failed.');
    if (o.scope && !(form.get('scope') ?? '').split(' ').includes(o.scope))
      return err(400, 'invalid_scope', `The requested scope is invalid; expected ${o.scope}.`);
    const token = `${o.tokenPrefix ?? 'sim-at'}-${randomBytes(18).toString('base64url')}`;
    const expiresIn = o.expiresIn ?? 3600;
    this.tokens.set(token, Date.now() + expiresIn * 1000);
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: expiresIn,
        ...(o.scope ? { scope: o.scope } : {}),
      },
      headers: { 'cache-control': 'no-store' },
    };
  }

  /** Whether the request carries a bearer token this endpoint issued and that has not expired or been revoked. */
  authorized(req: SimRequest): boolean {
    const token = bearerToken(req.headers);
    const until = token ? this.tokens.get(token) : undefined;
    return until !== undefined && Date.now() < until;
  }

  /** Revoke every issued token (the next API call gets 401; a client fetches a new token). */
  revokeAll(): void {
    this.tokens.clear();
  }
}
