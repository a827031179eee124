/**
 * What a vendor simulator registered in `connectors/simulators.ts` offers (the demo, the
 * conformance suite, the fault matrix and the benchmarks start them through this interface).
 * Kept here, not in the registry, so a vendor's simulator can name the type without importing
 * the registry that imports it.
 */
import type { SampleOrg, SamplePerson } from './sample-org.js';
import type { EmploymentStatus } from '../model.js';
import type { Simulator, SimulatorOptions } from './server.js';
import type { SampleReading } from '../testing/people.js';

export interface RunningSimulator {
  sim: Simulator;
  /** Factory options (credentials and baseUrl) for the connector to read this simulator. */
  options: Record<string, unknown>;
  /** Serve a changed company from now on (simulated HR changes); `changedAt` stamps vendor update times. */
  update(org: SampleOrg, changedAt?: Date): void;
}

export interface VendorSimulator {
  id: string;
  /** `data`: vendor-specific rendering switches (e.g. SCIM's `ScimDataOptions`). */
  start(org: SampleOrg, options?: SimulatorOptions, data?: Record<string, unknown>): Promise<RunningSimulator>;
  /** The same options with a credential the simulator rejects. */
  badCredentials(options: Record<string, unknown>): Record<string, unknown>;
  /** Request path (and query) of the employee listing, for fault injection. */
  employeesPath: string | RegExp;
  /** Whether employees come in several pages at 120 people. */
  paged: boolean;
  /**
   * How this simulator renders the sample company, for the conformance kit's person-by-person
   * check: the id each person gets, which attributes become groups, what the vendor cannot express.
   */
  sample: SampleReading;
  /** @deprecated use `sample.expect`: how a sample person's status reads where the vendor cannot express it. */
  expectedStatus?: (p: SamplePerson) => EmploymentStatus;
  /** The connector's folder, for the kit to list `TODO(new-connector)` markers left (scaffolded connectors). */
  sourceDir?: string | URL;
}
