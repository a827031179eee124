/**
 * Child process of the benchmark: peak RSS of one full sync or one diff, above this process's
 * baseline (after imports and test data, before the measured work), with RSS and heapUsed sampled
 * every 20 ms and at each stage. Prints one JSON line.
 * - sync: the vendor simulator runs in another process (bench-sim-process.ts), as a vendor would;
 * - diff: two synthetic snapshots (their objects are the baseline), then diffSnapshots.
 */
import { connectors } from '../connectors/index.js';
import { takeSnapshot } from '../src/snapshot.js';
import { diffSnapshots } from '../src/diff.js';
import { syntheticSnapshot, mutate } from './bench-data.js';
import { spawnSimulator } from './bench-sim-spawn.js';

const [kind, sizeArg, vendor = 'gusto'] = process.argv.slice(2);
/** Bytes of `JSON.stringify(s)` counted record by record (one big string would raise the peak being measured). */
function jsonBytes(s: { employees: unknown[] }): number {
  let n = Buffer.byteLength(JSON.stringify({ ...s, employees: [] }));
  for (const e of s.employees) n += Buffer.byteLength(JSON.stringify(e)) + 1;
  return n - (s.employees.length ? 1 : 0);
}
const size = Number(sizeArg);
const MiB = 1048576;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const stages: Record<string, { rssMb: number; heapMb: number }> = {};
let peakHeap = 0;
let peakRss = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
  return m;
};
const stage = (name: string) => {
  const m = sample();
  stages[name] = { rssMb: m.rss / MiB, heapMb: m.heapUsed / MiB };
};

async function startSim(): Promise<{ options: Record<string, unknown>; stop: () => void }> {
  const sim = await spawnSimulator(vendor, size);
  return { options: sim.options, stop: () => void sim.close() };
}

let snapshotJsonMb = 0;
let baselineMb = 0;
let timer: NodeJS.Timeout | undefined;
const watch = () => {
  gc();
  baselineMb = process.memoryUsage().rss / MiB;
  peakRss = 0;
  peakHeap = 0;
  stage('baseline');
  timer = setInterval(sample, 20);
};
if (kind === 'sync') {
  const sim = await startSim();
  const connector = connectors[vendor]!({ ...sim.options, http: { rateLimit: { requests: Infinity } } });
  watch();
  let pages = 0;
  const snap = await takeSnapshot(connector, {
    onProgress: (e) => {
      if (e.type === 'page' || (e as { type: string }).type === 'response') pages++;
      if (pages === 1) stage('first page');
    },
  });
  clearInterval(timer);
  stage('snapshot taken');
  gc();
  stage('snapshot held, after GC');
  sim.stop();
  snapshotJsonMb = jsonBytes(snap) / MiB;
} else {
  const prev = syntheticSnapshot(size);
  const next = mutate(prev, 0.01);
  snapshotJsonMb = (jsonBytes(prev) + jsonBytes(next)) / MiB;
  watch();
  const events = diffSnapshots(prev, next);
  clearInterval(timer);
  stage(`diff done (${events.length} events)`);
}
// maxRSS is the kernel's high-water mark: it also catches peaks between samples (nothing before the
// baseline allocates more than the measured work: test data is built record by record).
const maxRssMb = Math.max(process.resourceUsage().maxRSS / 1024, peakRss / MiB);
console.log(
  JSON.stringify({
    maxRssMb,
    baselineMb,
    aboveBaselineMb: maxRssMb - baselineMb,
    peakHeapMb: peakHeap / MiB,
    snapshotJsonMb,
    stages,
  }),
);
