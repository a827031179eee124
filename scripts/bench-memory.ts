/** Child process of the benchmark: peak RSS of one full sync or one diff (process.resourceUsage().maxRSS). */
import { connectors } from '../connectors/index.js';
import { simulators } from '../connectors/simulators.js';
import { takeSnapshot } from '../src/snapshot.js';
import { sampleOrg } from '../src/simulator/sample-org.js';
import { diffSnapshots } from '../src/diff.js';
import { syntheticSnapshot, mutate } from './bench-data.js';

const [kind, sizeArg, vendor = 'gusto'] = process.argv.slice(2);
const size = Number(sizeArg);
const baselineMb = process.resourceUsage().maxRSS / 1024;
let snapshotJsonMb = 0;
if (kind === 'sync') {
  // The simulator runs in this process too; its data is counted in the baseline below.
  const { sim, options } = await simulators[vendor]!.start(sampleOrg({ size, today: '2026-06-01' }));
  const base = process.resourceUsage().maxRSS / 1024;
  const snap = await takeSnapshot(connectors[vendor]!({ ...options, http: { rateLimit: { requests: Infinity } } }));
  snapshotJsonMb = Buffer.byteLength(JSON.stringify(snap)) / 1048576;
  await sim.close();
  console.log(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, baselineMb: base, snapshotJsonMb }));
} else {
  const prev = syntheticSnapshot(size);
  const next = mutate(prev, 0.01);
  const base = process.resourceUsage().maxRSS / 1024;
  snapshotJsonMb = Buffer.byteLength(JSON.stringify(prev)) / 1048576;
  diffSnapshots(prev, next);
  console.log(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, baselineMb: base, snapshotJsonMb }));
}
void baselineMb;
