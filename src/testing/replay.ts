/**
 * Strict fixture replay for contract tests: every recorded response must be requested, and any
 * request that matches no recording fails the test (instead of silently going unanswered).
 * Built on nock (a peer dependency of `orgsync/testing`).
 */
import { createRequire } from 'node:module';
import type NockType from 'nock';

/** nock is an optional peer: loaded on first use so the rest of orgsync/testing works without it. */
function loadNock(): typeof NockType {
  try {
    return createRequire(import.meta.url)('nock') as typeof NockType;
  } catch {
    throw new Error('replayFixtures needs nock: npm install -D nock');
  }
}

export interface RecordedExchange {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path without the query string (e.g. `/v1/companies/abc/employees`). */
  path: string;
  /** Exact query parameters expected, or `true` for any. Default: no query string. */
  query?: Record<string, string> | true;
  /** A predicate on the parsed request body (POST/PUT/PATCH). */
  body?: (body: unknown) => boolean;
  status?: number;
  headers?: Record<string, string>;
  /** Response body (objects are sent as JSON). */
  response: unknown;
  /** How many times this exchange is expected (default 1). */
  times?: number;
}

export interface Replay {
  /** Throw when a recording was never requested or an unexpected request was made. */
  assertDone(): void;
  /** Requests that matched no recording, as `METHOD url`. */
  readonly unexpected: string[];
  /** Remove the interceptors (call in afterEach). */
  restore(): void;
}

export function replayFixtures(baseUrl: string, exchanges: RecordedExchange[]): Replay {
  const nock = loadNock();
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  const unexpected: string[] = [];
  const onNoMatch = (req: { method?: string; href?: string; path?: string; options?: { href?: string } }) => {
    unexpected.push(`${req.method ?? 'GET'} ${req.href ?? req.options?.href ?? req.path ?? '?'}`);
  };
  nock.emitter.on('no match', onNoMatch);
  const scope = nock(baseUrl);
  for (const x of exchanges) {
    const method = (x.method ?? 'GET').toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    let ic = x.body ? scope[method](x.path, (b: NockType.Body) => x.body!(b)) : scope[method](x.path);
    ic = x.query === true ? ic.query(true) : x.query ? ic.query(x.query) : ic;
    ic.times(x.times ?? 1).reply(x.status ?? 200, x.response as NockType.Body, {
      'content-type': 'application/json',
      ...(x.headers ?? {}),
    });
  }
  return {
    unexpected,
    assertDone() {
      const problems: string[] = [];
      if (unexpected.length) problems.push(`unexpected request(s): ${unexpected.join('; ')}`);
      if (!scope.isDone()) problems.push(`recorded response(s) never requested: ${scope.pendingMocks().join('; ')}`);
      if (problems.length) throw new Error(`fixture replay: ${problems.join('. ')}`);
    },
    restore() {
      nock.emitter.removeListener('no match', onNoMatch);
      nock.cleanAll();
    },
  };
}
