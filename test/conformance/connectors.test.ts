// Every shipped connector passes the same conformance suite against its own simulator.
import { connectors } from '../../connectors/index.js';
import { simulators } from '../../connectors/simulators.js';
import { runConnectorConformance } from '../../src/testing/conformance.js';

for (const [id, factory] of Object.entries(connectors)) {
  const sim = simulators[id];
  if (!sim) throw new Error(`connector ${id} has no simulator registered in connectors/simulators.ts`);
  runConnectorConformance(factory, sim);
}
