/**
 * orgsync: read any HRIS through one interface, take normalized org snapshots, detect changes,
 * and provision your app from them.
 *
 * The public API. Helpers shared between modules (CSV/DOT/Mermaid escaping, the fast employee
 * check, stable JSON, header lookup) are not exported here; test/types/public-api.test.ts pins
 * what is. Test utilities live in `orgsync/testing`.
 */
export * from './model.js';
export * from './changes.js';
export * from './errors.js';
export { Redactor, REDACTED } from './redact.js';
export {
  HttpClient,
  DEFAULT_RETRY_STATUSES,
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
  type StreamRecordsSpec,
} from './http/client.js';
export { RateLimiter, sharedRateLimiter, type RateLimitOptions } from './http/rate-limit.js';
export { clearTokenCache, type ClientCertificate, type OAuth2ClientCredentialsAuth } from './http/auth.js';
export { parseRetryAfter, parseRateLimitReset, backoffDelay } from './http/timing.js';
export { DEFAULT_SYNC_TIMEOUT_MS } from './http/deadline.js';
export { LockedError } from './file-lock.js';
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
  type ManagerHook,
  type ManagerKey,
  type ManagerRef,
  type OptionalReadOptions,
  type ResourceDef,
} from './connector/define.js';
export * as mapHelpers from './connector/map-helpers.js';
export {
  takeSnapshot,
  writeSnapshotFile,
  readSnapshotFile,
  writeFileAtomic,
  type TakeSnapshotOptions,
} from './snapshot.js';
export { sync, type SyncOptions, type SyncResult } from './sync.js';
export {
  adpWfn,
  bamboohr,
  deel,
  gusto,
  hibob,
  paylocity,
  personio,
  rippling,
  scim,
  workday,
  connectors,
} from '../connectors/index.js';
export * from './provisioning/index.js';
export {
  CHANGE_TYPE_ORDER,
  diffSnapshots,
  summarizeChanges,
  formatChangesText,
  type ChangeType,
  type DiffOptions,
  type FormatChangesOptions,
} from './diff.js';
export {
  buildOrgChart,
  chainOfCommand,
  orgChartToTree,
  orgChartToJson,
  orgChartToCsv,
  orgChartToMermaid,
  orgChartToDot,
  orgChartToHtml,
  type OrgChart,
  type OrgChartNode,
  type OrgChartDiagnostics,
  type OrgChartOptions,
  type OrgChartTree,
  type OrgChartTreeNode,
  type OrgChartJsonOptions,
  type OrgChartCsvOptions,
  type OrgChartDiagramOptions,
  type OrgChartHtmlOptions,
} from './org-chart.js';
export {
  verifyBambooHrWebhook,
  verifyGustoWebhook,
  type WebhookVendor,
  type WebhookHeaders,
  type RawBody,
  type WebhookNotification,
  type VerifyBambooHrWebhookInput,
  type VerifyGustoWebhookInput,
} from './webhooks.js';
export * from './alerts/index.js';
export * from './inbound-scim/index.js';
