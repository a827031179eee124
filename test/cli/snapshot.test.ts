import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/cli.js';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { OrgSnapshotSchema } from '../../src/model.js';

let running: RunningSimulator;
let dir: string;

const io = captureIo;

beforeAll(async () => {
  running = await simulators['bamboohr']!.start(sampleOrg({ size: 30, today: '2026-06-01' }));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-cli-'));
});
afterAll(async () => {
  await running.sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('orgsync snapshot <vendor>', () => {
  it('derives --kebab-case flags from the factory options and writes a valid snapshot', async () => {
    const o = running.options;
    const file = path.join(dir, 'snap.json');
    const t = io();
    const code = await main(
      [
        'snapshot',
        'bamboohr',
        '--subdomain',
        String(o['subdomain']),
        '--api-key',
        String(o['apiKey']),
        '--base-url',
        String(o['baseUrl']),
        '--out',
        file,
      ],
      t.io,
    );
    expect(code).toBe(0);
    const snap = OrgSnapshotSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    expect(snap.employees).toHaveLength(30);
    expect(t.errText()).toMatch(/wrote .*snap\.json: 30 employees/);
    expect(t.errText()).toMatch(/employees page 1/);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(String(o['apiKey']));
  });

  it('takes secrets from the environment and other options from --config', async () => {
    const o = running.options;
    const cfg = path.join(dir, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify({ subdomain: o['subdomain'], baseUrl: o['baseUrl'] }));
    const file = path.join(dir, 'env.json');
    const t = io({ ORGSYNC_BAMBOOHR_API_KEY: String(o['apiKey']) });
    expect(await main(['snapshot', 'bamboohr', '--config', cfg, '--out', file, '--quiet'], t.io)).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    expect(t.errText()).toBe('');
  });

  it('on a failed sync exits 1 with the typed message and leaves no file (not even a temp file)', async () => {
    const o = running.options;
    const file = path.join(dir, 'fail.json');
    const t = io();
    const code = await main(
      [
        'snapshot',
        'bamboohr',
        '--subdomain',
        'acme',
        '--api-key',
        'wrong-key-123456',
        '--base-url',
        String(o['baseUrl']),
        '--out',
        file,
      ],
      t.io,
    );
    expect(code).toBe(1);
    expect(t.errText()).toMatch(/orgsync: auth error: BambooHR rejected the API key/);
    expect(t.errText()).not.toContain('wrong-key-123456');
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('fail'))).toEqual([]);
  });

  it('keeps the previous snapshot file intact when a later sync fails', async () => {
    const o = running.options;
    const file = path.join(dir, 'keep.json');
    fs.writeFileSync(file, '{"previous":true}');
    running.sim.inject({ match: '/reports/custom', times: Infinity, fault: { type: 'status', status: 500 } });
    const t = io();
    const code = await main(
      [
        'snapshot',
        'bamboohr',
        '--subdomain',
        'acme',
        '--api-key',
        String(o['apiKey']),
        '--base-url',
        String(o['baseUrl']),
        '--max-retries',
        '1',
        '--out',
        file,
      ],
      t.io,
    );
    running.sim.clearFaults();
    expect(code).toBe(1);
    expect(t.errText()).toMatch(/incomplete error/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"previous":true}');
  });

  it('usage errors exit 2 with a helpful message', async () => {
    let t = io();
    expect(await main(['snapshot', 'bamboohr', '--subdomain', 'acme', '--api-key', 'k'], t.io)).toBe(2);
    expect(t.errText()).toMatch(/--out FILE is required/);
    t = io();
    expect(await main(['snapshot', 'nosuchvendor', '--out', 'x'], t.io)).toBe(2);
    expect(t.errText()).toMatch(/unknown vendor 'nosuchvendor'/);
    t = io();
    expect(await main(['snapshot', 'bamboohr', '--subdomian', 'acme', '--out', 'x'], t.io)).toBe(2);
    expect(t.errText()).toMatch(/Unknown option --subdomian .*--subdomain/);
    t = io();
    expect(await main(['snapshot', 'bamboohr', '--api-key', 'k', '--out', path.join(dir, 'x.json')], t.io)).toBe(2);
    expect(t.errText()).toMatch(
      /config error: BambooHR: missing --subdomain \(or ORGSYNC_BAMBOOHR_SUBDOMAIN, or "subdomain" in --config\)/,
    );
    t = io();
    expect(await main(['snapshot', 'bamboohr', '--subdomain', 'acme', '--out', path.join(dir, 'x.json')], t.io)).toBe(
      2,
    );
    expect(t.errText()).toMatch(/missing --api-key \(or ORGSYNC_BAMBOOHR_API_KEY\)/);
    t = io();
    const cfg = path.join(dir, 'typo.json');
    fs.writeFileSync(cfg, JSON.stringify({ subdomain: 'acme', apiKeey: 'x' }));
    expect(await main(['snapshot', 'bamboohr', '--config', cfg, '--out', path.join(dir, 'x.json')], t.io)).toBe(2);
    expect(t.errText()).toMatch(/--config .*typo\.json: unknown key 'apiKeey' for bamboohr\. Keys: subdomain, apiKey/);
    expect(fs.existsSync(path.join(dir, 'x.json'))).toBe(false);
  });

  it('lists connectors with their flags', async () => {
    const t = io();
    expect(await main(['connectors'], t.io)).toBe(0);
    expect(t.text()).toMatch(/bamboohr \(BambooHR\)/);
    expect(t.text()).toMatch(/--api-key VALUE \[secret; env ORGSYNC_BAMBOOHR_API_KEY\]/);
    expect(t.text()).toMatch(/--custom-fields A,B \(optional\)/);
  });

  it('demo prints a summary from the simulator', async () => {
    const t = io();
    expect(await main(['demo', '--size', '25'], t.io)).toBe(0);
    expect(t.text()).toMatch(/Headcount by status/);
    expect(t.text()).toMatch(/Chief Executive Officer/);
    expect(t.text()).toMatch(/25 employees/);
  });
});
