/**
 * Profile one full sync against a simulator in a worker thread (like the bench):
 *   node --cpu-prof --cpu-prof-dir=prof --import tsx scripts/profile-sync.ts gusto 100000 [runs] [ab]
 * Prints the time of each run; the CPU profile covers the client's main thread. With `ab`, runs
 * alternate streaming JSON on and off (`http.streamJson`), for an A/B in one process.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { connectors } from '../connectors/index.js';
import { takeSnapshot } from '../src/snapshot.js';

const [vendor = 'gusto', sizeArg = '100000', runsArg = '1', mode = ''] = process.argv.slice(2);
const size = Number(sizeArg);
const today = '2026-06-01';
const script = new URL('./bench-sim-worker.ts', import.meta.url).href;
const worker = new Worker(
  `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(script)}); })`,
  { eval: true, workerData: { vendor, size, today } },
);
const ready = await new Promise<{ url: string; options: Record<string, unknown> }>((resolve) =>
  worker.on('message', (m: { type: string; url: string; options: Record<string, unknown> }) => {
    if (m.type === 'ready') resolve(m);
  }),
);
/** CPU time of this (the main) thread in ms, from /proc (Linux): the client's own cost, without the simulator's thread. */
const mainThreadCpu = (): number => {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
};
for (let i = 0; i < Number(runsArg); i++) {
  const streamJson = mode === 'ab' ? i % 2 === 0 : true;
  const t0 = performance.now();
  const m0 = mainThreadCpu();
  const c0 = process.cpuUsage();
  const snap = await takeSnapshot(
    connectors[vendor]!({ ...ready.options, http: { rateLimit: { requests: Infinity }, streamJson } } as never),
    { now: new Date(`${today}T12:00:00Z`) },
  );
  const cpu = process.cpuUsage(c0);
  const main = mainThreadCpu() - m0;
  console.log(
    `${vendor} ${snap.employees.length} employees${mode === 'ab' ? ` (streaming ${streamJson ? 'on' : 'off'})` : ''}: ${(performance.now() - t0).toFixed(0)} ms, process CPU (client and simulator threads) ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, client thread ${main.toFixed(0)} ms`,
  );
}
await worker.terminate();
