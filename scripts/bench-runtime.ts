/**
 * npm run bench:runtime -- [--tenants 200] [--size 50] [--rounds 5] [--pg] [--scale 1000,10000] [--workers 2] [--concurrency 4]
 *
 * 1. Overhead (always; PostgreSQL too with --pg): per tenant, the same incremental sync called
 *    directly and as a runtime job (lease, state reads and writes, commit, events), interleaved one
 *    for one so both see the same machine load; ratio and difference of the means, in one run.
 * 2. Scale (--scale N,M,... needs PostgreSQL and Redis): N tenants of --size people seeded in their
 *    own schema (one hourly incremental due for each), --workers worker processes (BullMQ,
 *    PostgreSQL) drain them; tenants synced per minute per worker, scheduler (claim + enqueue) and
 *    database cost per tenant, memory per worker, rows and bytes per tenant, per day extrapolated.
 *    Also at concurrency --concurrency (default 4): batches of jobs in flight against batches of direct
 *    syncs in flight (time per job).
 * `--phases`: also where a job's time goes (job.ts phases; database round trips timed at the driver) and
 * CPU per job (this process; PostgreSQL's server processes, from /proc).
 * `--no-read-ahead`: jobs without the read-ahead (JobContext.readAhead), to measure what it buys.
 * `--sim-inprocess`: the vendor simulator in this process (default: its own process, as a vendor is
 * another machine; numbers before 2026-12-05 05:00 UTC were taken in-process).
 * Prints the tables for docs/scale.md. `--worker` is the worker process mode (spawned by this script).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectors } from '../connectors/index.js';
import { simulators } from '../connectors/simulators.js';
import { sampleOrg } from '../src/simulator/sample-org.js';
import { sync } from '../src/sync.js';
import { splitSnapshot } from '../src/runtime/store/store.js';
import { spawnSimulator } from './bench-sim-spawn.js';
import {
  BullMQQueue,
  createRuntime,
  generateKeySpec,
  InProcessQueue,
  openStore,
  parseKeyring,
  type SqlStore,
} from '../src/runtime/index.js';

const argv = process.argv;
const arg = (name: string, dflt: number) =>
  argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : dflt;
const PG_URL = process.env['ORGSYNC_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = { host: '127.0.0.1', port: Number(process.env['ORGSYNC_TEST_REDIS_PORT'] ?? 6379) };

/** postgresPids' list (declared before main runs). */
let pgPids: { at: number; pids: string[] } | undefined;

if (argv.includes('--worker')) await workerMode();
else await main();

// ---- worker process --------------------------------------------------------------------------
async function workerMode(): Promise<void> {
  const store = await openStore({ postgres: { connectionString: PG_URL, schema: process.env['B_SCHEMA']!, max: 6 } });
  const queue = new BullMQQueue({
    connection: REDIS,
    prefix: process.env['B_PREFIX']!,
    concurrency: Number(process.env['B_CONCURRENCY'] ?? 4),
  });
  let jobs = 0;
  const rt = createRuntime({
    store,
    queue,
    keyring: parseKeyring(process.env['B_KEYS']),
    workerId: process.env['B_WORKER']!,
    observer: { released: () => void jobs++ },
  });
  const cpu0 = process.cpuUsage();
  await rt.start({ schedule: false });
  process.send!({ ready: true });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
  process.on('message', async (m) => {
    if (m !== 'stop') return;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    const mem = process.memoryUsage();
    process.send!({
      jobs,
      rss: mem.rss,
      peakRss: Math.max(peakRss, mem.rss),
      heapUsed: mem.heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
    await rt.close();
    process.exit(0);
  });
}

// ---- main ----------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const N = arg('tenants', 200);
  const SIZE = arg('size', 50);
  const withPg = argv.includes('--pg');
  const scale = argv.includes('--scale') ? argv[argv.indexOf('--scale') + 1]!.split(',').map(Number) : [];
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start`,
  );

  // The vendor simulator runs in its own process (a real vendor is another machine, as in `npm run
  // bench`): its rendering is not this process' CPU, and a request crosses processes as it would cross
  // machines. `--sim-inprocess`: in this process, as the numbers before 2026-12-05 05:00 UTC were taken.
  const running = argv.includes('--sim-inprocess')
    ? await simulators['bamboohr']!.start(sampleOrg({ size: SIZE }))
    : await simulatorProcess('bamboohr', SIZE);
  console.log(`vendor simulator: ${argv.includes('--sim-inprocess') ? 'in this process' : 'in its own process'}`);
  const { apiKey, ...options } = running.options as Record<string, string>;
  const http = { rateLimit: { requests: 1_000_000, intervalMs: 1000, concurrency: 16 } };
  const factory = connectors['bamboohr']!;
  const first = await sync(factory({ ...options, apiKey, http } as any), {});
  const first0 = first.snapshot;
  const direct = async () => {
    const t = performance.now();
    await sync(factory({ ...options, apiKey, http } as any), { previous: first.snapshot });
    return performance.now() - t;
  };
  // The same sync on one connector built once (a caller that keeps its connector between syncs, as the
  // runtime's workers do for the tenants they ran before: JobContext.built).
  const kept = factory({ ...options, apiKey, http } as any);
  const directKept = async () => {
    const t = performance.now();
    await sync(kept, { previous: first.snapshot });
    return performance.now() - t;
  };
  for (let i = 0; i < 30; i++) await direct(); // warm-up
  for (let i = 0; i < 30; i++) await directKept();

  async function overhead(label: string, store: SqlStore, size: () => Promise<number>): Promise<void> {
    // --phases: per-phase sums over the measured jobs (job.ts marks; statements timed at the driver).
    const phases = new Map<string, number>();
    let measuring = false;
    const add = (k: string, ms: number) => measuring && phases.set(k, (phases.get(k) ?? 0) + ms);
    if (argv.includes('--phases')) {
      const wrap = (q: { query: (...a: any[]) => Promise<any> }, pool: string) => {
        const orig = q.query.bind(q);
        q.query = async (...a: any[]) => {
          const t = performance.now();
          try {
            return await orig(...a);
          } finally {
            const sql = String(a[0]).replace(/\s+/g, ' ').trim();
            add(`  db ${pool}: ${sql.slice(0, 60)}`, performance.now() - t);
          }
        };
      };
      wrap(store.driver, 'main');
      if (store.driver.relaxed) wrap(store.driver.relaxed, 'relaxed');
    }
    const rt = createRuntime({
      store,
      queue: new InProcessQueue(),
      keyring: parseKeyring(generateKeySpec()),
      leaseTtlMs: 30_000,
      delivery: false,
      readAhead: !argv.includes('--no-read-ahead'),
      ...(argv.includes('--phases') ? { observer: { phase: (_: string, p: string, ms: number) => add(p, ms) } } : {}),
    });
    const ids = Array.from({ length: N }, (_, i) => `t${i}`);
    let t0 = performance.now();
    for (const id of ids)
      await rt.addTenant({
        id,
        connector: 'bamboohr',
        options: { ...options, http },
        credentials: { apiKey: apiKey! },
        schedule: { incrementalEveryMs: 3_600_000 },
      });
    const addMs = (performance.now() - t0) / N;
    t0 = performance.now();
    for (const id of ids) await rt.runNow(id); // first: full sync, baseline snapshot
    const fullMs = (performance.now() - t0) / N;
    // Measured: incremental jobs interleaved with direct syncs (same load for both). Round 1 is each
    // tenant's first incremental after its full sync; the rounds after it the hourly steady state (what
    // a worker that ran the tenant before has in memory: docs/scale.md). Phases: the steady rounds.
    // --phases: CPU per job, of this process (client, simulator and runtime) and of the PostgreSQL
    // server's processes (read from /proc: this machine's server only), against the kept direct sync.
    const cpu = { keptProc: 0, jobProc: 0, jobDb: 0, keptDb: 0 };
    const procMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const round = async (phased: boolean) => {
      let directSum = 0;
      let keptSum = 0;
      let jobSum = 0;
      measuring = phased;
      for (const id of ids) {
        directSum += await direct();
        let c = phased ? procMs() : 0;
        let d = phased ? serverCpuMs() : 0;
        keptSum += await directKept();
        if (phased) {
          cpu.keptProc += procMs() - c;
          cpu.keptDb += serverCpuMs() - d;
          c = procMs();
          d = serverCpuMs();
        }
        const t = performance.now();
        await rt.runNow(id);
        jobSum += performance.now() - t;
        if (phased) {
          cpu.jobProc += procMs() - c;
          cpu.jobDb += serverCpuMs() - d;
        }
      }
      measuring = false;
      return { directMs: directSum / N, keptMs: keptSum / N, jobMs: jobSum / N };
    };
    const first = await round(false);
    // The steady state, --rounds times (default 5): one round's mean moves by ±0.1 in ratio with the
    // machine's load, so the line reports the round with the median ratio, and the range. Phases and CPU
    // per job are over every measured round.
    const R = Math.max(1, arg('rounds', 5));
    const steady: Array<{ directMs: number; keptMs: number; jobMs: number }> = [];
    for (let r = 0; r < R; r++) steady.push(await round(true));
    const ratioOf = (x: { directMs: number; jobMs: number }) => x.jobMs / x.directMs;
    const byRatio = [...steady].sort((a, b) => ratioOf(a) - ratioOf(b));
    const { directMs, keptMs, jobMs } = byRatio[(R - 1) >> 1]!;
    const spread = `median of ${R} rounds; ratios ${byRatio.map((x) => ratioOf(x).toFixed(2)).join(', ')}`;
    const meanJobMs = steady.reduce((a, x) => a + x.jobMs, 0) / R;
    // At a worker's concurrency (C jobs in flight, the queues' default 4): the time per job when round
    // trips to the database overlap with other tenants' work, against C direct syncs in flight (fresh
    // connectors, and one connector built once per slot). Batches interleaved as above.
    const C = arg('concurrency', 4);
    const keptSlots = Array.from({ length: C }, () => factory({ ...options, apiKey, http } as any));
    const concurrent = async () => {
      let directSum = 0;
      let keptSum = 0;
      let jobSum = 0;
      for (let i = 0; i < ids.length; i += C) {
        const batch = ids.slice(i, i + C);
        let t = performance.now();
        await Promise.all(batch.map(() => sync(factory({ ...options, apiKey, http } as any), { previous: first0 })));
        directSum += performance.now() - t;
        t = performance.now();
        await Promise.all(batch.map((_, k) => sync(keptSlots[k]!, { previous: first0 })));
        keptSum += performance.now() - t;
        t = performance.now();
        await Promise.all(batch.map((id) => rt.runNow(id)));
        jobSum += performance.now() - t;
      }
      return { cDirectMs: directSum / N, cKeptMs: keptSum / N, cJobMs: jobSum / N };
    };
    await concurrent(); // warm-up
    const cRounds: Array<{ cDirectMs: number; cKeptMs: number; cJobMs: number }> = [];
    for (let r = 0; r < R; r++) cRounds.push(await concurrent());
    cRounds.sort((a, b) => a.cJobMs / a.cDirectMs - b.cJobMs / b.cDirectMs);
    const { cDirectMs, cKeptMs, cJobMs } = cRounds[(R - 1) >> 1]!;
    t0 = performance.now();
    const claimed = await rt.store.claimDue(Date.now() + 7_200_000, 100_000, 600_000);
    const tickMs = performance.now() - t0;
    const counts = await store.counts();
    const bytes = await size();
    console.log(`\n${label}: ${N} tenants of ${SIZE} people (load average ${loadavg()[0]!.toFixed(1)})`);
    console.log(
      `  incremental, no changes: direct sync ${directMs.toFixed(2)} ms, tenant job ${jobMs.toFixed(2)} ms: runtime overhead +${(jobMs - directMs).toFixed(2)} ms, ratio ${(jobMs / directMs).toFixed(2)} (targets <= +25 ms, <= 1.3x; ${spread})`,
    );
    console.log(
      `  the same against a direct sync on a connector built once: ${keptMs.toFixed(2)} ms, +${(jobMs - keptMs).toFixed(2)} ms, ratio ${(jobMs / keptMs).toFixed(2)}`,
    );
    console.log(
      `  at concurrency ${C} (time per job, ${C} in flight): direct sync ${cDirectMs.toFixed(2)} ms, tenant job ${cJobMs.toFixed(2)} ms: +${(cJobMs - cDirectMs).toFixed(2)} ms, ratio ${(cJobMs / cDirectMs).toFixed(2)}; against connectors built once ${cKeptMs.toFixed(2)} ms: ratio ${(cJobMs / cKeptMs).toFixed(2)} (median of ${R} rounds; ratios ${cRounds.map((x) => (x.cJobMs / x.cDirectMs).toFixed(2)).join(', ')})`,
    );
    console.log(
      `  first incremental after the full sync: direct sync ${first.directMs.toFixed(2)} ms, tenant job ${first.jobMs.toFixed(2)} ms: +${(first.jobMs - first.directMs).toFixed(2)} ms, ratio ${(first.jobMs / first.directMs).toFixed(2)}`,
    );
    console.log(
      `  first job (full sync + commit): ${fullMs.toFixed(2)} ms; add tenant ${addMs.toFixed(2)} ms; claim ${claimed.length} due in ${tickMs.toFixed(0)} ms`,
    );
    if (phases.size) {
      const job = [...phases].filter(([k]) => !k.startsWith('  db'));
      const sum = job.reduce((a, [, v]) => a + v, 0);
      console.log(
        `  phases per job over the ${R} rounds (ms; job.ts marks sum to ${(sum / N / R).toFixed(3)} of ${meanJobMs.toFixed(3)} measured around runNow):`,
      );
      for (const [k, v] of phases) console.log(`    ${k.padEnd(16)} ${(v / N / R).toFixed(3)}`);
      const per = N * R;
      console.log(
        `  CPU per job (ms; this process / database server processes): kept direct sync ${(cpu.keptProc / per).toFixed(3)} / ${(cpu.keptDb / per).toFixed(3)}, tenant job ${(cpu.jobProc / per).toFixed(3)} / ${(cpu.jobDb / per).toFixed(3)}`,
      );
    }
    console.log(
      `  rows: ${Object.entries(counts)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${(bytes / N / 1024).toFixed(1)} KiB per tenant (3 snapshots retained)`,
    );
    await rt.close();
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-bench-rt-'));
  const file = path.join(dir, 'rt.db');
  await overhead(
    'embedded (SQLite + in-process)',
    await openStore({ sqlite: file }, { migrate: true }),
    async () => statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0),
  );
  rmSync(dir, { recursive: true, force: true });

  const pgAdmin = async <T>(fn: (c: import('pg').Client) => Promise<T>): Promise<T> => {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const schemaBytes = (schema: string) =>
    pgAdmin(async (c) => {
      const r = await c.query(
        `SELECT c.relname AS t, pg_total_relation_size(c.oid)::bigint AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      return Object.fromEntries(r.rows.map((x) => [x.t as string, Number(x.b)])) as Record<string, number>;
    });

  if (withPg) {
    const schema = `rt_bench_${process.pid}`;
    try {
      const store = await openStore({ postgres: { connectionString: PG_URL, schema } }, { migrate: true });
      await overhead('PostgreSQL store', store, async () =>
        Object.values(await schemaBytes(schema)).reduce((a, b) => a + b, 0),
      );
    } finally {
      await pgAdmin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    }
  }

  for (const n of scale) await scaleRun(n);
  await running.sim.close();

  async function scaleRun(n: number): Promise<void> {
    const W = arg('workers', 2);
    const C = arg('concurrency', 4);
    const schema = `rt_scale_${process.pid}_${n}`;
    const prefix = `orgsync-bench-${process.pid}-${n}`;
    const keys = generateKeySpec('k1');
    const keyring = parseKeyring(keys);
    const store = await openStore({ postgres: { connectionString: PG_URL, schema } }, { migrate: true });
    const children: ChildProcess[] = [];
    const queue = new BullMQQueue({ connection: REDIS, prefix });
    try {
      // Seed: n tenants (credentials encrypted per tenant), one baseline snapshot each, all due now.
      let t0 = performance.now();
      const ids = Array.from({ length: n }, (_, i) => `t${String(i).padStart(6, '0')}`);
      const now = Date.now();
      const sched = JSON.stringify({ incrementalEveryMs: 3_600_000, fullEveryMs: 86_400_000 });
      for (let i = 0; i < n; i += 2000) {
        const chunk = ids.slice(i, i + 2000);
        await store.driver.query(
          `INSERT INTO tenants (id, connector, options, credentials, rules, schedule, created_at, updated_at, next_run_at, next_full_at)
           SELECT x.id, 'bamboohr', $2, x.c, 'null', $3, $4, $4, $4, $5 FROM unnest($1::text[], $6::text[]) AS x(id, c)`,
          [
            chunk,
            JSON.stringify({ ...options, http }),
            sched,
            now - 1000,
            now + 86_400_000,
            chunk.map((id) => keyring.encrypt(JSON.stringify({ apiKey }), id)),
          ],
        );
      }
      // As a previous run stores it (head apart from body): the steady state of an hourly schedule.
      const split = splitSnapshot(first.snapshot);
      await store.driver.query(
        `INSERT INTO snapshots (tenant_id, seq, taken_at, mode, body, head) SELECT id, 1, $1, 'full', $2, $3 FROM tenants`,
        [Date.parse(first.snapshot.takenAt), split.body, split.head],
      );
      const seedS = (performance.now() - t0) / 1000;
      const bytes0 = await schemaBytes(schema);

      // Workers.
      const script = fileURLToPath(import.meta.url);
      const stats: Array<Record<string, number>> = [];
      await Promise.all(
        Array.from(
          { length: W },
          (_, w) =>
            new Promise<void>((resolve, reject) => {
              const child = fork(script, ['--worker'], {
                execArgv: ['--import', 'tsx'],
                env: {
                  ...process.env,
                  B_SCHEMA: schema,
                  B_PREFIX: prefix,
                  B_CONCURRENCY: String(C),
                  B_KEYS: keys,
                  B_WORKER: `w${w + 1}`,
                },
                stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
              });
              children.push(child);
              child.on('message', (m: any) => (m.ready ? resolve() : stats.push(m)));
              child.once('exit', (code) => code && reject(new Error(`bench worker exited ${code}`)));
            }),
        ),
      );

      // One schedule tick claims and enqueues every due tenant; the workers drain the queue.
      const load0 = loadavg()[0]!;
      t0 = performance.now();
      const rt = createRuntime({ store, queue, keyring, delivery: false });
      const claimed = await rt.tick();
      const tickMs = performance.now() - t0;
      const start = performance.now();
      let printed = 0;
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const done = Number(
          (
            await store.driver.query<{ c: number }>(`SELECT COUNT(*) AS c FROM tenants WHERE last_sync_at IS NOT NULL`)
          )[0]!.c,
        );
        if (done === n || done - printed >= n / 4) {
          console.log(`  [${n}] ${done}/${n} synced after ${((performance.now() - start) / 1000).toFixed(0)} s`);
          printed = done;
        }
        if (done >= n) break;
        if (performance.now() - start > 3_600_000) throw new Error('scale run exceeded one hour');
      }
      const drainS = (performance.now() - start) / 1000;
      const load1 = loadavg()[0]!;
      for (const c of children) c.send('stop');
      await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
      const errors = Number(
        (
          await store.driver.query<{ c: number }>(`SELECT COUNT(*) AS c FROM tenants WHERE last_error_kind IS NOT NULL`)
        )[0]!.c,
      );
      const counts = await store.counts();
      const bytes1 = await schemaBytes(schema);
      const total = (b: Record<string, number>) => Object.values(b).reduce((a, x) => a + x, 0);
      const evRow = Number(
        (
          await store.driver.query<{ b: number }>(
            `SELECT COALESCE(AVG(pg_column_size(e.*)), 0)::float AS b FROM events e`,
          )
        )[0]!.b,
      );
      const snapRow = Number(
        (
          await store.driver.query<{ b: number }>(
            `SELECT COALESCE(AVG(pg_column_size(s.*)), 0)::float AS b FROM snapshots s`,
          )
        )[0]!.b,
      );
      const jobs = stats.reduce((a, s) => a + s.jobs!, 0);
      const cpuMs = stats.reduce((a, s) => a + s.cpuMs!, 0);
      console.log(
        `\nscale: ${n} tenants of ${SIZE} people, ${W} workers x concurrency ${C}, PostgreSQL + BullMQ (load average ${load0.toFixed(1)} -> ${load1.toFixed(1)})`,
      );
      console.log(
        `  seeded in ${seedS.toFixed(1)} s; one tick claimed + enqueued ${claimed.length} in ${tickMs.toFixed(0)} ms (${((tickMs * 1000) / n).toFixed(0)} us per tenant)`,
      );
      console.log(
        `  drained in ${drainS.toFixed(1)} s: ${Math.round((n / drainS) * 60)} tenants/min in all, ${Math.round(((n / drainS) * 60) / W)} per worker; ${jobs} jobs, ${errors} errors`,
      );
      console.log(
        `  worker CPU ${(cpuMs / jobs).toFixed(1)} ms per job; hourly schedule of ${n} tenants uses ${((drainS / 3600) * 100).toFixed(1)}% of the hour`,
      );
      console.log(
        `  memory per worker: ${stats.map((s) => `RSS ${(s.rss! / 1048576).toFixed(0)} MiB (peak ${(s.peakRss! / 1048576).toFixed(0)}), heap ${(s.heapUsed! / 1048576).toFixed(0)} MiB`).join('; ')}`,
      );
      console.log(
        `  rows: ${Object.entries(counts)
          .filter(([, v]) => v)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      console.log(
        `  bytes: ${(total(bytes0) / n / 1024).toFixed(1)} KiB per tenant seeded -> ${(total(bytes1) / n / 1024).toFixed(1)} KiB after one run (${Object.entries(
          bytes1,
        )
          .map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)} MiB`)
          .join(', ')})`,
      );
      console.log(`  row sizes: event ${evRow.toFixed(0)} B, snapshot ${snapRow.toFixed(0)} B (TOAST-compressed body)`);
      console.log(
        `  per tenant per day (hourly, no HR changes): +24 event rows (~${((24 * evRow) / 1024).toFixed(1)} KiB, kept eventsMs = 30 d: ~${((720 * evRow) / 1024).toFixed(0)} KiB steady); snapshots: the head of the latest row rewritten, no new row (a changed sync adds one, ${(snapRow / 1024).toFixed(1)} KiB, 3 kept: <= ${((3 * snapRow) / 1024).toFixed(1)} KiB)`,
      );
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await queue.obliterate().catch(() => undefined);
      await queue.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      await pgAdmin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    }
  }
}

/** CPU time (ms) of every `postgres` process on this machine, from /proc (0 where it cannot be read). */
function serverCpuMs(): number {
  if (!argv.includes('--phases')) return 0;
  let ms = 0;
  for (const pid of postgresPids()) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ms += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      // exited
    }
  }
  return ms;
}
function postgresPids(): string[] {
  // Re-listed once a second (backends come and go with the pools).
  if (pgPids && Date.now() - pgPids.at < 1000) return pgPids.pids;
  const pids: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') pids.push(pid);
    } catch {
      // exited
    }
  }
  pgPids = { at: Date.now(), pids };
  return pids;
}

/** A simulator in a child process (scripts/bench-sim-process.ts), today's date; closed with `sim.close()`. */
async function simulatorProcess(
  vendor: string,
  size: number,
): Promise<{ options: Record<string, unknown>; sim: { close(): Promise<void> } }> {
  const child = await spawnSimulator(vendor, size, new Date().toISOString().slice(0, 10));
  return { options: child.options, sim: child };
}
