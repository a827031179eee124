/**
 * orgsync: read any HRIS through one interface, take normalized org snapshots, detect changes,
 * and provision your app from them.
 */
export * from './model.js';
export * from './changes.js';
export * from './errors.js';
export { Redactor, REDACTED } from './redact.js';
export {
  HttpClient,
  extractVendorMessage,
  type AuthSpec,
  type ErrorHint,
  type HttpClientConfig,
  type HttpOptions,
  type HttpResponse,
  type Logger,
  type ProgressEvent,
  type QueryValue,
  type RawResponse,
  type RequestSpec,
  type RetryOptions,
} from './http/client.js';
export { RateLimiter, sharedRateLimiter, type RateLimitOptions } from './http/rate-limit.js';
export { parseRetryAfter, parseRateLimitReset, backoffDelay } from './http/timing.js';
export * from './pagination/index.js';
export {
  defineConnector,
  CommonOptionsSchema,
  type CommonOptions,
  type Connector,
  type ConnectorCapabilities,
  type ConnectorChanges,
  type ConnectorDefinition,
  type ConnectorFactory,
  type ConnectorReadResult,
  type ConnectorRuntime,
  type EmployeeDraft,
  type IncrementalDef,
  type ManagerRef,
  type ResourceDef,
} from './connector/define.js';
export * as mapHelpers from './connector/map-helpers.js';
export { takeSnapshot, writeSnapshotFile, readSnapshotFile, writeFileAtomic, type TakeSnapshotOptions } from './snapshot.js';
export { sync, type SyncOptions, type SyncResult } from './sync.js';
export { bamboohr, gusto, rippling, scim, workday, connectors } from '../connectors/index.js';
export * from './provisioning/index.js';
export * from './diff.js';
export * from './org-chart.js';
export * from './webhooks.js';
export * from './alerts/index.js';
export * from './inbound-scim/index.js';
