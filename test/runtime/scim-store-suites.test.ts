/**
 * The inbound SCIM protocol suites (RFC 7644 behaviour, Okta and Entra ID request shapes, the
 * conformance checks, change events, filter limits) once more on the runtime's SQL store
 * (`SqlScimStore` on a fresh SQLite file per handler) instead of the memory store: the handler must
 * behave the same on it. test/runtime/scim-store.test.ts covers PostgreSQL and several workers.
 */
process.env['ORGSYNC_TEST_SCIM_STORE'] = 'sql';

await import('../inbound-scim/protocol.test.js');
await import('../inbound-scim/okta.test.js');
await import('../inbound-scim/entra.test.js');
await import('../inbound-scim/conformance.test.js');
await import('../inbound-scim/events.test.js');
await import('../inbound-scim/filter-dos.test.js');
