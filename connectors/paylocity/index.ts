/**
 * Paylocity connector: `paylocity({ apiToken })`. See README.md.
 * A connector is a declaration plus pure mappers: requests, paging, retries, rate limits and
 * errors are handled by the core. Never import axios here.
 */
import { z } from 'zod';
import { defineConnector } from '../../src/connector/define.js';
import { offsetPaging } from '../../src/pagination/index.js';
import { EmployeeRowSchema, GroupRowSchema, type EmployeeRow, type GroupRow } from './schemas.js';
import { mapCompany, mapEmployee, mapGroup } from './map.js';

export const paylocityOptionsSchema = z.object({
  /** API token (sent as a Bearer token). */
  apiToken: z.string().min(1, 'required'),
});
export type PaylocityOptions = z.infer<typeof paylocityOptionsSchema>;

export const paylocity = defineConnector<PaylocityOptions, undefined>({
  id: 'paylocity',
  name: 'Paylocity',
  options: paylocityOptionsSchema,
  secrets: ['apiToken'],
  // TODO: the vendor's production base URL and auth scheme.
  http: (opts) => ({ baseUrl: 'https://api.paylocity.example/v1', auth: { type: 'bearer', token: opts.apiToken }, account: 'Paylocity account' }),
  // TODO: the vendor's documented budget (requests per interval, concurrency).
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
  capabilities: { groups: true, locations: false, incremental: false, incrementalDeletions: false, webhooks: false, includesTerminated: true },
  employees: {
    // TODO: the endpoint that lists everyone, terminated people included, and how it pages.
    request: { path: '/employees' },
    paginate: offsetPaging({ limit: 100 }),
    records: (res) => (res.data as { employees?: unknown[] }).employees ?? [],
    row: EmployeeRowSchema as z.ZodType<EmployeeRow>,
    map: mapEmployee,
    itemKey: (row: EmployeeRow) => row.id,
  },
  groups: {
    request: { path: '/departments' },
    records: (res) => (res.data as { departments?: unknown[] }).departments ?? [],
    row: GroupRowSchema as z.ZodType<GroupRow>,
    map: mapGroup,
  },
  company: () => mapCompany(),
});
