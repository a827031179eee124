/** Shapes shared by the runtime's store, queue and job. */
import type { RuleSetInput } from '../provisioning/index.js';

export interface Schedule {
  /** Incremental sync every this many ms (default 1 h). */
  incrementalEveryMs: number;
  /** Full reconcile every this many ms (default 24 h). */
  fullEveryMs: number;
}

export const DEFAULT_SCHEDULE: Schedule = { incrementalEveryMs: 3_600_000, fullEveryMs: 86_400_000 };

export interface TenantInput {
  id: string;
  /** Connector id (`bamboohr`, `gusto`, ...). */
  connector: string;
  /** Non-secret connector options (subdomain, baseUrl...). */
  options?: Record<string, unknown>;
  /** Secret connector options (apiKey, token...): encrypted at rest, never returned by list/show. */
  credentials?: Record<string, string>;
  /** Provisioning rule set (with its thresholds); without one the tenant only syncs and logs events. */
  rules?: RuleSetInput | null;
  schedule?: Partial<Schedule>;
}

export interface TenantStatus {
  nextRunAt: number;
  nextFullAt: number;
  lastSyncAt: number | null;
  lastFullAt: number | null;
  lastMode: string | null;
  lastErrorKind: string | null;
  lastError: string | null;
  /** Consecutive failed runs (backoff grows with it). */
  failures: number;
  requestsLastRun: number;
  triggeredAt: number | null;
  haltedPlanId: string | null;
  /** Offset of the last event written. */
  eventSeq: number;
}

/** A tenant as stored: credentials only as `hasCredentials`. */
export interface TenantRecord {
  id: string;
  connector: string;
  options: Record<string, unknown>;
  rules: RuleSetInput | null;
  schedule: Schedule;
  hasCredentials: boolean;
  createdAt: number;
  updatedAt: number;
  status: TenantStatus;
}

export type RuntimeEventType =
  | 'sync.completed'
  | 'sync.failed'
  | 'change'
  | 'plan.created'
  | 'plan.halted'
  | 'plan.approved'
  | 'plan.applied'
  | 'action.done'
  | 'action.failed';

export interface RuntimeEvent {
  tenantId: string;
  offset: number;
  type: RuntimeEventType;
  at: number;
  data: unknown;
}

export type PlanStatus = 'open' | 'halted' | 'approved' | 'applied';

export interface StoredPlan {
  tenantId: string;
  planId: string;
  status: PlanStatus;
  plan: unknown;
  createdAt: number;
  approvedAt: number | null;
  approvedBy: string | null;
}
