/**
 * planProvisioning: turn change events into a deterministic provisioning plan.
 *
 * Same input, byte-identical JSON. Every action carries a reason (event, rules) and an
 * idempotency key derived from (cause, action type, target) only, so re-planning the same change
 * gives the same keys and a journal can recognise work already done.
 */
import type { ChangeEvent, EmployeeChangeEvent, EmployeeChangeType, FieldChange, GroupChangeEvent } from '../changes.js';
import { ChangeEventSchema } from '../changes.js';
import { withFieldsKeptAcrossStatus } from '../diff.js';
import { ValidationError } from '../errors.js';
import type { Employee, OrgSnapshot } from '../model.js';
import {
  createRuleContext,
  DEFAULTS_SOURCE,
  entitlementKey,
  entitlementRefs,
  evaluateRules,
  parseRuleSet,
  POLICY_SOURCE,
  type Condition,
  type EntitlementRef,
  type Entitlements,
  type EntitlementSet,
  type EventMode,
  type ResolvedEntitlement,
  type RuleContext,
  type RuleSet,
  type RuleSetInput,
} from './rules.js';
import {
  PLAN_KIND,
  PLAN_VERSION,
  type Cancellation,
  type ChangeNotification,
  type EmployeePlan,
  type NotificationCategory,
  type PlanAction,
  type ProvisioningPlan,
  type Reason,
  type Severity,
  type UserProfile,
  type UserRef,
} from './types.js';
import { addDays, canonicalJson, cmp, sha256Hex, zonedInstant } from './util.js';

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

interface Env {
  rs: RuleSet;
  prevCtx: RuleContext;
  curCtx: RuleContext;
  now: Date;
  accounts: Map<string, ExistingAccount> | null;
  connector: string;
}

interface Cause {
  /** Idempotency scope: an event id, or a semantic id such as `termination:e1:2025-03-31`. */
  key: string;
  eventId: string;
  eventType: string;
}

const ACTIVE_LIKE = new Set(['ACTIVE', 'PENDING', 'LEAVE']);

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
const eventRank = (t: string): number => {
  const i = EVENT_ORDER.indexOf(t as EmployeeChangeType);
  return i < 0 ? EVENT_ORDER.length : i;
};

export function idempotencyKey(causeKey: string, type: string, target: string): string {
  return `ik_${sha256Hex(canonicalJson([causeKey, type, target])).slice(0, 32)}`;
}

export function computePlanId(plan: Omit<ProvisioningPlan, 'planId'> & { planId?: string }): string {
  const { planId: _ignored, ...content } = plan;
  return `plan_${sha256Hex(canonicalJson(content)).slice(0, 24)}`;
}

// ---------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------

export function userProfile(e: Employee, ctx: RuleContext): UserProfile {
  const groups = e.groupIds.map((id) => ({ id, g: ctx.groupsById.get(id) }));
  const dept = groups.find((x) => x.g?.type === 'DEPARTMENT')?.g?.name ?? null;
  const manager = e.managerId ? ctx.employeesById.get(e.managerId) : undefined;
  return {
    employeeId: e.id,
    employeeNumber: e.employeeNumber,
    email: e.workEmail,
    personalEmail: e.personalEmail,
    firstName: e.firstName,
    lastName: e.lastName,
    displayName: e.displayName,
    title: e.jobTitle,
    managerId: e.managerId,
    managerEmail: manager?.workEmail ?? null,
    department: dept,
    groups: groups.map((x) => x.g?.name ?? x.id).sort(cmp),
    location: e.locationId ? (ctx.locationsById.get(e.locationId)?.name ?? e.locationId) : null,
    employmentType: e.employmentType,
    startDate: e.startDate,
  };
}

const PROFILE_FIELDS: Array<keyof UserProfile> = [
  'employeeNumber',
  'email',
  'personalEmail',
  'firstName',
  'lastName',
  'displayName',
  'title',
  'managerId',
  'managerEmail',
  'department',
  'groups',
  'location',
  'employmentType',
  'startDate',
];

function profileChanges(before: UserProfile, after: UserProfile): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of PROFILE_FIELDS) {
    if (!sameJson(before[f], after[f])) out.push({ field: f, before: before[f], after: after[f] });
  }
  return out;
}

/** `canonicalJson(a) === canonicalJson(b)`, without serializing scalars and flat arrays (the common case). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return canonicalJson(a) === canonicalJson(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  return canonicalJson(a) === canonicalJson(b);
}

/** Same entitlements, from the same rules, in the same order. */
function sameEntitlements(a: ResolvedEntitlement[], b: ResolvedEntitlement[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.type !== y.type || x.value !== y.value || x.ruleIds.length !== y.ruleIds.length) return false;
    for (let j = 0; j < x.ruleIds.length; j++) if (x.ruleIds[j] !== y.ruleIds[j]) return false;
  }
  return true;
}

function userRef(e: Employee): UserRef {
  return { employeeId: e.id, email: e.workEmail, displayName: e.displayName };
}

// ---------------------------------------------------------------------------------------------
// Entitlement deltas
// ---------------------------------------------------------------------------------------------

interface Delta {
  grants: Array<ResolvedEntitlement & { replaces?: string }>;
  revokes: ResolvedEntitlement[];
}

function actualRefs(actual: Entitlements): EntitlementRef[] {
  const out: EntitlementRef[] = [];
  if (actual.role) out.push({ type: 'role', value: actual.role });
  for (const v of actual.licenses ?? []) out.push({ type: 'license', value: v });
  for (const v of actual.groups ?? []) out.push({ type: 'group', value: v });
  for (const v of actual.permissions ?? []) out.push({ type: 'permission', value: v });
  return out;
}

/**
 * What to grant and revoke going from `prev` to `cur` (rule results). With the account's actual
 * entitlements known, grants skip what it already has and revokes only touch what it has;
 * entitlements granted by hand (never produced by a rule) are left alone.
 */
function entitlementDelta(prev: EntitlementSet | null, cur: EntitlementSet | null, actual?: Entitlements): Delta {
  const prevRefs = new Map(entitlementRefs(prev).filter((r) => r.type !== 'role').map((r) => [entitlementKey(r), r]));
  const curRefs = new Map(entitlementRefs(cur).filter((r) => r.type !== 'role').map((r) => [entitlementKey(r), r]));
  const has = actual ? new Set(actualRefs(actual).map(entitlementKey)) : null;
  const grants: Delta['grants'] = [];
  const revokes: Delta['revokes'] = [];

  const curRole = cur?.role ?? null;
  const prevRole = prev?.role ?? null;
  const baseRole = actual ? (actual.role ?? null) : (prevRole?.value ?? null);
  if (curRole && curRole.value !== baseRole) {
    grants.push({ type: 'role', value: curRole.value, ruleIds: [curRole.ruleId], ...(baseRole ? { replaces: baseRole } : {}) });
  } else if (!curRole && prevRole && (actual ? actual.role === prevRole.value : true)) {
    revokes.push({ type: 'role', value: prevRole.value, ruleIds: [prevRole.ruleId] });
  }
  for (const [k, r] of prevRefs) if (!curRefs.has(k) && (!has || has.has(k))) revokes.push(r);
  for (const [k, r] of curRefs) if (has ? !has.has(k) : !prevRefs.has(k)) grants.push(r);
  return { grants, revokes };
}

function entitlementSetFromActual(actual: Entitlements): EntitlementSet {
  const refs = actualRefs(actual);
  return {
    source: 'rules',
    matchedRuleIds: [],
    role: actual.role ? { value: actual.role, ruleId: '$account' } : null,
    items: refs.filter((r) => r.type !== 'role').map((r) => ({ ...r, ruleIds: ['$account'] })),
    roleConflict: null,
  };
}

const refText = (r: EntitlementRef): string => `${r.type}:${r.value}`;

// ---------------------------------------------------------------------------------------------
// Per-employee builder
// ---------------------------------------------------------------------------------------------

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ActionBody = DistributiveOmit<PlanAction, 'idempotencyKey' | 'employeeId' | 'user' | 'reason' | 'notBefore' | 'dependsOn'>;

class Builder {
  readonly actions: PlanAction[] = [];
  constructor(
    readonly env: Env,
    readonly emp: Employee,
  ) {}

  add(body: ActionBody, cause: Cause, opts: { ruleIds?: string[]; text: string; notBefore?: string | undefined; dependsOn?: Array<string | undefined> }): string {
    const key = idempotencyKey(cause.key, body.type, body.target);
    if (this.actions.some((a) => a.idempotencyKey === key)) return key;
    const reason: Reason = { eventId: cause.eventId, eventType: cause.eventType, ruleIds: opts.ruleIds ?? [POLICY_SOURCE], text: opts.text };
    const deps = [...new Set((opts.dependsOn ?? []).filter((d): d is string => !!d && d !== key))];
    const { type, ...rest } = body;
    const action = {
      type,
      idempotencyKey: key,
      employeeId: this.emp.id,
      ...rest,
      user: userRef(this.emp),
      reason,
      ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
      dependsOn: deps,
    } as PlanAction;
    this.actions.push(action);
    return key;
  }

  notify(
    category: NotificationCategory,
    severity: Severity,
    cause: Cause,
    summary: string,
    opts: { granted?: EntitlementRef[]; revoked?: EntitlementRef[]; details?: string[]; notBefore?: string | undefined; dependsOn?: Array<string | undefined>; effectiveAt?: string | null },
  ): string {
    const e = this.emp;
    const profile = userProfile(e, this.env.curCtx);
    const notification: ChangeNotification = {
      kind: 'change',
      category,
      severity,
      employee: { id: e.id, displayName: e.displayName, email: e.workEmail, title: e.jobTitle, department: profile.department },
      eventId: cause.eventId,
      eventType: cause.eventType,
      summary,
      granted: (opts.granted ?? []).map(({ type, value }) => ({ type, value })),
      revoked: (opts.revoked ?? []).map(({ type, value }) => ({ type, value })),
      effectiveAt: opts.effectiveAt !== undefined ? opts.effectiveAt : (opts.notBefore ?? null),
      details: opts.details ?? [],
      recipients: [...this.env.rs.policy.notifications.recipients],
    };
    return this.add({ type: 'notify', target: `${e.id}/notify:${category}`, notification }, cause, {
      text: summary,
      notBefore: opts.notBefore,
      dependsOn: opts.dependsOn ?? [],
    });
  }

  /** Grants and revokes for a delta; returns the keys. Revokes first (least privilege in between). */
  applyDelta(delta: Delta, cause: Cause, notBefore: string | undefined, dependsOn: Array<string | undefined>, revokeWhy?: string): string[] {
    const keys: string[] = [];
    const id = this.emp.id;
    for (const r of delta.revokes) {
      keys.push(
        this.add({ type: 'revoke', target: `${id}/${refText(r)}`, entitlement: { type: r.type, value: r.value } }, cause, {
          ruleIds: r.ruleIds,
          text: `revoke ${refText(r)} (${revokeWhy ?? 'no longer granted'}; was from ${r.ruleIds.join(', ')})`,
          notBefore,
          dependsOn,
        }),
      );
    }
    for (const g of delta.grants) {
      keys.push(
        this.add(
          { type: 'grant', target: `${id}/${refText(g)}`, entitlement: { type: g.type, value: g.value }, ...(g.replaces ? { replaces: g.replaces } : {}) },
          cause,
          {
            ruleIds: g.ruleIds,
            text: `grant ${refText(g)}${g.replaces ? ` (replaces role ${g.replaces})` : ''} from ${g.ruleIds.map((r) => (r === DEFAULTS_SOURCE ? 'default entitlements' : `rule ${r}`)).join(', ')}`,
            notBefore,
            dependsOn,
          },
        ),
      );
    }
    return keys;
  }
}

// ---------------------------------------------------------------------------------------------
// Planner
// ---------------------------------------------------------------------------------------------

function normalizeAccounts(input: PlanContext['existingAccounts']): Map<string, ExistingAccount> | null {
  if (!input) return null;
  const out = new Map<string, ExistingAccount>();
  if (Array.isArray(input)) for (const a of input) out.set(a.employeeId, a);
  else for (const [id, a] of Object.entries(input)) out.set(id, { ...a, employeeId: id });
  return out;
}

function modeOf(rs: RuleSet, type: string): EventMode {
  return (rs.policy.events as Record<string, EventMode | undefined>)[type] ?? 'auto';
}

function isNeverTouch(rs: RuleSet, ...emps: Array<Employee | undefined>): boolean {
  const ids = new Set(rs.policy.neverTouch.employeeIds);
  const emails = new Set(rs.policy.neverTouch.emails.map((e) => e.trim().toLowerCase()));
  return emps.some(
    (e) =>
      !!e &&
      (ids.has(e.id) || [e.workEmail, e.personalEmail].some((m) => !!m && emails.has(m.trim().toLowerCase()))),
  );
}

function startInstant(env: Env, e: Employee): string | undefined {
  if (!e.startDate) return undefined;
  const { timezone, hire } = env.rs.policy;
  const at = zonedInstant(e.startDate, timezone, hire.time, -hire.provisionDaysBefore);
  if (e.employmentStatus === 'PENDING' || Date.parse(at) > env.now.getTime()) return at;
  return undefined;
}

function dayStart(env: Env, date: string | null | undefined, endOfDay = false): string | undefined {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  return zonedInstant(date, env.rs.policy.timezone, '00:00', endOfDay ? 1 : 0);
}

/** Involuntary if the event's `terminationType` hint, or the employee's custom field, has one of the configured values. */
export function isInvoluntaryTermination(rs: RuleSet, ev: EmployeeChangeEvent, emp: Employee, prev?: Employee): boolean {
  const cfg = rs.policy.termination.involuntary;
  const hint =
    (ev as { terminationType?: unknown }).terminationType ?? emp.customFields[cfg.field] ?? (prev ? prev.customFields[cfg.field] : undefined);
  if (typeof hint !== 'string') return false;
  const h = hint.trim().toLowerCase();
  return cfg.values.some((v) => v.trim().toLowerCase() === h);
}

const causeOf = (ev: { id: string; type: string }, key = ev.id): Cause => ({ key, eventId: ev.id, eventType: ev.type });

function describe(a: PlanAction): string {
  const when = a.notBefore ? ` (not before ${a.notBefore})` : '';
  switch (a.type) {
    case 'grant':
      return `grant ${refText(a.entitlement)}${a.replaces ? ` replacing role ${a.replaces}` : ''}${when}`;
    case 'revoke':
      return `revoke ${refText(a.entitlement)}${when}`;
    case 'notify':
      return `notify (${a.notification.kind === 'change' ? a.notification.category : a.notification.kind})${when}`;
    case 'updateUser':
      return `updateUser${a.reactivate ? ' (reactivate)' : ''}${a.changes.length ? ` ${a.changes.map((c) => c.field).join(', ')}` : ''}${when}`;
    default:
      return `${a.type}${when}`;
  }
}

/** Onboarding: HIRE, REHIRE, or someone who now matches the rules and has no account. */
function onboard(
  b: Builder,
  cause: Cause,
  opts: {
    rehire: boolean;
    set: EntitlementSet;
    previousSet?: EntitlementSet | null;
    /** Status left UNKNOWN: make sure the account exists (upsert), no welcome. */
    ensure?: boolean;
    /** Identity change: the account is linked to this old employee id. */
    relinkFrom?: string | undefined;
  },
): void {
  const { env, emp } = b;
  const policy = env.rs.policy;
  const at = startInstant(env, emp);
  const acct = env.accounts?.get(emp.id);
  const profile = userProfile(emp, env.curCtx);
  let accountKey: string | undefined;
  let created = false;
  let reactivated = false;
  if (acct?.status === 'active') {
    // already has an account: only fix entitlements
  } else if (acct?.status === 'suspended') {
    accountKey = b.add({ type: 'updateUser', target: `user:${emp.id}:reactivate`, profile, changes: [], reactivate: true }, cause, {
      text: `${cause.eventType}: reactivate the suspended account`,
      notBefore: at,
    });
    reactivated = true;
  } else if (opts.relinkFrom && !acct) {
    accountKey = b.add(
      {
        type: 'updateUser',
        target: `user:${emp.id}:profile`,
        profile,
        changes: [{ field: 'employeeId', before: opts.relinkFrom, after: emp.id }],
        reactivate: opts.rehire,
        previousEmployeeId: opts.relinkFrom,
      },
      cause,
      { text: `${cause.eventType}: relink the account of ${opts.relinkFrom}${opts.rehire ? ' and reactivate it' : ''}`, notBefore: at },
    );
    reactivated = opts.rehire;
  } else {
    accountKey = b.add({ type: 'createUser', target: `user:${emp.id}`, profile, rehire: (opts.rehire || opts.ensure === true) && !acct }, cause, {
      ruleIds: opts.set.matchedRuleIds.length ? opts.set.matchedRuleIds : [POLICY_SOURCE],
      text: opts.ensure
        ? `${cause.eventType}: status no longer UNKNOWN: make sure the account exists (create, or reactivate)`
        : `${cause.eventType}: create the account${at ? ' on the start date' : ''}`,
      notBefore: at,
    });
    created = true;
  }
  const actual = acct && acct.status !== 'deleted' ? acct.entitlements : undefined;
  const prevSet = opts.rehire && actual ? entitlementSetFromActual(actual) : (opts.previousSet ?? null);
  const delta = entitlementDelta(prevSet, opts.set, actual);
  const deltaKeys = b.applyDelta(delta, cause, at, [accountKey]);
  let welcomeKey: string | undefined;
  const welcome = opts.rehire ? policy.rehire.sendWelcome : policy.hire.sendWelcome;
  if ((created || reactivated) && welcome && !opts.ensure) {
    welcomeKey = b.add({ type: 'sendWelcome', target: `user:${emp.id}`, profile }, cause, {
      text: `${cause.eventType}: send the welcome message`,
      notBefore: at,
      dependsOn: [accountKey, ...deltaKeys],
    });
  }
  if (created || reactivated || deltaKeys.length) {
    const category: NotificationCategory = created ? 'account_created' : reactivated ? 'account_reactivated' : 'permissions_changed';
    const verb = opts.ensure
      ? 'status no longer UNKNOWN; account ensured and access granted'
      : created
        ? 'account created'
        : reactivated
          ? 'account reactivated'
          : 'permissions updated';
    b.notify(category, 'info', cause, `${emp.displayName}: ${verb} (${cause.eventType})`, {
      granted: delta.grants,
      revoked: delta.revokes,
      notBefore: at,
      details: opts.set.roleConflict
        ? [`role ${opts.set.roleConflict.chosen.role} from rule ${opts.set.roleConflict.chosen.ruleId} overrides ${opts.set.roleConflict.overridden.map((o) => `${o.role} (${o.ruleId})`).join(', ')}`]
        : [],
      dependsOn: [accountKey, ...deltaKeys, welcomeKey],
    });
  }
}

function terminate(b: Builder, ev: EmployeeChangeEvent, prev: Employee | undefined, scheduled: boolean): void {
  const { env, emp } = b;
  const t = env.rs.policy.termination;
  const acct = env.accounts?.get(emp.id);
  if (acct?.status === 'deleted') return;
  const date = ev.effectiveDate ?? emp.terminationDate ?? null;
  const involuntary = isInvoluntaryTermination(env.rs, ev, emp, prev);
  const immediate = involuntary && t.involuntary.immediate;
  const at = immediate ? undefined : dayStart(env, date, t.effectiveAt === 'end_of_day');
  const cause = causeOf(ev, `termination:${emp.id}:${date ?? ev.id}`);
  let basis = scheduled ? emp : (prev ?? emp);
  // Entitlements to revoke are those the person had while employed.
  if (basis.employmentStatus === 'UNKNOWN' || basis.employmentStatus === 'TERMINATED') basis = { ...basis, employmentStatus: 'ACTIVE' };
  const set = evaluateRules(env.rs, basis, scheduled ? env.curCtx : env.prevCtx);
  const kind = involuntary ? 'involuntary termination' : 'termination';
  const when = at ? `at ${at}` : 'immediately';

  if (scheduled && at) {
    b.notify('deprovision_scheduled', involuntary ? 'critical' : 'info', causeOf(ev), `${emp.displayName}: ${kind} scheduled; access ends ${at}`, {
      effectiveAt: at,
      details: [`policy: ${t.action}${t.action === 'suspend_then_delete' ? ` (delete after ${t.graceDays} days)` : ''}`],
    });
  }

  const revokeKeys: string[] = [];
  const revoked: ResolvedEntitlement[] = [];
  if (t.revokeEntitlements && t.action !== 'delete') {
    const refs = new Map<string, ResolvedEntitlement>();
    for (const r of entitlementRefs(set)) refs.set(entitlementKey(r), r);
    if (acct?.entitlements) for (const r of actualRefs(acct.entitlements)) if (!refs.has(entitlementKey(r))) refs.set(entitlementKey(r), { ...r, ruleIds: ['$account'] });
    revoked.push(...refs.values());
    revokeKeys.push(...b.applyDelta({ grants: [], revokes: revoked }, cause, at, [], kind));
  }
  let suspendKey: string | undefined;
  let deleteKey: string | undefined;
  let deleteAt: string | undefined;
  if (t.action !== 'delete' && acct?.status !== 'suspended') {
    suspendKey = b.add({ type: 'suspendUser', target: `user:${emp.id}` }, cause, {
      text: `${ev.type}: suspend the account ${when} (${kind}; policy ${t.action})`,
      notBefore: at,
      dependsOn: revokeKeys,
    });
  }
  if (t.action === 'delete') {
    deleteKey = b.add({ type: 'deleteUser', target: `user:${emp.id}` }, cause, {
      text: `${ev.type}: delete the account ${when} (${kind}; policy delete)`,
      notBefore: at,
    });
  } else if (t.action === 'suspend_then_delete') {
    deleteAt = addDays(at ?? env.now.toISOString(), t.graceDays);
    deleteKey = b.add({ type: 'deleteUser', target: `user:${emp.id}` }, cause, {
      text: `${ev.type}: delete the account ${t.graceDays} days after suspension`,
      notBefore: deleteAt,
      dependsOn: [suspendKey, ...revokeKeys],
    });
  }
  if (!suspendKey && !deleteKey && !revokeKeys.length) return;
  const did = t.action === 'delete' ? 'account deleted' : `account suspended${revoked.length ? `, ${revoked.length} entitlement(s) revoked` : ''}`;
  b.notify('deprovisioned', involuntary ? 'critical' : 'warning', cause, `${emp.displayName}: ${kind} — ${did}`, {
    revoked,
    notBefore: at,
    details: [
      ...(involuntary ? [`involuntary${immediate ? ': deprovisioned immediately' : ''}`] : []),
      ...(date ? [`termination date ${date}`] : ['no termination date known']),
      ...(deleteAt ? [`account deletion scheduled for ${deleteAt}`] : []),
    ],
    dependsOn: [t.action === 'delete' ? deleteKey : suspendKey, ...revokeKeys],
  });
}

/** Profile sync and entitlement delta after attribute changes (direct or indirect). */
function reconcile(b: Builder, cause: Cause, prev: Employee | undefined, opts: { identity?: EmployeeChangeEvent }): void {
  const { env, emp } = b;
  if (!ACTIVE_LIKE.has(emp.employmentStatus)) return;
  const at = emp.employmentStatus === 'PENDING' ? startInstant(env, emp) : undefined;
  const prevSet = prev ? evaluateRules(env.rs, prev, env.prevCtx) : null;
  const curSet = evaluateRules(env.rs, emp, env.curCtx);
  const acct = env.accounts?.get(emp.id);
  const accountExists = acct ? acct.status !== 'deleted' : prevSet !== null;
  if (!accountExists) {
    if (curSet && prev) onboard(b, cause, { rehire: false, set: curSet });
    return;
  }
  const profile = userProfile(emp, env.curCtx);
  let updateKey: string | undefined;
  const changes = env.rs.policy.profileSync && prev ? profileChanges(userProfile(prev, env.prevCtx), profile) : [];
  const identity = opts.identity;
  if (changes.length || identity) {
    const previousEmployeeId = identity?.previousEmployeeId;
    if (identity && previousEmployeeId && previousEmployeeId !== emp.id) {
      changes.unshift({ field: 'employeeId', before: previousEmployeeId, after: emp.id });
    }
    updateKey = b.add(
      {
        type: 'updateUser',
        target: `user:${emp.id}:profile`,
        profile,
        changes,
        reactivate: false,
        ...(previousEmployeeId ? { previousEmployeeId } : {}),
      },
      cause,
      { text: `${cause.eventType}: update ${changes.map((c) => c.field).join(', ') || 'identity link'}`, notBefore: at },
    );
  }
  const actual = acct && acct.status !== 'deleted' ? acct.entitlements : undefined;
  const delta = prev ? entitlementDelta(prevSet, curSet, actual) : { grants: [], revokes: [] };
  const keys = b.applyDelta(delta, cause, at, [updateKey]);
  if (identity) {
    b.notify('identity_changed', 'warning', cause, `${emp.displayName}: HR record id changed; account relinked`, {
      granted: delta.grants,
      revoked: delta.revokes,
      notBefore: at,
      details: [`previous employee id ${identity.previousEmployeeId ?? '(unknown)'}${identity.matchedOn ? `, matched on ${identity.matchedOn}` : ''}`],
      dependsOn: [updateKey, ...keys],
    });
  } else if (keys.length) {
    b.notify('permissions_changed', 'info', cause, `${emp.displayName}: permissions changed (${cause.eventType})`, {
      granted: delta.grants,
      revoked: delta.revokes,
      notBefore: at,
      details: curSet?.roleConflict
        ? [`role ${curSet.roleConflict.chosen.role} from rule ${curSet.roleConflict.chosen.ruleId} overrides ${curSet.roleConflict.overridden.map((o) => `${o.role} (${o.ruleId})`).join(', ')}`]
        : [],
      dependsOn: keys,
    });
  }
}

function leave(b: Builder, ev: EmployeeChangeEvent): void {
  const { env, emp } = b;
  if (env.rs.policy.leave.action !== 'suspend') return;
  const acct = env.accounts?.get(emp.id);
  if (acct?.status === 'deleted') return;
  const cause = causeOf(ev);
  if (ev.type === 'LEAVE_START') {
    if (acct?.status === 'suspended') return;
    const at = dayStart(env, ev.effectiveDate);
    const k = b.add({ type: 'suspendUser', target: `user:${emp.id}` }, cause, { text: 'LEAVE_START: suspend during leave (policy leave.action = suspend)', notBefore: at });
    b.notify('leave_suspended', 'info', cause, `${emp.displayName}: on leave; account suspended`, { notBefore: at, dependsOn: [k] });
  } else {
    if (acct?.status === 'active') return;
    const at = dayStart(env, ev.effectiveDate);
    const k = b.add(
      { type: 'updateUser', target: `user:${emp.id}:reactivate`, profile: userProfile(emp, env.curCtx), changes: [], reactivate: true },
      cause,
      { text: 'LEAVE_END: reactivate the account (policy leave.action = suspend)', notBefore: at },
    );
    b.notify('account_reactivated', 'info', cause, `${emp.displayName}: back from leave; account reactivated`, { notBefore: at, dependsOn: [k] });
  }
}

function remoteDeleted(b: Builder, ev: EmployeeChangeEvent): void {
  const { env, emp } = b;
  const acct = env.accounts?.get(emp.id);
  if (acct && acct.status !== 'active') return;
  const cause = causeOf(ev);
  const k = b.add({ type: 'suspendUser', target: `user:${emp.id}` }, cause, {
    text: `REMOTE_DELETED: the record disappeared from ${env.connector}; suspend (never delete) until reviewed`,
  });
  b.notify('suspended_remote_deleted', 'warning', cause, `${emp.displayName}: record deleted in ${env.connector}; account suspended pending review`, {
    details: ['orgsync never deletes an account because its HR record disappeared; review and delete by hand if intended'],
    dependsOn: [k],
  });
}

/** A pending hire whose start date moved (or who will not start any more). */
function hireMoved(prev: Employee, emp: Employee): boolean {
  return prev.employmentStatus === 'PENDING' && !!prev.startDate && emp.startDate !== prev.startDate;
}

function hireWithdrawn(prev: Employee, emp: Employee, events: EmployeeChangeEvent[]): boolean {
  return (
    prev.employmentStatus === 'PENDING' &&
    !!prev.startDate &&
    (hireMoved(prev, emp) || !ACTIVE_LIKE.has(emp.employmentStatus) || events.some((e) => e.type === 'REMOTE_DELETED'))
  );
}

/** A scheduled termination whose date moved or was removed while the person is still employed (or just terminated on another date). */
function terminationMoved(prev: Employee, emp: Employee): boolean {
  return !!prev.terminationDate && prev.employmentStatus !== 'TERMINATED' && emp.terminationDate !== prev.terminationDate;
}

function terminationCalledOff(prev: Employee, emp: Employee): boolean {
  return terminationMoved(prev, emp) && !emp.terminationDate && emp.employmentStatus !== 'TERMINATED';
}

/**
 * Scheduled actions of earlier plans that this change supersedes. Their keys are recomputed from
 * the previous record (same cause keys as when they were planned), so `applyPlan` can mark them
 * canceled in the journal before their date comes.
 */
function cancellations(env: Env, emp: Employee, prev: Employee | undefined, events: EmployeeChangeEvent[]): Cancellation[] {
  if (!prev) return [];
  const out: Cancellation[] = [];
  const first = events[0]!;
  const push = (actions: PlanAction[], text: string): void => {
    for (const a of actions) {
      if (a.type === 'notify' && a.notification.kind === 'change' && a.notification.category === 'deprovision_scheduled') continue;
      out.push({
        idempotencyKey: a.idempotencyKey,
        employeeId: emp.id,
        type: a.type,
        target: a.target,
        reason: { eventId: first.id, eventType: first.type, ruleIds: [POLICY_SOURCE], text },
      });
    }
  };
  if (hireWithdrawn(prev, emp, events)) {
    const set = evaluateRules(env.rs, prev, env.prevCtx);
    if (set) {
      const text = emp.startDate && emp.startDate !== prev.startDate ? `start date moved from ${prev.startDate} to ${emp.startDate}` : `hire starting ${prev.startDate} withdrawn`;
      for (const kind of ['hire', 'rehire'] as const) {
        const sb = new Builder(env, prev);
        onboard(sb, { key: `${kind}:${prev.id}:${prev.startDate}`, eventId: first.id, eventType: first.type }, { rehire: kind === 'rehire', set });
        push(sb.actions, text);
      }
    }
  }
  if (terminationMoved(prev, emp)) {
    const sb = new Builder(env, prev);
    const fake: EmployeeChangeEvent = { id: first.id, kind: 'employee', type: 'TERMINATION_SCHEDULED', employeeId: prev.id, employee: prev, changes: [], effectiveDate: prev.terminationDate };
    terminate(sb, fake, prev, true);
    push(sb.actions, emp.terminationDate ? `termination date moved from ${prev.terminationDate} to ${emp.terminationDate}` : `termination on ${prev.terminationDate} called off`);
  }
  return out;
}

/** Actions for one person's events (all of one mode). */
function buildForEvents(env: Env, events: EmployeeChangeEvent[], emp: Employee, prev: Employee | undefined, allEvents: EmployeeChangeEvent[] = events): PlanAction[] {
  const b = new Builder(env, emp);
  if (!events.length) return b.actions;
  const find = (t: EmployeeChangeType): EmployeeChangeEvent | undefined => events.find((e) => e.type === t);
  const rd = find('REMOTE_DELETED');
  if (rd) {
    remoteDeleted(b, rd);
    return b.actions;
  }
  const term = find('TERMINATION');
  if (term) {
    terminate(b, term, prev, false);
    return b.actions;
  }
  const hire = find('REHIRE') ?? find('HIRE');
  const identity = find('IDENTITY_CHANGE');
  const primary = events.find((e) => e.type !== 'TERMINATION_SCHEDULED' && e.type !== 'LEAVE_START' && e.type !== 'LEAVE_END') ?? events[0]!;
  if (hire) {
    if (emp.employmentStatus !== 'TERMINATED') {
      const set = evaluateRules(env.rs, emp, env.curCtx);
      const rehire = hire.type === 'REHIRE';
      if (set) {
        onboard(b, causeOf(hire, `${rehire ? 'rehire' : 'hire'}:${emp.id}:${emp.startDate ?? hire.id}`), { rehire, set, relinkFrom: identity?.previousEmployeeId });
      }
    }
  } else if (prev && emp.employmentStatus === 'TERMINATED' && prev.employmentStatus !== 'TERMINATED' && !allEvents.some((e) => e.type === 'TERMINATION')) {
    // Terminated without a TERMINATION event (e.g. UNKNOWN -> TERMINATED is a PROFILE_UPDATE): deprovision all the same.
    terminate(b, primary, prev, false);
    return b.actions;
  } else if (prev && prev.employmentStatus === 'UNKNOWN' && ACTIVE_LIKE.has(emp.employmentStatus)) {
    // Leaving UNKNOWN: nothing was done while UNKNOWN, so make sure the account and access are there.
    const set = evaluateRules(env.rs, emp, env.curCtx);
    if (set) onboard(b, causeOf(primary), { rehire: false, ensure: true, set });
  } else if (prev && hireMoved(prev, emp) && ACTIVE_LIKE.has(emp.employmentStatus)) {
    // The start date of a pending hire moved: the earlier plan's actions are canceled (see cancellations); plan them anew.
    const set = evaluateRules(env.rs, emp, env.curCtx);
    if (set) onboard(b, causeOf(primary, `hire:${emp.id}:${emp.startDate ?? primary.id}`), { rehire: false, set });
  } else {
    for (const ev of events) if (ev.type === 'LEAVE_START' || ev.type === 'LEAVE_END') leave(b, ev);
    reconcile(b, causeOf(primary), prev, identity ? { identity } : {});
  }
  if (prev && terminationCalledOff(prev, emp)) {
    b.notify('deprovision_canceled', 'info', causeOf(primary), `${emp.displayName}: scheduled termination on ${prev.terminationDate} called off; scheduled deprovisioning canceled`, {
      details: ['the termination date was removed in the HR system'],
    });
  }
  const sched = find('TERMINATION_SCHEDULED');
  if (sched) terminate(b, sched, prev, true);
  return b.actions;
}

/** Replace planned actions with one notification (break-glass, UNKNOWN status, manual mode). */
function replaceWithNotice(
  env: Env,
  emp: Employee,
  actions: PlanAction[],
  cause: Cause,
  category: NotificationCategory,
  summary: string,
  extra: string[] = [],
): PlanAction[] {
  if (!actions.length) return [];
  const b = new Builder(env, emp);
  b.notify(category, 'warning', cause, summary, {
    details: [...extra, ...actions.filter((a) => a.type !== 'notify' || a.notification.kind !== 'change' || a.notification.category !== category).map((a) => `would have: ${describe(a)}`)],
  });
  return b.actions;
}

function guard(env: Env, emp: Employee, prev: Employee | undefined, actions: PlanAction[], cause: Cause): PlanAction[] {
  if (!actions.length) return actions;
  if (isNeverTouch(env.rs, emp, prev)) {
    return replaceWithNotice(env, emp, actions, cause, 'skipped_break_glass', `${emp.displayName}: on the never-touch (break-glass) list; skipped`);
  }
  return actions;
}

/**
 * UNKNOWN status: nothing is provisioned or deprovisioned. IT is told when the person's events
 * would otherwise have done something (planned as if the status were still the previous one, or
 * ACTIVE), or when the status has just become UNKNOWN.
 */
function unknownStatus(env: Env, emp: Employee, prev: Employee | undefined, events: EmployeeChangeEvent[]): PlanAction[] {
  const relevant = events.filter((e) => modeOf(env.rs, e.type) !== 'ignore');
  if (!relevant.length) return [];
  const assumed = prev && prev.employmentStatus !== 'UNKNOWN' ? prev.employmentStatus : 'ACTIVE';
  const stand = { ...emp, employmentStatus: assumed };
  const prevStand = prev && prev.employmentStatus === 'UNKNOWN' ? { ...prev, employmentStatus: assumed } : prev;
  const would = buildForEvents(env, relevant.map((e) => ({ ...e, employee: stand, ...(prevStand ? { previous: prevStand } : {}) })), stand, prevStand);
  const justBecame = !!prev && prev.employmentStatus !== 'UNKNOWN';
  if (!would.length && !justBecame) return [];
  const b = new Builder(env, emp);
  b.notify(
    'skipped_unknown_status',
    'warning',
    causeOf(relevant[0]!),
    `${emp.displayName}: employment status UNKNOWN (vendor value: ${emp.employmentStatusRaw ?? 'none'}); nothing provisioned or deprovisioned`,
    {
      details: [
        ...(justBecame ? [`status changed from ${prev!.employmentStatus} to UNKNOWN`] : []),
        ...would.filter((a) => a.type !== 'notify').map((a) => `would have: ${describe(a)}`),
      ],
    },
  );
  return b.actions;
}

function planEmployee(env: Env, events: EmployeeChangeEvent[]): PlanAction[] {
  const sorted = [...events].sort((a, b) => eventRank(a.type) - eventRank(b.type) || cmp(a.id, b.id));
  const prev = sorted.find((e) => e.previous)?.previous;
  // Attributes the vendor stopped sending along with a status change (BambooHR's type on leave) keep
  // their last known value: going on leave never clears an attribute or revokes what depends on it.
  const emp = prev ? withFieldsKeptAcrossStatus(prev, sorted[0]!.employee) : sorted[0]!.employee;
  if (emp.employmentStatus === 'UNKNOWN') return isNeverTouch(env.rs, emp, prev) ? [] : unknownStatus(env, emp, prev, sorted);
  const auto = sorted.filter((e) => modeOf(env.rs, e.type) === 'auto');
  const manual = sorted.filter((e) => modeOf(env.rs, e.type) === 'notify');
  const actions = buildForEvents(env, auto, emp, prev, sorted);
  if (manual.length) {
    // What `auto` would do for these events (on top of what is done automatically), as a to-do for IT.
    const would = buildForEvents(env, manual, emp, prev).filter((a) => !actions.some((x) => x.idempotencyKey === a.idempotencyKey));
    actions.push(
      ...replaceWithNotice(env, emp, would, causeOf(manual[0]!), 'manual_action_required', `${emp.displayName}: ${manual.map((e) => e.type).join(', ')} needs manual action`),
    );
  }
  return guard(env, emp, prev, actions, causeOf(sorted[0]!));
}

/** A change that can cause indirect effects (a group event, or an employee event of a manager above). */
type IndirectCause = { id: string; type: string };

/**
 * Spread causes down a graph (`below(id)`: the ids directly under `id`), each id reached getting
 * the cause with the smallest event id among the sources above it (`self`: a source reaches
 * itself too). Sources are visited in event-id order and a node reached once is final (everything
 * under it was reached then too), so this is linear in the graph whatever its depth, and
 * cycle-safe. `deep: false`: one level only.
 */
function spreadDown(
  sources: Array<[string, IndirectCause]>,
  below: (id: string) => Iterable<string> | undefined,
  opts: { deep: boolean; self: boolean },
): Map<string, IndirectCause> {
  const out = new Map<string, IndirectCause>();
  const done = new Set<string>();
  for (const [src, cause] of [...sources].sort((a, b) => cmp(a[1].id, b[1].id))) {
    if (done.has(src)) continue; // it and everything under it already have a smaller cause
    let stack: string[];
    if (opts.self) stack = [src];
    else {
      done.add(src);
      stack = [...(below(src) ?? [])];
    }
    while (stack.length) {
      const id = stack.pop()!;
      if (!out.has(id)) out.set(id, cause);
      if (done.has(id) || (!opts.deep && id !== src)) continue;
      done.add(id);
      for (const c of below(id) ?? []) stack.push(c);
    }
  }
  return out;
}

/** Add `v` to the set at `k` of a map of sets. */
function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

/**
 * Indirect effects: people without an event of their own whose entitlements or profile changed
 * because one of their groups (or an ancestor group) changed, or a manager above them changed.
 * Only people below a changed group or manager are evaluated, and who is below what is computed
 * once for the two snapshots (linear in the org size, whatever the depth of reporting lines).
 */
function planIndirect(env: Env, previous: OrgSnapshot, current: OrgSnapshot, direct: Set<string>, groupEvents: GroupChangeEvent[], empEvents: Map<string, EmployeeChangeEvent[]>): Map<string, PlanAction[]> {
  const out = new Map<string, PlanAction[]>();
  const prevById = new Map(previous.employees.map((e) => [e.id, e]));
  const usable = (c: IndirectCause) => modeOf(env.rs, c.type) !== 'ignore';

  // Groups under a changed group (either snapshot's hierarchy, the group itself included).
  const children = new Map<string, Set<string>>();
  for (const gs of [previous.groups, current.groups]) for (const g of gs) if (g.parentId) addTo(children, g.parentId, g.id);
  const groupsBelow = (sources: GroupChangeEvent[]) =>
    spreadDown(sources.map((ge) => [ge.groupId, ge]), (id) => children.get(id), { deep: true, self: true });
  // Any group event (even an ignored one) decides that group causes explain the change; the smallest usable one is named.
  const groupHit = groupsBelow(groupEvents);
  const groupCause = groupsBelow(groupEvents.filter(usable));

  // People under a manager with events (either snapshot's reporting lines).
  const reports = new Map<string, Set<string>>();
  for (const es of [previous.employees, current.employees]) for (const e of es) if (e.managerId) addTo(reports, e.managerId, e.id);
  // Without `reportsTo` rules a manager's change can only matter to direct reports (`manager` attribute, managerEmail).
  const deep = env.rs.rules.some((r) => r.enabled && usesAttribute(r.when, 'reportsTo'));
  const sources: Array<[string, IndirectCause]> = [];
  for (const [mid, evs] of empEvents) {
    const first = evs.filter(usable).sort((a, b) => cmp(a.id, b.id))[0];
    if (first) sources.push([mid, first]);
  }
  const managerCause = spreadDown(sources, (id) => reports.get(id), { deep, self: false });
  if (!groupHit.size && !managerCause.size) return out;

  for (const emp of [...current.employees].sort((a, b) => cmp(a.id, b.id))) {
    if (direct.has(emp.id)) continue;
    const prev = prevById.get(emp.id);
    if (!prev || !ACTIVE_LIKE.has(emp.employmentStatus)) continue;
    // Attribute to a cause in this change set: a change of one of their groups (or ancestors), else of a manager up the chain.
    let c: IndirectCause | undefined;
    let byGroup = false;
    for (const gid of [...prev.groupIds, ...emp.groupIds]) {
      if (!groupHit.has(gid)) continue;
      byGroup = true;
      const g = groupCause.get(gid);
      if (g && (!c || cmp(g.id, c.id) < 0)) c = g;
    }
    if (!byGroup) c = managerCause.get(emp.id);
    if (!c) continue;

    const before = evaluateRules(env.rs, prev, env.prevCtx);
    const after = evaluateRules(env.rs, emp, env.curCtx);
    const entChanged = !sameEntitlements(entitlementRefs(before), entitlementRefs(after));
    const profChanged =
      env.rs.policy.profileSync && profileChanges(userProfile(prev, env.prevCtx), userProfile(emp, env.curCtx)).length > 0;
    if (!entChanged && !profChanged) continue;
    const cause: Cause = { key: `${c.id}:${emp.id}`, eventId: c.id, eventType: c.type };
    const b = new Builder(env, emp);
    reconcile(b, cause, prev, {});
    let actions = b.actions;
    if (modeOf(env.rs, c.type) === 'notify') {
      actions = replaceWithNotice(env, emp, actions, cause, 'manual_action_required', `${emp.displayName}: ${c.type} changes this person's access; needs manual action`);
    }
    actions = guard(env, emp, prev, actions, cause);
    if (actions.length) out.set(emp.id, actions);
  }
  return out;
}

function usesAttribute(c: Condition, attr: string): boolean {
  if ('all' in c) return c.all.some((x) => usesAttribute(x, attr));
  if ('any' in c) return c.any.some((x) => usesAttribute(x, attr));
  if ('not' in c) return usesAttribute(c.not, attr);
  return c.attribute === attr;
}

function countActive(s: OrgSnapshot): number {
  return s.employees.filter((e) => e.employmentStatus === 'ACTIVE').length;
}

/**
 * Plan the provisioning actions for a set of change events. Deterministic: the same events (in any
 * order), rule set and context give byte-identical JSON and the same `planId`.
 */
export function planProvisioning(changes: ChangeEvent[], rules: RuleSet | RuleSetInput, context: PlanContext): ProvisioningPlan {
  const rs = parseRuleSet(rules);
  if (!context || !context.current) throw new ValidationError({ message: 'planProvisioning needs context.current (the snapshot the changes lead to)', code: 'plan_context_invalid' });
  const bad: string[] = [];
  changes.forEach((c, i) => {
    const r = ChangeEventSchema.safeParse(c);
    if (!r.success) bad.push(...r.error.issues.map((x) => `changes[${i}].${x.path.join('.')}: ${x.message}`));
  });
  if (bad.length) throw new ValidationError({ message: `invalid change events: ${bad.slice(0, 3).join('; ')}`, issues: bad, code: 'change_events_invalid' });

  const curCtx = createRuleContext(context.current);
  const env: Env = {
    rs,
    curCtx,
    prevCtx: context.previous ? createRuleContext(context.previous) : curCtx,
    now: context.now ?? new Date(),
    accounts: normalizeAccounts(context.existingAccounts),
    connector: context.current.connector,
  };

  const byEmployee = new Map<string, EmployeeChangeEvent[]>();
  const groupEvents: GroupChangeEvent[] = [];
  for (const c of changes) {
    if (c.kind === 'employee') byEmployee.set(c.employeeId, [...(byEmployee.get(c.employeeId) ?? []), c]);
    else groupEvents.push(c);
  }

  const perEmployee = new Map<string, PlanAction[]>();
  const cancels: Cancellation[] = [];
  for (const [id, evs] of byEmployee) {
    const acts = planEmployee(env, evs);
    if (acts.length) perEmployee.set(id, acts);
    const sorted = [...evs].sort((a, b) => eventRank(a.type) - eventRank(b.type) || cmp(a.id, b.id));
    cancels.push(...cancellations(env, sorted[0]!.employee, sorted.find((e) => e.previous)?.previous, sorted));
  }
  if (context.previous) {
    for (const [id, acts] of planIndirect(env, context.previous, context.current, new Set(byEmployee.keys()), groupEvents, byEmployee)) perEmployee.set(id, acts);
  }

  const seen = new Set<string>();
  const employees: EmployeePlan[] = [];
  for (const id of [...perEmployee.keys()].sort(cmp)) {
    const actions = perEmployee.get(id)!.filter((a) => (seen.has(a.idempotencyKey) ? false : (seen.add(a.idempotencyKey), true)));
    const u = actions[0]!.user!;
    employees.push({ employeeId: id, displayName: u.displayName, email: u.email, actions });
  }

  // Denominator for the deprovisioning threshold: active people before the change.
  let activeEmployees: number;
  if (context.previous) activeEmployees = Math.max(countActive(context.previous), countActive(context.current));
  else {
    const leaving = changes.filter(
      (c) => c.kind === 'employee' && (c.type === 'TERMINATION' || c.type === 'REMOTE_DELETED') && (c.previous ?? c.employee).employmentStatus === 'ACTIVE',
    ).length;
    activeEmployees = countActive(context.current) + leaving;
  }
  const accounts = env.accounts ? [...env.accounts.values()].filter((a) => a.status !== 'deleted').length : null;
  const n = rs.policy.notifications;

  const content: Omit<ProvisioningPlan, 'planId'> = {
    kind: PLAN_KIND,
    version: PLAN_VERSION,
    ruleSet: { id: rs.id ?? null, name: rs.name ?? null, hash: sha256Hex(canonicalJson(withoutChannels(rs))).slice(0, 16) },
    source: { connector: context.current.connector, takenAt: context.current.takenAt, previousTakenAt: context.previous?.takenAt ?? null },
    settings: {
      thresholds: rs.policy.thresholds,
      notifications: { mode: n.mode, recipients: [...n.recipients], alertRecipients: [...(n.alertRecipients ?? n.recipients)] },
    },
    stats: {
      events: changes.length,
      activeEmployees,
      accounts,
      employees: employees.length,
      actions: employees.reduce((s, e) => s + e.actions.length, 0),
    },
    employees,
    cancels: cancels
      // not already an action of this plan, and each once
      .filter((c) => (seen.has(c.idempotencyKey) ? false : (seen.add(c.idempotencyKey), true)))
      .sort((a, b) => cmp(a.employeeId, b.employeeId) || cmp(a.idempotencyKey, b.idempotencyKey)),
  };
  const planId = computePlanId(content);
  const { kind, version, ...rest } = content;
  return { kind, version, planId, ...rest };
}

/** Alert channels are delivery settings, not what the plan does: they leave the rule set hash (and planId) alone. */
function withoutChannels(rs: RuleSet): unknown {
  const { channels: _channels, ...notifications } = rs.policy.notifications;
  return { ...rs, policy: { ...rs.policy, notifications } };
}

/** All actions of a plan, in plan order. */
export function planActions(plan: ProvisioningPlan): PlanAction[] {
  return plan.employees.flatMap((e) => e.actions);
}

export { describe as describeAction };
