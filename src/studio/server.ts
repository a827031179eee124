/**
 * The rules studio as a request handler: `createStudioHandler(options)` returns a
 * `(req, res, next?) => void` that serves the page, its assets and its JSON API, mountable on
 * `node:http` or express (`app.use('/settings/provisioning', handler)`). Every request needs the
 * token (query `token` or header `X-Orgsync-Studio-Token`) when one is configured: 401 missing,
 * 403 wrong. Rules are validated by the same function as `loadRuleSet` (`parseRuleSetJson`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeEvent } from '../changes.js';
import { diffSnapshots } from '../diff.js';
import { ValidationError } from '../errors.js';
import type { OrgSnapshot } from '../model.js';
import { parseRuleSetJson, type RuleSet } from '../provisioning/rules.js';
import { readAsset, studioPage, type AssetName } from './assets.js';
import { buildOrgIndex, type OrgIndex } from './org.js';
import { accessPreview, planPreview } from './preview.js';
import { studioSchema } from './schema.js';

type MaybePromise<T> = T | Promise<T>;

export interface StudioOptions {
  /** The current snapshot (called once, then cached). */
  loadSnapshot: () => MaybePromise<OrgSnapshot>;
  /** The previous snapshot, for the dry-run plan; absent/null: no plan. */
  loadPrevious?: () => MaybePromise<OrgSnapshot | null>;
  /** The rule set as stored (JSON text or parsed JSON), called on each page load. */
  loadRules: () => MaybePromise<string | unknown>;
  /** Persist a rule set that `parseRuleSet` accepted; `text` is the pretty JSON to store. */
  saveRules: (text: string, input: unknown) => MaybePromise<void>;
  /** Required on every request when set (the CLI always sets one). A host app with its own auth may omit it. */
  token?: string | null;
  /** Accepted `Host` headers (DNS-rebinding guard of the standalone server); omit to accept any. */
  allowedHosts?: string[];
  /** Clock for the plan preview. */
  now?: () => Date;
  /** Page title. */
  title?: string;
  /** `frame-ancestors` of the page's CSP; default `'self'` (embed in your own origin). */
  frameAncestors?: string;
}

export type StudioHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const MAX_BODY = 2 * 1024 * 1024;

export interface FieldIssue {
  /** Dotted path as `loadRuleSet` reports it (`rules.0.when.value`), `(root)` for the whole set. */
  path: string;
  message: string;
  /** The full line exactly as `loadRuleSet` reports it. */
  text: string;
}

/** Validate rule set JSON text exactly as `loadRuleSet` does; issues split into path and message. */
export function validateRulesText(text: string): { ruleSet: RuleSet | null; issues: FieldIssue[] } {
  try {
    return { ruleSet: parseRuleSetJson(text), issues: [] };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // Not JSON at all: the message says where the parse failed; the issue line only says "(root): not JSON".
    if (!e.issues?.length || /not valid JSON/.test(e.message))
      return { ruleSet: null, issues: [{ path: '(root)', message: e.message, text: e.message }] };
    return {
      ruleSet: null,
      issues: e.issues.map((text) => {
        const i = text.indexOf(': ');
        return i > 0
          ? { path: text.slice(0, i), message: text.slice(i + 2), text }
          : { path: '(root)', message: text, text };
      }),
    };
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'expected Content-Type: application/json');
  const pre = (req as { body?: unknown }).body; // express.json() already parsed it
  if (pre && typeof pre === 'object' && !Buffer.isBuffer(pre)) return pre as Record<string, unknown>;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new HttpError(400, `request body is not a JSON object: ${(e as Error).message}`);
  }
}

/** Rule set JSON text of a request body `{ rules: <rule set object> }` or `{ text: "<json>" }`. */
function rulesTextOf(body: Record<string, unknown>): string {
  if (typeof body['text'] === 'string') return body['text'];
  if ('rules' in body) return JSON.stringify(body['rules'], null, 2) + '\n';
  throw new HttpError(400, 'expected { "rules": {...} } or { "text": "..." }');
}

export function createStudioHandler(options: StudioOptions): StudioHandler {
  if (
    !options ||
    typeof options.loadSnapshot !== 'function' ||
    typeof options.loadRules !== 'function' ||
    typeof options.saveRules !== 'function'
  ) {
    throw new TypeError('createStudioHandler needs { loadSnapshot, loadRules, saveRules }');
  }
  const token = options.token ?? null;
  const tokenDigest = token ? digest(token) : null;
  const now = options.now ?? (() => new Date());
  let data: Promise<{ current: OrgSnapshot; previous: OrgSnapshot | null; org: OrgIndex }> | null = null;
  const load = () =>
    (data ??= (async () => {
      const current = await options.loadSnapshot();
      const previous = options.loadPrevious ? await options.loadPrevious() : null;
      return { current, previous: previous ?? null, org: buildOrgIndex(current) };
    })().catch((e) => {
      data = null;
      throw e;
    }));

  // The change events depend on the snapshots and the day only, not on the rules: diff once per day.
  let changesCache: { day: string; events: ChangeEvent[] } | null = null;
  const changesFor = (previous: OrgSnapshot, current: OrgSnapshot): ChangeEvent[] => {
    const at = now();
    const day = at.toISOString().slice(0, 10);
    if (changesCache?.day !== day) changesCache = { day, events: diffSnapshots(previous, current, { now: at }) };
    return changesCache.events;
  };

  const rulesText = async (): Promise<string> => {
    const r = await options.loadRules();
    return typeof r === 'string' ? r : JSON.stringify(r, null, 2) + '\n';
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    if (options.allowedHosts && !options.allowedHosts.includes(String(req.headers.host ?? '')))
      throw new HttpError(403, 'unexpected Host header');
    if (tokenDigest) {
      const given = url.searchParams.get('token') ?? (req.headers['x-orgsync-studio-token'] as string | undefined);
      if (!given) throw new HttpError(401, 'missing studio token: open the URL printed by `orgsync studio`');
      if (!timingSafeEqual(digest(given), tokenDigest)) throw new HttpError(403, 'wrong studio token');
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && (path === '/' || path === '' || path === '/index.html')) {
      // Relative asset and API URLs need the page's URL to end with "/" (mounted at /studio -> /studio/).
      const original = (req as { originalUrl?: string }).originalUrl;
      if (original !== undefined) {
        const op = new URL(original, 'http://studio.invalid').pathname;
        if (!op.endsWith('/') && !op.endsWith('/index.html')) {
          res.writeHead(308, { Location: `${op}/${url.search}` });
          res.end();
          return;
        }
      }
      const fa = options.frameAncestors ?? "'self'";
      send(
        res,
        200,
        studioPage({ token, title: options.title ?? 'orgsync rules studio' }),
        'text/html; charset=utf-8',
        {
          'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors ${fa}`,
        },
      );
      return;
    }
    if (method === 'GET' && path.startsWith('/assets/')) {
      const name = path.slice('/assets/'.length) as AssetName;
      const asset = await readAsset(name);
      if (!asset) throw new HttpError(404, 'no such asset');
      send(res, 200, asset.body, asset.type);
      return;
    }
    if (!path.startsWith('/api/')) throw new HttpError(404, 'not found');
    const d = await load();
    if (method === 'GET' && path === '/api/state') {
      const text = await rulesText();
      let rules: unknown = null;
      try {
        rules = JSON.parse(text);
      } catch {
        rules = null;
      }
      sendJson(res, 200, {
        schema: studioSchema(),
        rules,
        rulesText: text,
        issues: validateRulesText(text).issues,
        company: d.current.company,
        takenAt: d.current.takenAt,
        previousTakenAt: d.previous?.takenAt ?? null,
        people: d.org.people,
        departments: d.org.departments,
      });
      return;
    }
    if (method === 'GET' && path === '/api/org/children') {
      const parent = url.searchParams.get('parent');
      sendJson(
        res,
        200,
        d.org.children(
          parent || null,
          Number(url.searchParams.get('offset') ?? 0) || 0,
          Number(url.searchParams.get('limit') ?? 100) || 100,
        ),
      );
      return;
    }
    if (method === 'GET' && path === '/api/org/search') {
      sendJson(res, 200, d.org.search(url.searchParams.get('q') ?? ''));
      return;
    }
    if (method === 'POST' && (path === '/api/preview' || path === '/api/validate')) {
      const body = await readJsonBody(req);
      const { ruleSet, issues } = validateRulesText(rulesTextOf(body));
      if (!ruleSet || path === '/api/validate') {
        sendJson(res, 200, { valid: !!ruleSet, issues });
        return;
      }
      const query = typeof body['query'] === 'string' ? body['query'] : undefined;
      const department = typeof body['department'] === 'string' ? body['department'] : undefined;
      sendJson(res, 200, {
        valid: true,
        issues,
        access: accessPreview(ruleSet, d.current, {
          ...(query ? { query } : {}),
          ...(department ? { department } : {}),
        }),
        plan: planPreview(
          ruleSet,
          d.previous,
          d.current,
          now(),
          d.previous ? changesFor(d.previous, d.current) : undefined,
        ),
      });
      return;
    }
    if (method === 'POST' && path === '/api/save') {
      const body = await readJsonBody(req);
      const text = rulesTextOf(body);
      const { ruleSet, issues } = validateRulesText(text);
      if (!ruleSet) {
        sendJson(res, 422, { saved: false, issues });
        return;
      }
      await options.saveRules(text, JSON.parse(text));
      sendJson(res, 200, { saved: true, issues: [] });
      return;
    }
    throw new HttpError(
      method === 'GET' || method === 'POST' ? 404 : 405,
      method === 'GET' || method === 'POST' ? 'not found' : 'method not allowed',
    );
  };

  return (req, res, next) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) {
        sendJson(res, e.status, { error: e.message });
        return;
      }
      if (next) return next(e);
      if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  };
}
