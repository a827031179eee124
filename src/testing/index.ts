/**
 * Test utilities for orgsync users and connector authors: the vendor simulator, the sample
 * company it serves, and (see docs/adding-a-connector.md) the conformance helpers.
 */
export { startSimulator, basicAuth, bearerToken, type Fault, type FaultRule, type Simulator, type SimulatorOptions, type SimRequest, type SimResponse, type VendorRoutes } from '../simulator/server.js';
export { sampleOrg, applySampleChanges, type SampleOrg, type SamplePerson, type SampleOrgOptions } from '../simulator/sample-org.js';
export { runConnectorConformance, errorText, type ConformanceSetup } from './conformance.js';
export { replayFixtures, type RecordedExchange, type Replay } from './replay.js';
