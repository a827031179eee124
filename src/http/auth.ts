/**
 * Auth strategies of the request pipeline that need more than a static header:
 *
 * - **OAuth 2.0 client credentials** (`{ type: 'oauth2-client-credentials' }` as a connector's
 *   `auth`): the access token is fetched from the token endpoint through the same transport as
 *   every other call (so a client certificate applies to it too), cached until it expires minus a
 *   skew, shared by every client of the process with the same credentials, fetched once for all
 *   concurrent callers, and fetched again once when the API answers 401 (`HttpClient` asks
 *   `invalidate`). Token endpoint failures become typed errors (`auth` for rejected credentials,
 *   `config` for a wrong scope, grant or URL, `rate_limited`/`transient` for the retryable ones).
 *   The client secret, the Basic header made of it and every token received are registered with the
 *   client's `Redactor`: they never appear in errors, logs or snapshots.
 * - **Mutual TLS** (`tls` beside `auth`): a client certificate and key (PEM text or a path to a PEM
 *   file), optionally a passphrase for the key and a CA bundle, loaded once and checked when the
 *   connector is created (a key that does not match the certificate is a `config` error at once),
 *   and presented on every HTTPS call through the https agent the pipeline uses. TLS alerts about
 *   certificates become `auth` (rejected client certificate) or `config` (untrusted server) errors.
 *
 * Nothing here is vendor-specific; connectors declare `auth` and `tls` in their `http(options)`.
 *
 * Length: two strategies (OAuth2 client credentials, mutual TLS) that share the typed-error and
 * redaction helpers at the bottom.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { createError, OrgsyncError } from '../errors.js';
import type { Redactor } from '../redact.js';
import { parseRetryAfter } from './timing.js';

/** OAuth 2.0 client credentials grant (RFC 6749 section 4.4). */
export interface OAuth2ClientCredentialsAuth {
  type: 'oauth2-client-credentials';
  /** Absolute URL of the token endpoint (may be on another host than the API). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes, sent as `scope` when given. */
  scope?: string | undefined;
  /**
   * How the client authenticates at the token endpoint: `basic` (default, RFC 6749 2.3.1:
   * `Authorization: Basic base64(clientId:clientSecret)`) or `body` (`client_id` and
   * `client_secret` form fields).
   */
  clientAuth?: 'basic' | 'body' | undefined;
  /** Extra form fields for the token request (e.g. `audience`). */
  params?: Record<string, string> | undefined;
  /** Renew this long before the announced expiry (default 60 s). */
  skewMs?: number | undefined;
  /** Lifetime assumed when the endpoint sends no `expires_in` (default 5 min). */
  defaultTtlMs?: number | undefined;
}

/**
 * A client certificate for mutual TLS. Each of `cert`, `key` and `ca` is PEM text (it contains
 * `-----BEGIN`) or else the path of a PEM file, read once when the connector is created. `cert`
 * and `key` go together; `ca` alone only changes which servers are trusted.
 */
export interface ClientCertificate {
  /** The client certificate (chain), PEM. */
  cert?: string | undefined;
  /** Its private key, PEM (encrypted keys need `passphrase`). */
  key?: string | undefined;
  /** Passphrase of an encrypted key. */
  passphrase?: string | undefined;
  /**
   * CA certificate(s) to trust for the server, PEM. Replaces the default trust store: only for
   * servers with a private CA (test servers, TLS-inspecting proxies); leave unset for public APIs.
   */
  ca?: string | undefined;
}

/** A certificate whose PEMs are loaded and checked; what the https agent is built from. */
export interface LoadedCertificate {
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
  ca?: string | undefined;
  /** Hash of the certificate, key and CA: the agent and token caches key on it. */
  fingerprint: string;
}

interface Who {
  vendor: string;
  vendorName: string;
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

function pemOrFile(value: string, option: string, who: Who, secret: boolean): string {
  if (PEM.test(value)) return value;
  const where = secret ? '' : ` '${value.slice(0, 200)}'`;
  let text: string;
  try {
    text = fs.readFileSync(value, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'unreadable';
    throw createError({
      kind: 'config',
      code: 'client_certificate_unreadable',
      vendor: who.vendor,
      message: `${who.vendorName}: ${option} is neither PEM text nor a readable file${where} (${code}). Give the PEM text (-----BEGIN ...) or the path of a PEM file.`,
    });
  }
  if (!PEM.test(text)) {
    throw createError({
      kind: 'config',
      code: 'client_certificate_invalid',
      vendor: who.vendor,
      message: `${who.vendorName}: the file given as ${option}${where} holds no PEM block (-----BEGIN ...).`,
    });
  }
  return text;
}

/** Load the PEMs (text or files) and check that they form a usable client identity. Throws `config`. */
export function loadClientCertificate(c: ClientCertificate, who: Who): LoadedCertificate {
  if (!c.cert !== !c.key) {
    throw createError({
      kind: 'config',
      code: 'client_certificate_invalid',
      vendor: who.vendor,
      message: `${who.vendorName}: a client certificate needs both the certificate and its private key (only the ${c.cert ? 'certificate' : 'key'} was given).`,
    });
  }
  const cert = c.cert ? pemOrFile(c.cert, 'the client certificate', who, false) : undefined;
  const key = c.key ? pemOrFile(c.key, 'the client key', who, true) : undefined;
  const ca = c.ca ? pemOrFile(c.ca, 'the CA certificate', who, false) : undefined;
  try {
    tls.createSecureContext({
      ...(cert && key ? { cert, key } : {}),
      ...(c.passphrase ? { passphrase: c.passphrase } : {}),
      ...(ca ? { ca } : {}),
    });
  } catch (e) {
    const code = String((e as { code?: string }).code ?? '');
    const msg = String((e as Error).message ?? '');
    const why =
      code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
        ? 'the private key does not belong to the client certificate'
        : /bad decrypt|bad password|DECODER|unsupported|interrupted|PRIVATE KEY|key/i.test(`${code} ${msg}`) &&
            !/CERTIFICATE/i.test(msg)
          ? `the private key could not be read (${c.passphrase ? 'wrong passphrase, or ' : 'encrypted without a passphrase given, or '}not a PEM private key)`
          : 'the client certificate or the CA certificate is not a valid PEM certificate';
    throw createError({
      kind: 'config',
      code: 'client_certificate_invalid',
      vendor: who.vendor,
      message: `${who.vendorName}: cannot use the client certificate: ${why}${code ? ` (${code})` : ''}.`,
    });
  }
  const fingerprint = createHash('sha256')
    .update(`${cert ?? ''}\0${key ?? ''}\0${ca ?? ''}\0${c.passphrase ?? ''}`)
    .digest('hex');
  return {
    ...(cert && key ? { cert, key } : {}),
    ...(c.passphrase ? { passphrase: c.passphrase } : {}),
    ...(ca ? { ca } : {}),
    fingerprint,
  };
}

/** Secrets of a client certificate to register with the redactor (the key and its passphrase). */
export function certificateSecrets(c: LoadedCertificate): string[] {
  return [...(c.key ? [c.key] : []), ...(c.passphrase ? [c.passphrase] : [])];
}

const agents = new Map<string, https.Agent>();

/** One keep-alive https agent per client certificate (shared by the clients that present it). */
export function httpsAgentFor(c: LoadedCertificate): https.Agent {
  let agent = agents.get(c.fingerprint);
  if (!agent) {
    agent = new https.Agent({
      keepAlive: true,
      maxSockets: 64,
      ...(c.cert && c.key ? { cert: c.cert, key: c.key } : {}),
      ...(c.passphrase ? { passphrase: c.passphrase } : {}),
      ...(c.ca ? { ca: c.ca } : {}),
    });
    agents.set(c.fingerprint, agent);
  }
  return agent;
}

/**
 * A TLS failure the generic network rules would retry in vain, as a typed error; undefined for
 * anything else. `clientCertificate`: whether this client presents one.
 */
export function tlsFailure(
  e: unknown,
  who: Who & { endpoint: string; clientCertificate: boolean },
): OrgsyncError | undefined {
  const err = e as { code?: string; message?: string; cause?: { code?: string }; request?: { reusedSocket?: boolean } };
  const code = String(err.code ?? err.cause?.code ?? '');
  const base = { vendor: who.vendor, endpoint: who.endpoint };
  const alert = /^ERR_SSL_(?:TLSV13_|TLSV1_|SSLV3_)?ALERT_([A-Z_]+)$/.exec(code)?.[1];
  if (alert && /CERTIFICATE|UNKNOWN_CA|ACCESS_DENIED|HANDSHAKE_FAILURE/.test(alert)) {
    const why =
      alert === 'CERTIFICATE_REQUIRED' && !who.clientCertificate
        ? 'the server requires a client certificate (mutual TLS) and none is configured'
        : `the server rejected the client certificate (TLS alert ${alert.toLowerCase().replace(/_/g, ' ')})`;
    return createError({
      ...base,
      kind: 'auth',
      code: 'client_certificate_rejected',
      message: `${who.vendorName}: TLS handshake for ${who.endpoint} failed: ${why}. Use the certificate and key registered with ${who.vendorName} for this client (not expired, same CA).`,
    });
  }
  if (!who.clientCertificate) return undefined;
  if (
    /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID|CERT_UNTRUSTED)$/.test(
      code,
    )
  ) {
    return createError({
      ...base,
      kind: 'config',
      code: 'server_certificate_untrusted',
      message: `${who.vendorName}: the server's certificate for ${who.endpoint} could not be verified (${code}). Check the base URL; give the CA certificate (ca) only for a server with a private CA.`,
    });
  }
  // A server that rejects a client certificate may close the connection instead of sending an
  // alert (Node's own TLS servers do). A brand-new connection closed before any answer, while we
  // present a certificate, is almost always that: `auth`, but retryable, so a network blip recovers.
  const handshakeReset = /disconnected before secure TLS connection was established/i.test(String(err.message ?? ''));
  if ((code === 'ECONNRESET' || code === 'EPIPE') && (handshakeReset || err.request?.reusedSocket === false)) {
    return createError({
      ...base,
      kind: 'auth',
      retryable: true,
      code: 'client_certificate_rejected',
      message: `${who.vendorName}: the server closed a new TLS connection for ${who.endpoint} before answering (${code}); it most likely rejected the client certificate. Use the certificate and key registered with ${who.vendorName} for this client (not expired, same CA).`,
    });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// OAuth 2.0 client credentials

/** How the token request is sent: the pipeline's own transport (same agent, same certificate). */
export type TokenTransport = (req: {
  url: string;
  headers: Record<string, string>;
  body: string;
}) => Promise<{ status: number; headers: Record<string, string>; text: string }>;

interface CacheEntry {
  token?: string;
  expiresAt: number;
  pending?: Promise<string>;
}

const tokenCache = new Map<string, CacheEntry>();

/** Forget every cached access token of this process (tests; after rotating a client secret). */
export function clearTokenCache(): void {
  tokenCache.clear();
}

/** The stable identity of OAuth2 credentials (token endpoint, client, scope, certificate), hashed. */
export function oauth2CredentialKey(a: OAuth2ClientCredentialsAuth, certificate?: LoadedCertificate): string {
  const parts = [
    a.tokenUrl,
    a.clientId,
    a.clientSecret,
    a.scope ?? '',
    a.clientAuth ?? 'basic',
    JSON.stringify(a.params ?? {}),
    certificate?.fingerprint ?? '',
  ];
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** Register the client secret and the Basic header made of it. */
export function oauth2Secrets(a: OAuth2ClientCredentialsAuth): string[] {
  return [a.clientSecret, `${a.clientId}:${a.clientSecret}`];
}

const CONFIG_ERRORS = new Set([
  'invalid_scope',
  'unsupported_grant_type',
  'invalid_request',
  'unsupported_response_type',
]);

export class ClientCredentialsTokens {
  private readonly key: string;
  private readonly endpoint: string;

  constructor(
    private readonly auth: OAuth2ClientCredentialsAuth,
    private readonly send: TokenTransport,
    private readonly redactor: Redactor,
    private readonly who: Who,
    certificate?: LoadedCertificate,
  ) {
    this.key = oauth2CredentialKey(auth, certificate);
    let path = auth.tokenUrl;
    try {
      const u = new URL(auth.tokenUrl);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
      path = u.pathname;
    } catch {
      throw createError({
        kind: 'config',
        vendor: who.vendor,
        message: `${who.vendorName}: the token URL '${redactor.redact(auth.tokenUrl)}' is not a valid http(s) URL.`,
      });
    }
    this.endpoint = `POST ${path}`;
  }

  /** A valid access token: cached, or fetched once for every concurrent caller. */
  async token(): Promise<string> {
    const e = tokenCache.get(this.key);
    if (e?.token && Date.now() < e.expiresAt) return this.registered(e.token);
    if (e?.pending) return this.registered(await e.pending);
    const pending = this.fetch().then(
      ({ token, expiresAt }) => {
        tokenCache.set(this.key, { token, expiresAt });
        return token;
      },
      (err: unknown) => {
        if (tokenCache.get(this.key)?.pending === pending) tokenCache.delete(this.key);
        throw err;
      },
    );
    tokenCache.set(this.key, { pending, expiresAt: 0 });
    return this.registered(await pending);
  }

  /** The API rejected `token` (401): drop it unless a newer one already replaced it. */
  invalidate(token: string): void {
    if (tokenCache.get(this.key)?.token === token) tokenCache.delete(this.key);
  }

  /** Tokens already given to the redactor (adding one rebuilds its pattern: once per token, not per call). */
  private readonly known = new Set<string>();

  private registered(token: string): string {
    if (!this.known.has(token)) {
      this.known.add(token);
      this.redactor.add(token);
    }
    return token;
  }

  private async fetch(): Promise<{ token: string; expiresAt: number }> {
    const a = this.auth;
    const started = Date.now();
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (a.scope) form.set('scope', a.scope);
    for (const [k, v] of Object.entries(a.params ?? {})) form.set(k, v);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if ((a.clientAuth ?? 'basic') === 'basic')
      headers['Authorization'] = `Basic ${Buffer.from(`${a.clientId}:${a.clientSecret}`).toString('base64')}`;
    else {
      form.set('client_id', a.clientId);
      form.set('client_secret', a.clientSecret);
    }
    const res = await this.send({ url: a.tokenUrl, headers, body: form.toString() });
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(res.text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
    } catch {
      /* not JSON: handled below */
    }
    if (res.status >= 200 && res.status < 300) return this.accept(json, started);
    throw this.failure(res.status, res.headers, json, res.text);
  }

  private accept(json: Record<string, unknown> | undefined, started: number): { token: string; expiresAt: number } {
    const token = json?.['access_token'];
    const type = json?.['token_type'];
    if (typeof token !== 'string' || token.trim() === '') {
      throw this.error(
        'vendor',
        'token_response_invalid',
        undefined,
        `${this.who.vendorName}: the token endpoint (${this.endpoint}) answered without an access_token. Check the token URL.`,
      );
    }
    this.registered(token);
    if (type !== undefined && type !== null && !(typeof type === 'string' && /^bearer$/i.test(type))) {
      throw this.error(
        'vendor',
        'token_type_unsupported',
        undefined,
        `${this.who.vendorName}: the token endpoint issued a '${this.redactor.redact(String(type))}' token; orgsync sends Bearer tokens only.`,
      );
    }
    const raw = json?.['expires_in'];
    const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    const lifetime = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : (this.auth.defaultTtlMs ?? 300_000);
    const skew = this.auth.skewMs ?? 60_000;
    // Renew `skew` early, but never keep less than half the lifetime (short-lived tokens).
    return { token, expiresAt: started + Math.max(lifetime - skew, lifetime / 2) };
  }

  private failure(
    status: number,
    headers: Record<string, string>,
    json: Record<string, unknown> | undefined,
    text: string,
  ): OrgsyncError {
    const name = this.who.vendorName;
    const oauthError = typeof json?.['error'] === 'string' ? (json['error'] as string) : undefined;
    const described =
      typeof json?.['error_description'] === 'string' ? (json['error_description'] as string) : undefined;
    const said = this.redactor
      .redact([oauthError, described].filter(Boolean).join(': ') || (json ? '' : /^\s*</.test(text) ? '' : text.trim()))
      .slice(0, 300);
    const quote = said ? ` ${name} said: "${said}".` : '';
    const where = `the token endpoint (${this.endpoint})`;
    if (status === 429 || status === 408 || status >= 500) {
      const retryAfterMs = parseRetryAfter(headers['retry-after']);
      const kind = status === 429 ? 'rate_limited' : 'transient';
      const what =
        status === 429 ? 'rate-limited the token request (429)' : `failed (${status}); this is usually temporary`;
      return createError({
        kind,
        retryable: true,
        code: oauthError ?? `token_${status}`,
        vendor: this.who.vendor,
        status,
        endpoint: this.endpoint,
        retryAfterMs,
        message: `${name}: ${where} ${what}.${quote}`,
      });
    }
    if (oauthError && CONFIG_ERRORS.has(oauthError)) {
      return this.error(
        'config',
        oauthError,
        status,
        `${name}: ${where} refused the token request (${status} ${oauthError}).${quote} Check the scope and the token URL configured for this connector.`,
      );
    }
    if (status === 404 || status === 405) {
      return this.error(
        'config',
        `token_${status}`,
        status,
        `${name}: ${where} answered ${status}. Check the token URL.`,
      );
    }
    if (status === 400 || status === 401 || status === 403) {
      return this.error(
        'auth',
        oauthError ?? 'invalid_client',
        status,
        `${name}: ${where} rejected the client credentials (${status}${oauthError ? ` ${oauthError}` : ''}).${quote} Check the client id and secret (and that the secret has not expired or been rotated).`,
      );
    }
    return this.error(
      'vendor',
      oauthError ?? `token_${status}`,
      status,
      `${name}: ${where} answered ${status}.${quote}`,
    );
  }

  private error(
    kind: 'auth' | 'config' | 'vendor',
    code: string,
    status: number | undefined,
    message: string,
  ): OrgsyncError {
    return createError({
      kind,
      retryable: false,
      code,
      vendor: this.who.vendor,
      status,
      endpoint: this.endpoint,
      message: this.redactor.redact(message),
    });
  }
}
