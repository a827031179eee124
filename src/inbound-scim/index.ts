/**
 * Inbound SCIM 2.0: the endpoint identity providers (Okta, Entra ID, OneLogin, JumpCloud) push users
 * and groups to, feeding the same snapshots, change events and provisioning plans as the HRIS
 * connectors. See docs/inbound-scim.md.
 */
export {
  createScimHandler,
  ScimHandler,
  type ChangeInfo,
  type ScimHandlerEvents,
  type ScimHandlerOptions,
  type ScimRequest,
  type ScimResponse,
  type ScimTenantConfig,
} from './handler.js';
export { toNodeListener, toExpressMiddleware, scimClientErrorListener, type ExpressLikeRequest } from './adapters.js';
export {
  FileScimStore,
  MemoryScimStore,
  ScimStoreConflictError,
  STORE_KIND,
  TENANT_ID,
  type FileScimStoreOptions,
  type ScimStore,
  type ScimTenantData,
} from './store.js';
export type { StoredResource } from './resource.js';
export { buildSnapshot as scimSnapshot, INBOUND_CONNECTOR_ID } from './mapping.js';
export type { InboundPlan, InboundProvisioningOptions } from './provisioning.js';
export { ScimHttpError, ERROR_URN, scimErrorBody, type ScimErrorBody, type ScimType } from './errors.js';
export { CORE_USER, CORE_GROUP, ENTERPRISE_USER, PATCH_OP, LIST_RESPONSE } from './schema.js';
