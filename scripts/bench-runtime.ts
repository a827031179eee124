/**
 * npm run bench:runtime [-- --tenants 1000 --size 50 --pg]: the runtime's own cost per tenant job
 * (lease, state reads and writes, events, journal) against the same incremental sync called
 * directly, embedded (SQLite) and, with --pg and PostgreSQL reachable, on PostgreSQL; plus rows and
 * bytes per tenant and memory. Ratios within one run; prints a table for docs/scale.md.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectors } from '../connectors/index.js';
import { simulators } from '../connectors/simulators.js';
import { sampleOrg } from '../src/simulator/sample-org.js';
import { sync } from '../src/sync.js';
import { createRuntime, generateKeySpec, InProcessQueue, openStore, parseKeyring, type SqlStore } from '../src/runtime/index.js';

const arg = (name: string, dflt: number) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : dflt);
const N = arg('tenants', 1000);
const SIZE = arg('size', 50);
const withPg = process.argv.includes('--pg');
const PG_URL = process.env['ORGSYNC_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const running = await simulators['bamboohr']!.start(sampleOrg({ size: SIZE }));
const { apiKey, ...options } = running.options as Record<string, string>;
const http = { rateLimit: { requests: 1_000_000, intervalMs: 1000, concurrency: 16 } };

// Direct: the same incremental sync, previous snapshot in memory.
const factory = connectors['bamboohr']!;
const first = await sync(factory({ ...options, apiKey, http } as any), {});
const directRuns = Math.min(N, 500);
let t0 = performance.now();
for (let i = 0; i < directRuns; i++) await sync(factory({ ...options, apiKey, http } as any), { previous: first.snapshot });
const directMs = (performance.now() - t0) / directRuns;
console.log(`direct incremental sync of a ${SIZE}-person tenant: ${directMs.toFixed(2)} ms`);

async function measure(label: string, store: SqlStore, size: () => Promise<number>): Promise<void> {
  const rt = createRuntime({ store, queue: new InProcessQueue(), keyring: parseKeyring(generateKeySpec()), leaseTtlMs: 30_000 });
  const ids = Array.from({ length: N }, (_, i) => `t${i}`);
  t0 = performance.now();
  for (const id of ids) await rt.addTenant({ id, connector: 'bamboohr', options: { ...options, http }, credentials: { apiKey: apiKey! }, schedule: { incrementalEveryMs: 3_600_000 } });
  const addMs = (performance.now() - t0) / N;
  t0 = performance.now();
  for (const id of ids) await rt.runNow(id); // first: full sync, baseline snapshot
  const fullMs = (performance.now() - t0) / N;
  t0 = performance.now();
  for (const id of ids) await rt.runNow(id); // measured: incremental
  const jobMs = (performance.now() - t0) / N;
  t0 = performance.now();
  const claimed = await rt.store.claimDue(Date.now() + 7_200_000, 100_000, 600_000);
  const tickMs = performance.now() - t0;
  const counts = await store.counts();
  const bytes = await size();
  const rss = process.memoryUsage().rss;
  console.log(`\n${label}: ${N} tenants of ${SIZE} people`);
  console.log(`  tenant job (incremental, no changes): ${jobMs.toFixed(2)} ms = direct ${directMs.toFixed(2)} ms + ${(jobMs - directMs).toFixed(2)} ms runtime overhead (ratio ${(jobMs / directMs).toFixed(2)}; targets <= +25 ms, <= 1.3x)`);
  console.log(`  first job (full sync + commit): ${fullMs.toFixed(2)} ms; add tenant ${addMs.toFixed(2)} ms; claim ${claimed.length} due in ${tickMs.toFixed(0)} ms`);
  console.log(`  one worker, one job at a time: ${Math.round(60_000 / jobMs)} tenant jobs/min; 10,000 hourly tenants need ${((10_000 * jobMs) / 3_600_000 * 100).toFixed(1)}% of one worker-hour`);
  console.log(`  rows: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}; ${(bytes / N / 1024).toFixed(1)} KiB per tenant (snapshots retained: 3)`);
  console.log(`  process RSS ${(rss / 1048576).toFixed(0)} MiB`);
  await rt.close();
}

const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-bench-rt-'));
const file = path.join(dir, 'rt.db');
await measure('embedded (SQLite + in-process)', await openStore({ sqlite: file }, { migrate: true }), async () => statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0));
rmSync(dir, { recursive: true, force: true });

if (withPg) {
  const schema = `rt_bench_${process.pid}`;
  const store = await openStore({ postgres: { connectionString: PG_URL, schema } }, { migrate: true });
  const sizeOf = async () => {
    const r = await store.driver.query<{ b: number }>(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [schema]);
    return Number(r[0]?.b ?? 0);
  };
  try {
    await measure('PostgreSQL store', store, sizeOf);
  } finally {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
}
await running.sim.close();
