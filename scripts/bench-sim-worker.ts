/**
 * Runs a vendor simulator for the benchmarks in a child process (the default: `fork` with IPC, its
 * settings in ORGSYNC_BENCH_SIM) or a worker thread (`--sim-thread`): the vendor is another machine
 * in real life, so its work (rendering pages, its garbage collection) must not share the client's
 * event loop, and in a separate process not even V8's helper threads.
 */
import { parentPort, workerData as threadData } from 'node:worker_threads';
import { simulators } from '../connectors/simulators.js';
import { sampleOrg } from '../src/simulator/sample-org.js';

/** The parent: the worker thread's port, else this process' IPC channel. */
const port = parentPort ?? {
  postMessage: (m: unknown) => void process.send!(m),
  on: (_: 'message', f: (m: { cmd: string }) => void) => void process.on('message', f),
};
const workerData = parentPort ? threadData : JSON.parse(process.env['ORGSYNC_BENCH_SIM'] ?? '{}');
const { vendor, size, today, simOptions } = workerData as {
  vendor: string;
  size: number;
  today: string;
  simOptions?: Record<string, unknown>;
};
const running = await simulators[vendor]!.start(sampleOrg({ size, today }), simOptions);
port.postMessage({ type: 'ready', url: running.sim.url, options: running.options });
port.on('message', async (m: { cmd: string }) => {
  if (m.cmd === 'log') port.postMessage({ type: 'log', log: running.sim.log.splice(0) });
  else if (m.cmd === 'stats') port.postMessage({ type: 'stats', stats: { ...running.sim.stats } });
  else if (m.cmd === 'close') {
    await running.sim.close();
    port.postMessage({ type: 'closed' });
    if (!parentPort) process.disconnect();
  }
});
