import { afterEach, describe, expect, it } from 'vitest';
import { replayFixtures, type Replay } from '../../src/testing/replay.js';
import { bamboohr } from '../../connectors/bamboohr/index.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { fixture } from '../helpers/fixtures.js';

let replay: Replay | undefined;
afterEach(() => replay?.restore());
const fast = { retry: { retries: 0 } };
const all = () => [
  { path: '/api/v1/meta/lists', response: fixture('bamboohr', 'GET_v1_meta_lists.json') },
  { path: '/api/v1/company_information', response: fixture('bamboohr', 'GET_v1_company_information.json') },
  {
    method: 'POST' as const,
    path: '/api/v1/reports/custom',
    query: { format: 'JSON', onlyCurrent: 'false' },
    response: fixture('bamboohr', 'POST_v1_reports_custom.json'),
  },
];

describe('strict fixture replay', () => {
  it('passes when every recording is used and nothing else is requested', async () => {
    replay = replayFixtures('https://acme.bamboohr.com', all());
    await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: 'k-123456', http: fast }));
    expect(() => replay!.assertDone()).not.toThrow();
  });

  it('fails when a recorded response was never requested', async () => {
    replay = replayFixtures('https://acme.bamboohr.com', [
      ...all(),
      { path: '/api/v1/employees/directory', response: { employees: [] } },
    ]);
    await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: 'k-123456', http: fast }));
    expect(() => replay!.assertDone()).toThrow(/never requested: .*employees\/directory/);
  });

  it('fails when an unexpected request is made', async () => {
    replay = replayFixtures('https://acme.bamboohr.com', all().slice(0, 2));
    await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: 'k-123456', http: fast })).catch(() => undefined);
    expect(() => replay!.assertDone()).toThrow(/unexpected request\(s\): POST .*reports\/custom/);
  });
});
