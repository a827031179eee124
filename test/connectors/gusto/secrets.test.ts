/**
 * The access token never leaves the SDK: not in error messages, `JSON.stringify(error)`, the cause
 * chain, stack traces, logs, progress events or snapshots, even when Gusto echoes it back.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gusto } from '../../../connectors/gusto/index.js';
import { gustoDataFromSample, gustoRoutes } from '../../../connectors/gusto/simulator.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator, type SimResponse } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { BASE, CO, FILES, fixture, fixtureHeaders, type Row } from './helpers.js';

const SECRET = 'gho_S3cr3tGustoT0ken_do-not-leak_9f8e7d6c';
const encodings = [SECRET, encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64')];

/** Every string reachable from an error: message, stack, JSON, and the same for each cause. */
function errorTexts(e: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  let c: unknown = e;
  while (c && !seen.has(c)) {
    seen.add(c);
    const err = c as Error & { cause?: unknown };
    out.push(String(err.message), String(err.stack), JSON.stringify(err), String(err));
    out.push(JSON.stringify(Object.fromEntries(Object.entries(err))));
    c = err.cause;
  }
  return out;
}

function expectNoSecret(texts: string[]): void {
  for (const t of texts) for (const s of encodings) expect(t).not.toContain(s);
}

const logs: string[] = [];
const logger = {
  debug: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta ?? {})),
  info: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta ?? {})),
  warn: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta ?? {})),
  error: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta ?? {})),
};
const http = {
  rateLimit: { requests: Infinity },
  retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
  logger,
  onProgress: (e: unknown) => logs.push(JSON.stringify(e)),
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  logs.length = 0;
});
afterAll(() => nock.enableNetConnect());

describe('Gusto: the access token never leaks', () => {
  it('401 whose body echoes the token', async () => {
    nock(BASE)
      .get(`/v1/companies/${CO}/departments`)
      .reply(
        401,
        {
          errors: [
            {
              error_key: 'request',
              category: 'invalid_token',
              message: `Token ${SECRET} is expired (Authorization: Bearer ${SECRET})`,
            },
          ],
        },
        { 'content-type': 'application/json' },
      );
    const err = await takeSnapshot(gusto({ companyUuid: CO, accessToken: SECRET, http })).catch((e) => e);
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('[REDACTED]');
    expectNoSecret(errorTexts(err));
    expectNoSecret(logs);
  });

  it('5xx on every attempt (incomplete error wrapping the cause) with the token in the body', async () => {
    const s = nock(BASE);
    s.get(`/v1/companies/${CO}/departments`).reply(
      200,
      fixture(FILES.departments) as nock.Body,
      fixtureHeaders(FILES.departments),
    );
    s.get(`/v1/companies/${CO}`).reply(200, fixture(FILES.company) as nock.Body);
    s.get(`/v1/companies/${CO}/locations`)
      .query(true)
      .reply(200, fixture(FILES.locations) as nock.Body, fixtureHeaders(FILES.locations));
    s.get(`/v1/companies/${CO}/employees`)
      .query(true)
      .times(2)
      .reply(
        500,
        { errors: [{ error_key: 'base', category: 'internal_error', message: `failed for bearer ${SECRET}` }] },
        { 'content-type': 'application/json' },
      );
    const err = await takeSnapshot(gusto({ companyUuid: CO, accessToken: SECRET, http })).catch((e) => e);
    expect(err.kind).toBe('incomplete');
    expect(errorTexts(err).length).toBeGreaterThan(5); // the cause chain was walked
    expectNoSecret(errorTexts(err));
    expectNoSecret(logs);
  });

  it('406 and invalid options', async () => {
    nock(BASE)
      .get(`/v1/companies/${CO}/departments`)
      .reply(
        406,
        { name: 'Invalid X-Gusto-API-Version Header', message: `bad version for ${SECRET}` },
        { 'content-type': 'application/json' },
      );
    const err = await takeSnapshot(
      gusto({ companyUuid: CO, accessToken: SECRET, apiVersion: '2020-01-01', http }),
    ).catch((e) => e);
    expect(err.kind).toBe('config');
    expectNoSecret(errorTexts(err));
    let configErr: unknown;
    try {
      gusto({ companyUuid: 'not/a uuid', accessToken: SECRET });
    } catch (e) {
      configErr = e;
    }
    expect((configErr as Error).message).toMatch(/companyUuid/);
    expectNoSecret(errorTexts(configErr));
  });

  it('network failure (nothing listening)', async () => {
    nock.enableNetConnect('127.0.0.1');
    try {
      const err = await takeSnapshot(
        gusto({ companyUuid: CO, accessToken: SECRET, baseUrl: 'http://127.0.0.1:9', http }),
      ).catch((e) => e);
      expect(err.kind).toBe('incomplete');
      expectNoSecret(errorTexts(err));
      expectNoSecret(logs);
    } finally {
      nock.disableNetConnect();
    }
  });

  it('a snapshot with remote data, where a vendor field happens to hold the token, is redacted', async () => {
    nock.enableNetConnect('127.0.0.1');
    const data = gustoDataFromSample(sampleOrg({ size: 12 }), { accessToken: SECRET });
    const sim = await startSimulator(gustoRoutes(data));
    try {
      // A custom field value that contains the token (users paste things in odd places).
      sim.inject({
        match: '/employees',
        fault: {
          type: 'transform',
          fn: (res: SimResponse) => ({
            ...res,
            body: (res.body as Row[]).map((r, i) =>
              i === 0
                ? {
                    ...r,
                    custom_fields: [
                      {
                        id: '1',
                        company_custom_field_id: '2',
                        name: 'Notes',
                        type: 'text',
                        value: `api token ${SECRET}`,
                      },
                    ],
                  }
                : r,
            ),
          }),
        },
      });
      const snap = await takeSnapshot(
        gusto({
          companyUuid: data.companyUuid,
          accessToken: SECRET,
          baseUrl: sim.url,
          includeRemoteData: true,
          customFields: true,
          http,
        }),
      );
      expect(snap.employees).toHaveLength(12);
      const text = JSON.stringify(snap);
      expect(text).toContain('[REDACTED]');
      expectNoSecret([text]);
      expectNoSecret(logs);
      // The request really carried the token (so the check above is meaningful).
      expect(sim.log.length).toBeGreaterThan(3);
    } finally {
      await sim.close();
      nock.disableNetConnect();
    }
  });
});
