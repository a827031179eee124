/**
 * The API token must never appear in an error message, `JSON.stringify(error)`, anything in the
 * error's cause chain, a log line, a progress event or a snapshot: not even when Rippling echoes
 * it back in a body.
 */
import nock from 'nock';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rippling } from '../../../connectors/rippling/index.js';
import { startRipplingSimulator } from '../../../connectors/rippling/simulator.js';
import { OrgsyncError } from '../../../src/errors.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { fast, mockRestLookups, mockRestCompany, NOW, REST, rf } from './helpers.js';

const SECRET = 'rpl_secret_SHOULD_NEVER_LEAK_9f8e7d6c5b4a3210';
const forms = [SECRET, encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64'), `Bearer ${SECRET}`];

/** Everything an app could log about an error. */
function errorTexts(e: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 10; depth++) {
    out.push(String(cur), JSON.stringify(cur) ?? '', inspect(cur, { depth: 5 }));
    if (cur instanceof Error) out.push(cur.message, cur.stack ?? '');
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

function expectClean(texts: string[]): void {
  for (const t of texts) for (const f of forms) expect(t.includes(f), `leaked in: ${t.slice(0, 200)}`).toBe(false);
}

function recorder() {
  const texts: string[] = [];
  const log = (m: string, meta?: Record<string, unknown>) => texts.push(m, JSON.stringify(meta ?? {}));
  return {
    texts,
    http: {
      ...fast,
      logger: { debug: log, info: log, warn: log, error: log },
      onProgress: (e: unknown) => texts.push(JSON.stringify(e)),
    },
  };
}

async function caught(p: Promise<unknown>): Promise<OrgsyncError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OrgsyncError);
    return e as OrgsyncError;
  }
  throw new Error('expected a failure');
}

describe('Rippling never leaks the API token (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('401 whose body echoes the token', async () => {
    const rec = recorder();
    nock(REST)
      .get('/departments/')
      .reply(
        401,
        { detail: `Invalid token '${SECRET}' (header: Authorization: Bearer ${SECRET})` },
        { 'content-type': 'application/json' },
      );
    const err = await caught(takeSnapshot(rippling({ apiToken: SECRET, http: rec.http }), { now: NOW }));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('[REDACTED]'); // the vendor's text is kept, the token is not
    expectClean([...errorTexts(err), ...rec.texts]);
  });

  it('500 forever on the legacy API, with the token in the body: incomplete, with a clean cause chain', async () => {
    const rec = recorder();
    nock('https://api.rippling.com')
      .get('/platform/api/departments')
      .query(true)
      .times(3)
      .reply(500, { detail: `upstream rejected ${SECRET}` }, { 'content-type': 'application/json' });
    const err = await caught(
      takeSnapshot(
        rippling({ apiToken: SECRET, api: 'legacy', http: { ...rec.http, retry: { ...fast.retry, retries: 2 } } }),
        { now: NOW },
      ),
    );
    expect(err.kind).toBe('incomplete');
    expectClean([...errorTexts(err), ...rec.texts]);
  });

  it('a next_link to another host that carries the token', async () => {
    const rec = recorder();
    const page1 = rf('rest/GET_workers_page1.json');
    page1.next_link = `https://evil.example/workers/?token=${SECRET}`;
    mockRestCompany(SECRET, mockRestLookups(SECRET));
    nock(REST).get('/workers/').query(true).reply(200, page1);
    const err = await caught(takeSnapshot(rippling({ apiToken: SECRET, http: rec.http }), { now: NOW }));
    expect(err.code).toBe('foreign_link');
    expectClean([...errorTexts(err), ...rec.texts]);
  });

  it('a network failure', async () => {
    const rec = recorder();
    nock(REST)
      .get('/departments/')
      .times(3)
      .replyWithError(
        Object.assign(new Error(`socket hang up (Authorization: Bearer ${SECRET})`), { code: 'ECONNRESET' }),
      );
    const err = await caught(
      takeSnapshot(rippling({ apiToken: SECRET, http: { ...rec.http, retry: { ...fast.retry, retries: 2 } } }), {
        now: NOW,
      }),
    );
    expect(err.kind).toBe('incomplete');
    expectClean([...errorTexts(err), ...rec.texts]);
  });

  it('a config error for invalid options', async () => {
    let err: unknown;
    try {
      rippling({ apiToken: SECRET, api: 'soap' as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrgsyncError);
    expectClean(errorTexts(err));
  });
});

describe('Rippling never leaks the API token (simulator)', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it.each(['rest', 'legacy'] as const)(
    '%s: a complete snapshot with remote data, where a vendor field contains the token',
    async (api) => {
      const org = sampleOrg({ size: 20, today: '2026-03-02' });
      const r = await startRipplingSimulator(org, { api, routes: { pageSize: 7 } });
      sim = r.sim;
      r.data.apiToken = SECRET;
      // A careless admin pasted the token into a title.
      r.data.rest.workers[3]!['title'] = `Integrations (key ${SECRET})`;
      r.data.legacy.employees[3]!['title'] = `Integrations (key ${SECRET})`;
      const rec = recorder();
      const snap = await takeSnapshot(
        rippling({ ...r.options, apiToken: SECRET, pageSize: 7, includeRemoteData: true, http: rec.http }),
        { now: new Date('2026-03-02T12:00:00Z') },
      );
      expect(snap.employees).toHaveLength(20);
      expect(snap.employees[3]!.jobTitle).toBe('Integrations (key [REDACTED])');
      expectClean([JSON.stringify(snap), ...rec.texts]);
    },
  );

  it.each(['rest', 'legacy'] as const)('%s: a sync that fails mid-walk', async (api) => {
    const org = sampleOrg({ size: 20, today: '2026-03-02' });
    const r = await startRipplingSimulator(org, { api, routes: { pageSize: 7 } });
    sim = r.sim;
    r.data.apiToken = SECRET;
    sim.inject({
      match: /workers\/\?.*cursor=|offset=6/,
      times: Infinity,
      fault: { type: 'status', status: 503, body: { detail: `overloaded; retry with ${SECRET}` } },
    });
    const rec = recorder();
    const err = await caught(
      takeSnapshot(
        rippling({
          ...r.options,
          apiToken: SECRET,
          pageSize: 7,
          http: { ...rec.http, retry: { ...fast.retry, retries: 1 } },
        }),
        { now: new Date('2026-03-02T12:00:00Z') },
      ),
    );
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(503);
    expectClean([...errorTexts(err), ...rec.texts]);
  });
});
