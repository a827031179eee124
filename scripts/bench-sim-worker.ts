/**
 * Runs a vendor simulator in a worker thread for the benchmarks: the vendor is another machine
 * in real life, so its work (rendering pages) must not share the client's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simulators } from '../connectors/simulators.js';
import { sampleOrg } from '../src/simulator/sample-org.js';

const { vendor, size, today, simOptions } = workerData as {
  vendor: string;
  size: number;
  today: string;
  simOptions?: Record<string, unknown>;
};
const running = await simulators[vendor]!.start(sampleOrg({ size, today }), simOptions);
parentPort!.postMessage({ type: 'ready', url: running.sim.url, options: running.options });
parentPort!.on('message', async (m: { cmd: string }) => {
  if (m.cmd === 'log') parentPort!.postMessage({ type: 'log', log: running.sim.log.splice(0) });
  else if (m.cmd === 'stats') parentPort!.postMessage({ type: 'stats', stats: { ...running.sim.stats } });
  else if (m.cmd === 'close') {
    await running.sim.close();
    parentPort!.postMessage({ type: 'closed' });
  }
});
