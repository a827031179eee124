/**
 * The Workday password never leaves orgsync: not in error messages, `JSON.stringify(error)`, the
 * cause chain, log lines, progress events or snapshots — even when a server echoes the request
 * (and so the WS-Security header) back in a fault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OrgsyncError } from '../../../src/errors.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { workday } from '../../../connectors/workday/index.js';
import { escapeXml } from '../../../connectors/workday/xml.js';
import { soapFault, workdayDataFromSample, workdayRoutes } from '../../../connectors/workday/simulator.js';
import { fast } from './helpers.js';

const SECRET = 'Wd&<pa55>"word"-9f8e7d';
const forms = [SECRET, escapeXml(SECRET), encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64')];

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function everything(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 10; depth++) {
    const err = cur as Error & { cause?: unknown };
    parts.push(String(err.message), String(err.stack ?? ''), JSON.stringify(err), String(err));
    cur = err.cause;
  }
  return parts.join('\n');
}

const expectNoSecret = (text: string) => {
  for (const f of forms) expect(text).not.toContain(f);
  // Not even a piece of it.
  expect(text).not.toContain('pa55');
};

async function setup(password = SECRET) {
  const data = workdayDataFromSample(sampleOrg({ size: 12, today: '2025-06-02' }), { password: SECRET });
  sim = await startSimulator(workdayRoutes(data));
  const logs: string[] = [];
  const events: unknown[] = [];
  const connector = workday({
    host: 'wd2-impl-services1.workday.com',
    tenant: data.tenant,
    username: data.username,
    password,
    baseUrl: `${sim.url}/ccx/service/${data.tenant}`,
    pageSize: 5,
    includeRemoteData: true,
    http: {
      ...fast,
      logger: {
        debug: (m, meta) => logs.push(m + JSON.stringify(meta ?? {})),
        info: (m) => logs.push(m),
        warn: (m) => logs.push(m),
        error: (m) => logs.push(m),
      },
      onProgress: (e) => events.push(e),
    },
  });
  return { connector, logs, events, sim: sim! };
}

describe('Workday secrets', () => {
  it('a successful snapshot, its logs and progress events never contain the password', async () => {
    const { connector, logs, events } = await setup();
    const snap = await takeSnapshot(connector);
    expect(snap.employees.length).toBe(12);
    expectNoSecret(JSON.stringify(snap));
    expectNoSecret(logs.join('\n'));
    expectNoSecret(JSON.stringify(events));
  });

  it('a wrong password: the auth error, its JSON and cause chain never contain it', async () => {
    const wrong = 'Wrong&<pa55word>-1234';
    const { connector, logs } = await setup(wrong);
    const err = await takeSnapshot(connector).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('auth');
    const all = everything(err) + logs.join('\n');
    for (const f of [wrong, escapeXml(wrong), 'pa55']) expect(all).not.toContain(f);
  });

  it('a server that echoes the whole request (WS-Security header included) in a fault: redacted everywhere', async () => {
    const { connector, logs, sim } = await setup();
    sim.inject({
      times: Infinity,
      fault: {
        type: 'transform',
        fn: (_res, req) => ({
          status: 500,
          body: soapFault('Server.internalError', `could not process request: ${req.body}`),
        }),
      },
    });
    const err = await takeSnapshot(connector).catch((e: unknown) => e);
    expect((err as OrgsyncError).kind).toBe('incomplete');
    const all = everything(err) + logs.join('\n');
    expect(all).toContain('could not process request');
    expect(all).toContain('[REDACTED]');
    expectNoSecret(all);
  });

  it('a validation fault quoting the password, in a 200 response, is redacted too', async () => {
    const { connector, sim } = await setup();
    sim.inject({
      times: 1,
      fault: {
        type: 'transform',
        fn: (_res, req) => ({
          status: 200,
          body: soapFault('Client.validationError', 'bad value', { message: `bad value in ${req.body}` }),
        }),
      },
    });
    const err = await connector.read().catch((e: unknown) => e);
    expect((err as OrgsyncError).kind).toBe('vendor');
    expectNoSecret(everything(err));
  });

  it('invalid options never echo the password', async () => {
    let err: unknown;
    try {
      workday({ host: 'https://not-a-host/', tenant: 't', username: 'u', password: SECRET });
    } catch (e) {
      err = e;
    }
    expect((err as OrgsyncError).kind).toBe('config');
    expect((err as OrgsyncError).message).toContain('host');
    expectNoSecret(everything(err));
  });
});
