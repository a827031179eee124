/**
 * The planning environment: parsed rules, rule contexts of both snapshots, the clock, known accounts,
 * and the small policy lookups every handler uses (event mode, start instant, day start).
 */
import type { EmployeeChangeType } from '../../changes.js';
import type { Employee, OrgSnapshot } from '../../model.js';
import type { Entitlements, EventMode, RuleContext, RuleSet } from '../rules.js';
import { zonedInstant } from '../util.js';

/** What the app knows about an existing account (optional input to planning). */
export interface ExistingAccount {
  employeeId: string;
  status: 'active' | 'suspended' | 'deleted';
  /** The account's current entitlements, if known: grants skip what it has, revokes only touch what it has. */
  entitlements?: Entitlements;
}

export interface PlanContext {
  /** The snapshot the changes were diffed from: used to evaluate rules "before" (group names, manager chain). */
  previous?: OrgSnapshot;
  current: OrgSnapshot;
  /** Only used where no date is known (e.g. the deletion date of a termination without a date). Default: now. */
  now?: Date;
  /** Accounts the app already has, keyed by employee id (array or record). */
  existingAccounts?: ExistingAccount[] | Record<string, Omit<ExistingAccount, 'employeeId'>>;
}

export interface Env {
  rs: RuleSet;
  prevCtx: RuleContext;
  curCtx: RuleContext;
  now: Date;
  accounts: Map<string, ExistingAccount> | null;
  connector: string;
}

export const ACTIVE_LIKE = new Set(['ACTIVE', 'PENDING', 'LEAVE']);

/** Order in which a person's events are considered (lifecycle first). */
const EVENT_ORDER: EmployeeChangeType[] = [
  'IDENTITY_CHANGE',
  'REMOTE_DELETED',
  'TERMINATION',
  'REHIRE',
  'HIRE',
  'GROUP_CHANGE',
  'TITLE_CHANGE',
  'LOCATION_CHANGE',
  'MANAGER_CHANGE',
  'EMAIL_CHANGE',
  'PROFILE_UPDATE',
  'LEAVE_START',
  'LEAVE_END',
  'TERMINATION_SCHEDULED',
];
export const eventRank = (t: string): number => {
  const i = EVENT_ORDER.indexOf(t as EmployeeChangeType);
  return i < 0 ? EVENT_ORDER.length : i;
};

export function normalizeAccounts(input: PlanContext['existingAccounts']): Map<string, ExistingAccount> | null {
  if (!input) return null;
  const out = new Map<string, ExistingAccount>();
  if (Array.isArray(input)) for (const a of input) out.set(a.employeeId, a);
  else for (const [id, a] of Object.entries(input)) out.set(id, { ...a, employeeId: id });
  return out;
}

export function modeOf(rs: RuleSet, type: string): EventMode {
  return (rs.policy.events as Record<string, EventMode | undefined>)[type] ?? 'auto';
}

export function startInstant(env: Env, e: Employee): string | undefined {
  if (!e.startDate) return undefined;
  const { timezone, hire } = env.rs.policy;
  const at = zonedInstant(e.startDate, timezone, hire.time, -hire.provisionDaysBefore);
  if (e.employmentStatus === 'PENDING' || Date.parse(at) > env.now.getTime()) return at;
  return undefined;
}

export function dayStart(env: Env, date: string | null | undefined, endOfDay = false): string | undefined {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  return zonedInstant(date, env.rs.policy.timezone, '00:00', endOfDay ? 1 : 0);
}
