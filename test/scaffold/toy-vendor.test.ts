/**
 * A connector scaffolded by `orgsync new-connector`, filled in for a toy vendor, passes the same
 * conformance kit as the shipped connectors — for every auth scheme, paging strategy and both list
 * sources — with the registration the scaffold generated; the unfilled scaffold lists what is left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import {
  detectScaffoldMode,
  scaffoldAnswers,
  scaffoldConnector,
  type ScaffoldAuth,
  type ScaffoldLists,
  type ScaffoldPaging,
} from '../../src/cli/scaffold.js';
import { unfinishedParts } from '../../src/testing/unfinished.js';
import { fillToyConnector } from './fill.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/cli.js';
import { runConnectorConformance } from '../../src/testing/conformance.js';
import { startSimulator } from '../../src/simulator/server.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { root } from '../helpers/fixtures.js';

// Inside the repository so the scaffold's imports (zod, the core) resolve.
const base = path.join(root, 'test', '.tmp', `scaffold-${process.pid}`);
fs.rmSync(base, { recursive: true, force: true });
const core = path.join(root, 'src');
const unfilled = await scaffoldConnector({ id: 'toy-raw', root: base, coreDir: core });
const made = await scaffoldConnector({ id: 'toyhr', root: base, coreDir: core });
const dir = path.join(base, 'connectors', 'toyhr');

// The contributor's work (test/scaffold/fill.ts): the vendor's row shape, the mapper, the simulator data, TODOs done.
fillToyConnector(dir, { id: 'toyhr', name: 'Toyhr', auth: 'bearer', lists: 'endpoints' });
const connector = await import(path.join(dir, 'index.ts'));
const simulator = await import(path.join(dir, 'simulator.ts'));

/** Every other answer the scaffold takes, each filled in the same way and run through the whole kit. */
const VARIANTS: Array<{ id: string; auth: ScaffoldAuth; paging: ScaffoldPaging; lists: ScaffoldLists }> = [
  { id: 'toy-basic', auth: 'basic', paging: 'page', lists: 'rows' },
  { id: 'toy-oauth', auth: 'oauth2-client-credentials', paging: 'cursor', lists: 'endpoints' },
  { id: 'toy-link', auth: 'bearer', paging: 'next-link', lists: 'rows' },
  { id: 'toy-single', auth: 'basic', paging: 'single', lists: 'endpoints' },
];
const variants = [];
for (const va of VARIANTS) {
  await scaffoldConnector({ ...va, root: base, coreDir: core });
  const vdir = path.join(base, 'connectors', va.id);
  fillToyConnector(vdir, {
    ...va,
    name: va.id.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => `${d ? ' ' : ''}${c.toUpperCase()}`),
  });
  const v = va.id.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const mod = await import(path.join(vdir, 'index.ts'));
  const sim = await import(path.join(vdir, 'simulator.ts'));
  variants.push({ ...va, factory: mod[v], registration: sim[`${v}Simulator`] });
}

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('orgsync new-connector', () => {
  it('creates the declaration, schemas, mapper, simulator, README, fixtures folder and a conformance test', () => {
    expect(made.files.sort()).toEqual(
      [
        'connectors/toyhr/README.md',
        'connectors/toyhr/index.ts',
        'connectors/toyhr/map.ts',
        'connectors/toyhr/schemas.ts',
        'connectors/toyhr/simulator.ts',
        'fixtures/toyhr/README.md',
        'test/connectors/toyhr/conformance.test.ts',
      ].sort(),
    );
    expect(fs.readFileSync(path.join(base, 'connectors', 'toy-raw', 'README.md'), 'utf8')).toMatch(
      /\| `managerId` \| \| must be another employee's `id` \|/,
    );
  });

  it('the conformance test and the simulator registration come from one description: nothing repeated', () => {
    const test = fs.readFileSync(path.join(base, 'test', 'connectors', 'toyhr', 'conformance.test.ts'), 'utf8');
    expect(test).toContain('runConnectorConformance(toyhr, toyhrSimulator);');
    // The registration's values live in simulator.ts only.
    expect(test).not.toMatch(/employeesPath|badCredentials|paged/);
    const sim = fs.readFileSync(path.join(base, 'connectors', 'toy-raw', 'simulator.ts'), 'utf8');
    expect(sim).toMatch(
      /export const toyRawSimulator: VendorSimulator = \{[\s\S]*employeesPath: '\/v1\/employees',[\s\S]*paged: true,[\s\S]*sample: \{[\s\S]*personId: \(p\) => toyRawEmployeeId\(p\.key\)/,
    );
  });

  it('the unfilled scaffold lists every unfinished part at once, and fails until the connector is written', async () => {
    const parts = await unfinishedParts(path.join(base, 'connectors', 'toy-raw'));
    const files = new Set(parts.map((p) => p.split(':')[0]));
    expect([...files].sort()).toEqual(['README.md', 'index.ts', 'map.ts', 'schemas.ts', 'simulator.ts']);
    expect(parts).toContainEqual(expect.stringMatching(/^map\.ts:\d+: map every field/));
    expect(parts).toContainEqual(expect.stringMatching(/^map\.ts:\d+: read the company from Toy Raw/));
    expect(parts).toContainEqual(expect.stringMatching(/^simulator\.ts:\d+: render every sample person/));
    expect(parts).toContainEqual(
      expect.stringMatching(/^simulator\.ts:\d+: say which sample attributes become groups/),
    );
    expect(parts).toContainEqual(expect.stringMatching(/^index\.ts:\d+: the vendor's production base URL/));
    expect(parts.length).toBeGreaterThanOrEqual(12);
    const raw = await import(path.join(base, 'connectors', 'toy-raw', 'index.ts'));
    const rawSim = await import(path.join(base, 'connectors', 'toy-raw', 'simulator.ts'));
    expect(() => rawSim.toyRawDataFromSample(sampleOrg({ size: 5 }))).toThrow(/not written yet/);
    const sim = await startSimulator(
      rawSim.toyRawRoutes({
        credentials: { apiToken: 't-0000' },
        employees: [{ id: 1 }],
        departments: [],
        locations: [],
      }),
    );
    try {
      const err = await takeSnapshot(raw.toyRaw({ apiToken: 't-0000', baseUrl: `${sim.url}/v1` })).catch(
        (e: unknown) => e,
      );
      expect(String((err as Error).message)).toMatch(/not written yet/);
    } finally {
      await sim.close();
    }
    expect(unfilled.files).toContain('test/connectors/toy-raw/conformance.test.ts');
    // The filled-in connector has none left.
    expect(await unfinishedParts(dir)).toEqual([]);
  });

  it('generates the answers: auth scheme, paging strategy, lists from rows', () => {
    const text = (id: string, f: string) => fs.readFileSync(path.join(base, 'connectors', id, f), 'utf8');
    expect(text('toy-basic', 'index.ts')).toMatch(
      /auth: \{ type: 'basic', username: opts\.username, password: opts\.password \}/,
    );
    expect(text('toy-basic', 'index.ts')).toContain('pageNumberPaging(');
    expect(text('toy-basic', 'index.ts')).toContain('listsFromEmployees: true');
    expect(text('toy-oauth', 'index.ts')).toMatch(/type: 'oauth2-client-credentials', tokenUrl: opts\.tokenUrl \?\?/);
    expect(text('toy-oauth', 'simulator.ts')).toContain('new SimTokenIssuer(');
    expect(text('toy-oauth', 'index.ts')).toContain('cursorPaging(');
    expect(text('toy-link', 'index.ts')).toContain('nextLinkPaging(');
    expect(text('toy-single', 'index.ts')).toContain('singlePage()');
    expect(text('toy-single', 'simulator.ts')).toContain('paged: false');
    expect(text('toyhr', 'index.ts')).toContain('offsetPaging({ limit: PAGE_SIZE })');
  });

  it('refuses an invalid or existing id, and an answer it does not know', async () => {
    await expect(scaffoldConnector({ id: 'Bad Id', root: base })).rejects.toThrow(/not a valid connector id/);
    await expect(scaffoldConnector({ id: 'toyhr', root: base })).rejects.toThrow(/already exists/);
    await expect(scaffoldConnector({ id: 'toy-x', root: base, paging: 'links' as ScaffoldPaging })).rejects.toThrow(
      /--paging must be one of single, offset, page, cursor, next-link \(got 'links'\)/,
    );
  });

  it('asks for the answers no flag gave (a terminal), with defaults and a second chance', async () => {
    const asked: string[] = [];
    const replies = ['oauth2', 'oauth2-client-credentials', '', 'rows'];
    const answers = await scaffoldAnswers(
      { paging: undefined, auth: undefined, lists: undefined },
      async (q) => (asked.push(q), replies.shift()!),
    );
    expect(answers).toEqual({ auth: 'oauth2-client-credentials', paging: 'offset', lists: 'rows' });
    expect(asked[0]).toBe('How does the vendor authenticate? basic | bearer | oauth2-client-credentials [bearer]: ');
    expect(asked).toHaveLength(4);
    // Flags win, nothing asked; without a terminal the defaults apply.
    expect(
      await scaffoldAnswers({ auth: 'basic', paging: 'single', lists: 'endpoints' }, async () => {
        throw new Error('asked');
      }),
    ).toEqual({ auth: 'basic', paging: 'single', lists: 'endpoints' });
    expect(await scaffoldAnswers({})).toEqual({ auth: 'bearer', paging: 'offset', lists: 'endpoints' });
  });

  it('the CLI takes the answers as flags', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-flags-'));
    try {
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'acme-app', version: '1.0.0' }));
      const t = captureIo();
      expect(
        await main(
          ['new-connector', 'flaghr', '--root', project, '--auth', 'basic', '--paging', 'cursor', '--lists', 'rows'],
          t.io,
        ),
      ).toBe(0);
      const index = fs.readFileSync(path.join(project, 'connectors', 'flaghr', 'index.ts'), 'utf8');
      expect(index).toContain('Scaffolded with: --auth basic --paging cursor --lists rows.');
      const bad = captureIo();
      expect(await main(['new-connector', 'flag2', '--root', project, '--auth', 'kerberos'], bad.io)).toBe(2);
      expect(bad.errText()).toMatch(/--auth must be one of basic, bearer, oauth2-client-credentials/);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

// The filled-in connectors pass the same kit as the shipped ones, with their generated registration.
runConnectorConformance(connector.toyhr, simulator.toyhrSimulator);
for (const v of variants) runConnectorConformance(v.factory, v.registration);

describe('orgsync new-connector in a user project (not this repository)', () => {
  it('scaffolds a connector package that imports orgsync and orgsync/testing, never ../../src', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-user-project-'));
    try {
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'acme-app', version: '1.0.0' }));
      expect(detectScaffoldMode(project)).toBe('package');
      expect(detectScaffoldMode(root)).toBe('repo');
      const t = captureIo();
      expect(await main(['new-connector', 'acmehr', '--root', project], t.io)).toBe(0);
      expect(t.text()).toMatch(/a connector package that depends on orgsync/);
      expect(t.text()).toMatch(/npx vitest run connectors\/acmehr/);
      const dir = path.join(project, 'connectors', 'acmehr');
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(pkg.dependencies.orgsync).toMatch(/^\^\d+\.\d+\.\d+$/);
      expect(pkg.dependencies.zod).toBeDefined();
      const text = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
      expect(text('index.ts')).toContain(`import { defineConnector, offsetPaging } from 'orgsync';`);
      expect(text('map.ts')).toContain(`import type { Company, Group, Location, EmployeeDraft } from 'orgsync';`);
      expect(text('simulator.ts')).toContain(`from 'orgsync/testing';`);
      expect(text('test/conformance.test.ts')).toContain(`import { runConnectorConformance } from 'orgsync/testing';`);
      expect(text('simulator.ts')).toContain(
        `import { bearerToken, startSimulator, type SimResponse, type VendorRoutes, type SampleOrg, type VendorSimulator } from 'orgsync/testing';`,
      );
      expect(text('test/conformance.test.ts')).toContain(`from '../index.js'`);
      for (const f of ['index.ts', 'map.ts', 'simulator.ts', 'schemas.ts', 'test/conformance.test.ts'])
        expect(text(f), f).not.toMatch(/\.\.\/src\/|\/src\//);
      // The repository layout is not touched in a user's project.
      expect(fs.existsSync(path.join(project, 'test'))).toBe(false);
      expect(fs.existsSync(path.join(project, 'fixtures'))).toBe(false);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
