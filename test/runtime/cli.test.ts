import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulators } from '../../connectors/simulators.js';
import { main } from '../../src/cli/main.js';
import { generateKeySpec } from '../../src/runtime/index.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { startReceiver } from './receiver.js';

const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-rt-cli-'));
const config = path.join(dir, 'runtime.json');
writeFileSync(config, JSON.stringify({ store: { sqlite: path.join(dir, 'rt.db') } }));
const env = { ORGSYNC_KEYS: generateKeySpec('k1') };

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--config', config], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env,
  });
  return { code, out, err };
}

describe('orgsync runtime CLI (embedded)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate, tenants add/list/show/remove, run --once, status, events, approve', async () => {
    expect((await cli('tenants', 'list')).err).toMatch(/orgsync migrate/);
    expect((await cli('migrate')).out).toMatch(/applied migration\(s\) 1, 2, 3, 4, 5/);
    expect((await cli('migrate')).out).toMatch(/up to date \(version 6\)/);

    const running = await simulators['bamboohr']!.start(sampleOrg({ size: 12 }));
    try {
      const { apiKey, ...options } = running.options as Record<string, string>;
      const creds = path.join(dir, 'creds.json');
      writeFileSync(creds, JSON.stringify({ apiKey }));
      const add = await cli(
        'tenants',
        'add',
        'acme',
        '--connector',
        'bamboohr',
        '--options',
        JSON.stringify(options),
        '--credentials',
        creds,
        '--every',
        '15m',
      );
      expect(add).toMatchObject({ code: 0 });
      expect(add.out).toMatch(/credentials encrypted/);
      expect((await cli('tenants', 'add', 'x', '--connector', 'nope')).code).toBe(2);
      expect((await cli('tenants', 'list')).out).toMatch(/^acme\tbamboohr\tlast sync -/);
      const show = await cli('tenants', 'show', 'acme');
      expect(show.out).not.toContain(apiKey);
      expect(JSON.parse(show.out)).toMatchObject({
        id: 'acme',
        hasCredentials: true,
        schedule: { incrementalEveryMs: 900_000 },
      });

      expect((await cli('run', '--once')).out).toBe('ran 1 due tenant(s): acme\n');
      expect((await cli('run', '--once')).out).toBe('ran 0 due tenant(s)\n');
      const status = await cli('status', '--json');
      const [line] = JSON.parse(status.out);
      expect(line).toMatchObject({ id: 'acme', lastErrorKind: null, pendingApprovals: [], eventOffset: 1 });
      expect(line.requestsLastRun).toBeGreaterThan(0);
      const events = (await cli('events', 'acme')).out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(events.map((e) => [e.offset, e.type])).toEqual([[1, 'sync.completed']]);
      expect((await cli('events', 'acme', '--after', '1')).out).toBe('');
      // Event delivery: an endpoint, a run that delivers, a dead letter listed and redelivered.
      const receiver = await startReceiver();
      try {
        const added = await cli(
          'endpoints',
          'add',
          'hook',
          '--url',
          receiver.url,
          '--from',
          'start',
          '--max-attempts',
          '1',
        );
        expect(added.code).toBe(0);
        receiver.secret = /signing secret \(shown once[^:]*\): (\S+)/.exec(added.out)![1]!;
        expect((await cli('endpoints', 'list')).out).toMatch(
          /^hook\thttp:\/\/127\.0\.0\.1:\d+\/orgsync\/events\t\*\tmax 1 attempts/,
        );
        expect((await cli('endpoints', 'add', 'bad', '--url', 'http://example.com/x')).err).toMatch(/must be https/);
        receiver.script = [500];
        // Nothing due; the delivery pass of `run --once` sends acme's event 1, gets 500: one attempt allowed.
        expect((await cli('run', '--once')).out).toBe('ran 0 due tenant(s)\n');
        const events2 = await cli('events', '--dead-letter');
        expect(events2.out).toMatch(/^dl_[0-9a-f]{16}\tacme\thook\toffsets 1-1\tdead\t1 attempt\(s\)\t.*\tHTTP 500\n$/);
        const dl = events2.out.split('\t')[0]!;
        const st = JSON.parse((await cli('status', '--json')).out);
        expect(st[0].delivery).toEqual([
          { endpointId: 'hook', pending: 0, deadLetters: 1, attempts: 0, lastError: 'HTTP 500' },
        ]);
        expect((await cli('status')).out).toMatch(/\thook:0 dead=1\n/);
        expect((await cli('events', '--redeliver', dl)).out).toMatch(
          new RegExp(`dead letter ${dl} redelivered \\(HTTP 200, 1 event\\(s\\)\\)`),
        );
        expect((await cli('events', '--dead-letter', 'acme')).out).toBe('no dead letters\n');
        expect(receiver.accepted.map((b) => [b.redelivery ?? false, b.events.map((e) => e.id)])).toEqual([
          [true, ['acme:1']],
        ]);
        expect(receiver.requests.every((r) => r.verified)).toBe(true);
        expect((await cli('endpoints', 'remove', 'hook')).out).toMatch(/removed/);
      } finally {
        await receiver.close();
      }
      const approve = await cli('approve', 'acme', 'plan_123');
      expect(approve.code).toBe(2);
      expect(approve.err).toMatch(/has no plan plan_123/);
      expect((await cli('tenants', 'remove', 'acme')).out).toMatch(/removed/);
      expect((await cli('tenants', 'show', 'acme')).code).toBe(1);
    } finally {
      await running.sim.close();
    }
  });
});
