/**
 * The package as users get it: `npm pack` of the built tree, installed into an empty scratch project
 * with npm, then an ES module script, a CommonJS script (both entries: `orgsync` and
 * `orgsync/testing`), `npx orgsync --version`, and `orgsync new-connector` scaffolding a package that
 * imports `orgsync` and typechecks against the installed types.
 * Needs the npm registry (or its cache) for the dependencies: skipped with a message when the install
 * cannot reach it and CI is unset; fails under CI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/bin.js';
import { root } from '../helpers/fixtures.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-pack-'));
const project = path.join(scratch, 'app');
let installError: string | undefined;

const run = (cmd: string, args: string[], cwd = project) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  ensureBuilt();
  const packed = run('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch, '--silent'], root)
    .trim()
    .split('\n')
    .pop()!;
  const tarball = path.join(scratch, packed);
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'acme-app', version: '1.0.0', private: true }, null, 2),
  );
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], {
    cwd: project,
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (r.status !== 0) installError = `${r.stderr || r.error?.message}`.split('\n').slice(-6).join('\n');
}, 400_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('npm pack -> npm install in an empty project', () => {
  const need = (ctx: { skip: (note?: string) => void }) => {
    if (!installError) return;
    if (process.env['CI']) throw new Error(`npm install of the packed tarball failed:\n${installError}`);
    ctx.skip(`npm install could not complete (registry unreachable?): ${installError}`);
  };

  it('ships dist, LICENSE and README; no sources or tests', (ctx) => {
    need(ctx);
    const pkg = path.join(project, 'node_modules', 'orgsync');
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.cjs',
      'dist/testing.js',
      'dist/testing.cjs',
      'dist/cli.js',
      'dist/index.d.ts',
      'dist/testing.d.cts',
    ]) {
      expect(fs.existsSync(path.join(pkg, f)), f).toBe(true);
    }
    expect(fs.existsSync(path.join(pkg, 'src'))).toBe(false);
    expect(fs.existsSync(path.join(pkg, 'test'))).toBe(false);
    expect(fs.readFileSync(path.join(pkg, 'LICENSE'), 'utf8')).toMatch(/MIT License[\s\S]*orgsync contributors/);
  });

  it('an ES module script reads a simulated BambooHR through the library', (ctx) => {
    need(ctx);
    fs.writeFileSync(
      path.join(project, 'esm.mjs'),
      `import { bamboohr, takeSnapshot, diffSnapshots, formatChangesText } from 'orgsync';
import { simulators, sampleOrg, applySampleChanges } from 'orgsync/testing';
const org = sampleOrg({ size: 25 });
const running = await simulators.bamboohr.start(org);
const source = bamboohr(running.options);
const before = await takeSnapshot(source);
running.update(applySampleChanges(org));
const after = await takeSnapshot(source);
const events = diffSnapshots(before, after);
console.log(JSON.stringify({ people: before.employees.length, events: events.length, text: formatChangesText(events) }));
await running.sim.close();
`,
    );
    const out = JSON.parse(run(process.execPath, ['esm.mjs']));
    expect(out.people).toBe(25);
    expect(out.events).toBeGreaterThan(3);
    expect(out.text).toMatch(/HIRE {2}/);
  }, 60_000);

  it('a CommonJS script requires both entries', (ctx) => {
    need(ctx);
    fs.writeFileSync(
      path.join(project, 'cjs.cjs'),
      `const { gusto, takeSnapshot, OrgsyncError } = require('orgsync');
const { simulators, sampleOrg, runConnectorConformance } = require('orgsync/testing');
(async () => {
  const running = await simulators.gusto.start(sampleOrg({ size: 12 }));
  const snap = await takeSnapshot(gusto(running.options));
  let conformance = '';
  try { runConnectorConformance(gusto, {}); } catch (e) { conformance = e.message; }
  console.log(JSON.stringify({ people: snap.employees.length, error: typeof OrgsyncError, conformance }));
  await running.sim.close();
})();
`,
    );
    const out = JSON.parse(run(process.execPath, ['cjs.cjs']));
    expect(out).toMatchObject({ people: 12, error: 'function' });
    expect(out.conformance).toMatch(/vitest test files, which are ES modules/);
  }, 60_000);

  it('npx orgsync --version, and new-connector scaffolds a package importing orgsync', (ctx) => {
    need(ctx);
    const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
    expect(run('npx', ['--no-install', 'orgsync', '--version']).trim()).toBe(`orgsync ${version}`);
    const made = run('npx', ['--no-install', 'orgsync', 'new-connector', 'acmehr']);
    expect(made).toMatch(/a connector package that depends on orgsync/);
    const dir = path.join(project, 'connectors', 'acmehr');
    const files = [
      'package.json',
      'index.ts',
      'schemas.ts',
      'map.ts',
      'simulator.ts',
      'README.md',
      'test/conformance.test.ts',
    ];
    for (const f of files) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    const sources = files
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    expect(sources).not.toMatch(/from '\.\.\/.*src\//);
    expect(sources).toMatch(/from 'orgsync'/);
    expect(sources).toMatch(/from 'orgsync\/testing'/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies.orgsync).toBe(
      `^${version}`,
    );
    // The scaffold typechecks against the installed package's types (vitest types are the test's own concern).
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: ['connectors/acmehr/*.ts'],
      }),
    );
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify(
        {
          name: 'acme-app',
          version: '1.0.0',
          private: true,
          type: 'module',
          dependencies: JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).dependencies,
        },
        null,
        2,
      ),
    );
    const tsc = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
      { cwd: project, encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);
});
