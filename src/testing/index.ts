/**
 * Test utilities for orgsync users and connector authors: a local simulator of every shipped vendor
 * (`simulators.bamboohr.start(sampleOrg())`), the generic simulator server, the sample company it
 * serves, and (see docs/adding-a-connector.md) the conformance kit: `runConnectorConformance` and
 * its person-by-person check (`checkSamplePeople`). vitest and nock are optional
 * peers, needed only by `runConnectorConformance` and `replayFixtures`.
 */
export {
  startSimulator,
  basicAuth,
  bearerToken,
  type Fault,
  type FaultRule,
  type Simulator,
  type SimulatorOptions,
  type SimRequest,
  type SimResponse,
  type VendorRoutes,
} from '../simulator/server.js';
export { SimTokenIssuer, type TokenIssuerOptions } from '../simulator/oauth2.js';
export { testPki, hasOpenssl, type TestPki } from '../simulator/tls.js';
export {
  sampleOrg,
  applySampleChanges,
  type SampleOrg,
  type SamplePerson,
  type SampleLocation,
  type SampleOrgOptions,
} from '../simulator/sample-org.js';
export { simulators, type RunningSimulator, type VendorSimulator } from '../../connectors/simulators.js';
export { runConnectorConformance, errorText, type ConformanceSetup } from './conformance.js';
export {
  checkSamplePeople,
  assertSamplePeople,
  type SampleReading,
  type ExpectedPerson,
  type PersonField,
  type PersonMismatch,
  type PeopleCheck,
  type SampleGroupAttribute,
} from './people.js';
export { replayFixtures, type RecordedExchange, type Replay } from './replay.js';
