/**
 * npm run bench: performance as ratios against floors measured in the same run.
 * Writes bench/results.json (one object per case: name, value, unit, floor, ratio, target, pass).
 * Cases: full-sync throughput vs plain http+JSON.parse, rate-limit efficiency vs pages/rate,
 * diffSnapshots vs Map+JSON.stringify, buildOrgChart linearity, peak RSS (in child processes).
 */
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { connectors } from '../connectors/index.js';
import { simulators } from '../connectors/simulators.js';
import { takeSnapshot } from '../src/snapshot.js';
import type { RequestLogEntry } from '../src/simulator/server.js';
import { diffSnapshots } from '../src/diff.js';
import { readFileSync } from 'node:fs';
import { buildOrgChart } from '../src/org-chart.js';
import { createRuleContext, evaluateRules, parseRuleSet, planProvisioning } from '../src/provisioning/index.js';
import { syntheticSnapshot, mutate, reportingLines } from './bench-data.js';

interface Result {
  name: string;
  value: number;
  unit: string;
  floor: number;
  ratio: number;
  target: string;
  pass: boolean;
  note?: string;
}
const results: Result[] = [];
const quick = process.argv.includes('--quick');
/** `--only throughput|ratelimit|diff|orgchart|plan|workday|memory` runs one group of cases. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const runs = (group: string) => !only || only === group;
const today = '2026-06-01';

function record(r: Result): void {
  results.push(r);
  console.log(`${r.pass ? 'ok  ' : 'MISS'} ${r.name.padEnd(58)} ${fmt(r.value)} ${r.unit.padEnd(4)} floor ${fmt(r.floor)} ratio ${r.ratio.toFixed(2).padStart(6)}  (target ${r.target})${r.note ? `  ${r.note}` : ''}`);
}
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2)).padStart(9);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface RemoteSim {
  url: string;
  options: Record<string, unknown>;
  takeLog(): Promise<RequestLogEntry[]>;
  stats(): Promise<{ requests: number; throttled: number; faults: number }>;
  close(): Promise<void>;
}

/** Start a vendor simulator in a worker thread (its own event loop, as a real vendor would be). */
async function startRemote(vendor: string, size: number, simOptions?: Record<string, unknown>): Promise<RemoteSim> {
  // Register tsx inside the worker (loader hooks are per thread), then load the TypeScript worker.
  const script = new URL('./bench-sim-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(script)}); })`, {
    eval: true,
    workerData: { vendor, size, today, simOptions },
  });
  const next = (type: string) =>
    new Promise<any>((resolve, reject) => {
      const on = (m: { type: string }) => {
        if (m.type === type) {
          worker.off('message', on);
          worker.off('error', fail);
          resolve(m);
        }
      };
      const fail = (e: unknown) => {
        worker.off('message', on);
        reject(e);
      };
      worker.on('message', on);
      worker.once('error', fail);
    });
  const ready = await next('ready');
  return {
    url: ready.url,
    options: ready.options,
    takeLog: async () => {
      const p = next('log');
      worker.postMessage({ cmd: 'log' });
      return (await p).log;
    },
    stats: async () => {
      const p = next('stats');
      worker.postMessage({ cmd: 'stats' });
      return (await p).stats;
    },
    close: async () => {
      const p = next('closed');
      worker.postMessage({ cmd: 'close' });
      await p;
      await worker.terminate();
    },
  };
}

/** The floor: the same requests with Node's plain http and JSON.parse, one after another (orgsync pages sequentially too). */
async function replay(base: string, reqs: RequestLogEntry[]): Promise<number> {
  let records = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  for (const r of reqs) {
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(base + r.path, { method: r.method, headers: r.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (r.body) req.write(r.body);
      req.end();
    });
    if (/^\s*[[{]/.test(text)) {
      const j = JSON.parse(text);
      records += Array.isArray(j) ? j.length : 1;
    } else records += text.length > 0 ? 1 : 0;
  }
  agent.destroy();
  return records;
}

async function throughput(vendor: string, size: number): Promise<void> {
  const factory = connectors[vendor];
  if (!factory || !simulators[vendor]) return void console.log(`skip throughput ${vendor}: not registered`);
  const sim = await startRemote(vendor, size);
  try {
    const syncTimes: number[] = [];
    const floorTimes: number[] = [];
    let pages = 0;
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      await sim.takeLog();
      const t0 = performance.now();
      // No client-side budget: this case measures orgsync's own overhead against the floor.
      const snap = await takeSnapshot(factory({ ...sim.options, http: { rateLimit: { requests: Infinity } } }), { now: new Date(`${today}T12:00:00Z`) });
      syncTimes.push(performance.now() - t0);
      if (snap.employees.length !== size) throw new Error(`${vendor}: expected ${size} employees, got ${snap.employees.length}`);
      const reqs = await sim.takeLog();
      pages = reqs.length;
      const t1 = performance.now();
      await replay(sim.url, reqs);
      floorTimes.push(performance.now() - t1);
      await sim.takeLog();
    }
    const v = median(syncTimes);
    const f = median(floorTimes);
    record({ name: `full sync ${vendor} ${size.toLocaleString('en')} employees (${pages} requests)`, value: v, unit: 'ms', floor: f, ratio: v / f, target: '<= 1.5', pass: v / f <= 1.5 });
  } finally {
    await sim.close();
  }
}

async function rateLimited(vendor: string, pages: number, rps: number, clientFactor: number): Promise<void> {
  const factory = connectors[vendor];
  if (!factory || !simulators[vendor]) return void console.log(`skip rate limit ${vendor}: not registered`);
  const perPage = 100;
  const sim = await startRemote(vendor, pages * perPage - 1, { rateLimit: { requestsPerSecond: rps } });
  const options = sim.options;
  try {
    await new Promise((r) => setTimeout(r, 1100)); // let the server bucket fill
    const t0 = performance.now();
    await takeSnapshot(factory({ ...options, http: { rateLimit: { requests: rps * clientFactor, intervalMs: 1000, concurrency: 4 }, retry: { retries: 20 } } }), { now: new Date(`${today}T12:00:00Z`) });
    const elapsed = performance.now() - t0;
    const stats = await sim.stats();
    const requests = stats.requests;
    const answered = requests - stats.throttled;
    const floor = (answered / rps) * 1000;
    const throttledPct = (100 * stats.throttled) / requests;
    if (clientFactor === 1) {
      record({ name: `rate limit ${vendor} ${answered} requests at ${rps}/s, budget matched`, value: elapsed, unit: 'ms', floor, ratio: elapsed / floor, target: '<= 1.10, <= 2% 429', pass: elapsed / floor <= 1.1 && throttledPct <= 2, note: `${stats.throttled} answered 429 (${throttledPct.toFixed(1)}%)` });
    } else {
      const efficiency = floor / elapsed;
      record({ name: `rate limit ${vendor} ${answered} requests at ${rps}/s, budget ${clientFactor}x too high`, value: elapsed, unit: 'ms', floor, ratio: elapsed / floor, target: 'throughput >= 0.8 ideal', pass: efficiency >= 0.8, note: `throughput ${efficiency.toFixed(2)} of ideal; ${stats.throttled} answered 429` });
    }
  } finally {
    await sim.close();
  }
}

/** How much the last floor grew from the previous size (memory effects hit plain Maps too). */
let floorScale = 1;
/** Collect garbage left by earlier cases before timing (run with --expose-gc). */
const settle = () => (globalThis as { gc?: () => void }).gc?.();

function diffCase(size: number): number {
  const prev = syntheticSnapshot(size);
  const next = mutate(prev, 0.01);
  settle();
  // floor: one Map build plus per-employee JSON.stringify equality
  const floorRuns: number[] = [];
  const diffRuns: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    settle();
    let t = performance.now();
    const m = new Map(prev.employees.map((e) => [e.id, e]));
    let changed = 0;
    for (const e of next.employees) {
      const p = m.get(e.id);
      if (!p || JSON.stringify(p) !== JSON.stringify(e)) changed++;
    }
    floorRuns.push(performance.now() - t);
    settle();
    t = performance.now();
    const events = diffSnapshots(prev, next, { now: new Date(`${today}T00:00:00Z`) });
    diffRuns.push(performance.now() - t);
    if (events.length === 0 || changed === 0) throw new Error('diff bench: no changes detected');
  }
  const v = median(diffRuns);
  const f = median(floorRuns);
  record({ name: `diffSnapshots ${size.toLocaleString('en')} employees, 1% changed`, value: v, unit: 'ms', floor: f, ratio: v / f, target: '<= 2', pass: v / f <= 2 });
  floorScale = f / (lastDiffFloor || f);
  lastDiffFloor = f;
  return v;
}

let lastOrgFloor = 0;
let lastDiffFloor = 0;
function orgChartCase(size: number): number {
  const snap = syntheticSnapshot(size);
  const runs: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    settle();
    let t = performance.now();
    const m = new Map<string, string[]>();
    for (const e of snap.employees) {
      const k = e.managerId ?? '';
      const a = m.get(k);
      if (a) a.push(e.id);
      else m.set(k, [e.id]);
    }
    floors.push(performance.now() - t);
    settle();
    t = performance.now();
    buildOrgChart(snap);
    runs.push(performance.now() - t);
  }
  const v = median(runs);
  const f = median(floors);
  record({ name: `buildOrgChart ${size.toLocaleString('en')} employees`, value: v, unit: 'ms', floor: f, ratio: v / f, target: 'linear', pass: true, note: 'floor: one Map build of manager -> reports' });
  floorScale = f / (lastOrgFloor || f);
  lastOrgFloor = f;
  return v;
}

let lastPlanFloor = 0;
const starterRules = parseRuleSet(JSON.parse(readFileSync(new URL('../examples/rules/starter.json', import.meta.url), 'utf8')));

/**
 * planProvisioning with the starter rules (incl. "reportsTo the CFO") when the CFO, above everyone,
 * has an event: every person is evaluated for indirect effects. Floor: evaluating the same rules
 * once for everyone in both snapshots of the flat org (what any plan must at least do).
 */
function planCase(size: number, shape: 'flat' | 'chain' | 'cycle', reps: number): number {
  const { previous, current } = reportingLines(size, shape);
  const flat = shape === 'flat' ? { previous, current } : reportingLines(size, 'flat');
  const events = diffSnapshots(previous, current, { now: new Date(`${today}T00:00:00Z`) });
  const runs: number[] = [];
  const floors: number[] = [];
  let planned = 0;
  for (let i = 0; i < reps; i++) {
    settle();
    let t = performance.now();
    for (const s of [flat.previous, flat.current]) {
      const ctx = createRuleContext(s);
      for (const e of s.employees) evaluateRules(starterRules, e, ctx);
    }
    floors.push(performance.now() - t);
    settle();
    t = performance.now();
    const plan = planProvisioning(events, starterRules, { previous, current, now: new Date(`${today}T12:00:00Z`) });
    runs.push(performance.now() - t);
    planned = plan.employees.length;
  }
  const v = median(runs);
  const f = median(floors);
  lastPlanFloor = f;
  const what = shape === 'flat' ? 'flat org' : shape === 'chain' ? `${size.toLocaleString('en')}-deep chain` : 'chain turned into a cycle';
  record({ name: `planProvisioning ${size.toLocaleString('en')} employees, ${what}`, value: v, unit: 'ms', floor: f, ratio: v / f, target: '<= 4', pass: v / f <= 4, note: `${events.length} event(s), ${planned} planned; floor: evaluate the rules for everyone, flat org; runs ${runs.map((r) => r.toFixed(0)).join('/')}` });
  return v;
}

function memory(kind: 'sync' | 'diff', size: number, vendor = 'gusto'): void {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', 'scripts/bench-memory.ts', kind, String(size), vendor], { encoding: 'utf8' });
  if (r.status !== 0) return void console.log(`memory ${kind} failed: ${r.stderr.slice(-500)}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
  record({ name: `peak RSS ${kind === 'sync' ? `full sync ${vendor}` : 'diff'} ${size.toLocaleString('en')} employees`, value: m.maxRssMb, unit: 'MiB', floor: m.snapshotJsonMb, ratio: m.maxRssMb / m.snapshotJsonMb, target: 'reported', pass: true, note: `floor = snapshot JSON size (MiB); baseline process ${m.baselineMb.toFixed(0)} MiB` });
}

async function main(): Promise<void> {
  const started = performance.now();
  const n = quick ? 10_000 : 100_000;
  console.log(`orgsync bench (${quick ? 'quick' : 'full'}): node ${process.version}\n`);
  if (runs('throughput')) for (const v of ['gusto', 'scim', 'bamboohr', 'hibob', 'deel', 'personio']) await throughput(v, n);
  const rlVendor = simulators['gusto'] ? 'gusto' : 'bamboohr';
  if (runs('ratelimit')) {
    await rateLimited(rlVendor, quick ? 40 : 200, 20, 1);
    await rateLimited(rlVendor, quick ? 40 : 200, 20, 3);
  }
  if (runs('diff')) {
    const d100k = diffCase(100_000);
    if (!quick) {
      const d1m = diffCase(1_000_000);
      record({ name: 'diff linearity time(1M) / time(100k)', value: d1m / d100k, unit: 'x', floor: 10, ratio: d1m / d100k / 10, target: '<= 12x', pass: d1m / d100k <= 12, note: `the floor itself grew ${floorScale.toFixed(1)}x` });
    }
  }
  if (runs('orgchart')) {
    const o100k = orgChartCase(100_000);
    if (!quick) {
      const o1m = orgChartCase(1_000_000);
      record({ name: 'org chart linearity time(1M) / time(100k)', value: o1m / o100k, unit: 'x', floor: 10, ratio: o1m / o100k / 10, target: '<= 12x', pass: o1m / o100k <= 12, note: `the floor itself grew ${floorScale.toFixed(1)}x` });
    }
  }
  if (runs('plan')) {
    const reps = quick ? 1 : 3;
    const p100k = planCase(n, 'flat', reps);
    const f100k0 = lastPlanFloor;
    const chain = planCase(n, 'chain', reps);
    const cycle = planCase(n, 'cycle', reps);
    lastPlanFloor = f100k0;
    record({ name: `plan depth: ${n.toLocaleString('en')}-deep chain / flat org`, value: chain / p100k, unit: 'x', floor: 1, ratio: chain / p100k, target: '<= 2', pass: chain / p100k <= 2 });
    record({ name: 'plan depth: chain into a cycle / flat org', value: cycle / p100k, unit: 'x', floor: 1, ratio: cycle / p100k, target: '<= 2', pass: cycle / p100k <= 2 });
    if (!quick) {
      // (a 1,000,000-deep chain works too but takes minutes per run here; depth is covered by the ratios above)
      const f100k = lastPlanFloor;
      const p1m = planCase(1_000_000, 'flat', 2);
      record({ name: 'plan linearity time(1M) / time(100k), flat org', value: p1m / p100k, unit: 'x', floor: 10, ratio: p1m / p100k / 10, target: '<= 12x', pass: p1m / p100k <= 12, note: `the floor itself grew ${(lastPlanFloor / f100k).toFixed(1)}x` });
    }
  }
  if (runs('memory')) {
    memory('sync', n, simulators['gusto'] ? 'gusto' : 'bamboohr');
    memory('diff', quick ? 100_000 : 1_000_000);
  }
  mkdirSync('bench', { recursive: true });
  if (only) return void console.log(`\n(--only ${only}: bench/results.json not written)`);
  writeFileSync('bench/results.json', JSON.stringify({ node: process.version, at: new Date().toISOString(), quick, results }, null, 2) + '\n');
  console.log(`\n${results.filter((r) => r.pass).length} of ${results.length} targets met; bench/results.json written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
