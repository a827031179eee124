/**
 * A vendor simulator in its own process, for the memory benchmark: the vendor is another machine
 * in real life, so its data and the pages it renders must not count in the client's RSS.
 * Prints one JSON line `{ url, options }` when listening; exits when stdin closes.
 */
import { simulators } from '../connectors/simulators.js';
import { sampleOrg } from '../src/simulator/sample-org.js';

const [vendor = 'gusto', sizeArg = '1000', today = '2026-06-01'] = process.argv.slice(2);
const running = await simulators[vendor]!.start(sampleOrg({ size: Number(sizeArg), today }));
process.stdout.write(JSON.stringify({ url: running.sim.url, options: running.options }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => void running.sim.close().then(() => process.exit(0)));
