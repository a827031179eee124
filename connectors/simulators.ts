/**
 * Local vendor simulators for every shipped connector, keyed by connector id: each starts a
 * loopback server that serves a sample company in the vendor's wire format and returns the
 * factory options that point the real connector at it. Used by the demo, tests and benchmarks.
 */
import type { SampleOrg } from '../src/simulator/sample-org.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/server.js';
import { bambooDataFromSample, bamboohrRoutes } from './bamboohr/simulator.js';

export interface RunningSimulator {
  sim: Simulator;
  /** Factory options (credentials and baseUrl) for the connector to read this simulator. */
  options: Record<string, unknown>;
}

export interface VendorSimulator {
  id: string;
  start(org: SampleOrg, options?: SimulatorOptions): Promise<RunningSimulator>;
  /** The same options with a credential the simulator rejects. */
  badCredentials(options: Record<string, unknown>): Record<string, unknown>;
  /** Request path (and query) of the employee listing, for fault injection. */
  employeesPath: string | RegExp;
  /** Whether employees come in several pages at 120 people. */
  paged: boolean;
}

export const simulators: Record<string, VendorSimulator> = {
  bamboohr: {
    id: 'bamboohr',
    async start(org, options) {
      const data = bambooDataFromSample(org);
      const sim = await startSimulator(bamboohrRoutes(data), options);
      return { sim, options: { subdomain: data.subdomain, apiKey: data.apiKey, baseUrl: `${sim.url}/api/gateway.php/${data.subdomain}` } };
    },
    badCredentials: (o) => ({ ...o, apiKey: 'sim-bamboo-revoked-key-999999' }),
    employeesPath: '/v1/reports/custom',
    paged: false,
  },
};
