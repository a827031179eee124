/**
 * Pure mapping from Workday's Get_Workers wire format to the orgsync model. No I/O here.
 *
 * Two steps: `digestWorker` turns one validated `wd:Worker` (schemas.ts) into a compact
 * `WorkerRow` holding exactly what orgsync reads (this is the row the runtime keeps, ~1 KB instead
 * of ~12 KB of parsed XML per worker, and what `includeRemoteData` shows); `mapWorker` turns a
 * `WorkerRow` into an employee.
 *
 * Quirks handled:
 * - Prefixes vary (`wd:`, `bsvc:`, a default namespace): elements are read by namespace (xml.ts).
 * - Repeated elements come back as one element when there is only one (one email vs several,
 *   one ID vs several): `many()` in schemas.ts always yields arrays.
 * - Booleans are `1`/`0` or `true`/`false` (elements and attributes alike): `bool()`.
 * - Dates carry a zone offset (`2024-05-31-07:00`); the calendar date is kept as written.
 * - References hold several IDs (`WID`, `Employee_ID`, `Location_ID`, ...): ids prefer the WID
 *   (it never changes), then the type-specific reference ID.
 * - The primary job is `Worker_Job_Data[@Primary_Job=1]` (v30+), else the first job; the pre-v30
 *   `Employment_Data/Position_Data` layout is read too.
 * - An email's usage is `Usage_Data/Type_Data/Type_Reference/ID[@type=Communication_Usage_Type_ID]`
 *   (`WORK`, `HOME`); the primary one of a usage wins, else the first.
 * - Future-dated hires have `Active=0` until their hire date: PENDING, never TERMINATED.
 * - A termination dated after the as-of date (Terminated=1 with a future Termination_Date, or a
 *   future Termination_Date on an active worker) is scheduled: still ACTIVE, `terminationDate` set.
 * - Rehires keep the old `Termination_Date`: a termination before the current hire date is not reported.
 * - The manager comes from the supervisory management chain (Workday lists it top-down: the
 *   nearest organization whose manager is not the worker), else from
 *   `Manager_as_of_last_detected_manager_change_Reference`; a worker is never their own manager.
 * - Worker type and time type ids are tenant-configurable (UNCONFIRMED values): matched loosely,
 *   unknown combinations fall back to OTHER with the raw value kept.
 * - Organization types: SUPERVISORY → DEPARTMENT, COST_CENTER → COST_CENTER, COMPANY and
 *   BUSINESS_UNIT → BUSINESS_UNIT, TEAM/MATRIX → TEAM, anything else → OTHER (raw type kept).
 */
import type {
  Address,
  Company,
  EmploymentStatus,
  EmploymentType,
  Group,
  GroupType,
  Location,
} from '../../src/model.js';
import type { EmployeeDraft, ManagerRef } from '../../src/connector/define.js';
import { bool, email, isoDate, text } from '../../src/connector/map-helpers.js';
import type { WdAddress, WdChainLink, WdJob, WdOrgMembership, WdRef, WdStatus, WdWorker } from './schemas.js';

export interface WorkdayMapContext {
  tenant: string;
  /** The as-of date (YYYY-MM-DD) statuses are judged against: the request's As_Of_Effective_Date. */
  today: string;
}

// ---------------------------------------------------------------------------------------------
// The compact worker row

export interface PersonRef {
  /** WID, when the reference carries one. */
  wid: string | null;
  /** Employee_ID or Contingent_Worker_ID. */
  number: string | null;
}

export interface NameParts {
  first: string | null;
  middle: string | null;
  last: string | null;
  formatted: string | null;
}

export interface WorkerOrg {
  id: string;
  name: string;
  type: GroupType;
  /** Workday's organization type id (e.g. `SUPERVISORY`), or null when the response names none. */
  typeRaw: string | null;
}

export interface WorkerRow {
  /** The WID. */
  id: string;
  employeeId: string | null;
  contingentWorkerId: string | null;
  workerId: string | null;
  userId: string | null;
  descriptor: string | null;
  legalName: NameParts | null;
  preferredName: NameParts | null;
  /** One entry per email and usage type. */
  emails: Array<{ address: string; usage: string; primary: boolean }>;
  job: {
    positionId: string | null;
    positionTitle: string | null;
    businessTitle: string | null;
    startDate: string | null;
    /** `Employee_Type_ID` or `Contingent_Worker_Type_ID`, with its value. */
    workerType: { idType: string | null; id: string | null; descriptor: string | null } | null;
    timeType: { id: string | null; descriptor: string | null } | null;
    jobProfileName: string | null;
    managerAsOfLastChange: PersonRef[];
  } | null;
  location: Location | null;
  /** `Worker_Status_Data` values as sent (booleans and dates as strings). */
  status: {
    active: string | null;
    terminated: string | null;
    hireRescinded: string | null;
    hireDate: string | null;
    originalHireDate: string | null;
    firstDayOfWork: string | null;
    terminationDate: string | null;
    leaves: Array<{ onLeave: string | null; start: string | null; end: string | null }>;
  } | null;
  organizations: WorkerOrg[];
  /** The supervisory management chain, top-down. */
  managementChain: Array<{ orgId: string | null; orgName: string | null; managers: PersonRef[] }>;
}

// ---------------------------------------------------------------------------------------------
// References

/** The value of the reference's ID of `type`, or null. */
export function idOfType(ref: WdRef | undefined, type: string): string | null {
  if (!ref) return null;
  for (const id of ref.ID) if (id['@type'] === type && text(id['#text'])) return text(id['#text']);
  return null;
}

/** A stable id for a reference: its WID, else the first of `types` present, else any ID. */
export function refId(ref: WdRef | undefined, types: readonly string[] = []): string | null {
  if (!ref) return null;
  const wid = idOfType(ref, 'WID');
  if (wid) return wid;
  for (const t of types) {
    const v = idOfType(ref, t);
    if (v) return v;
  }
  for (const id of ref.ID) if (text(id['#text'])) return text(id['#text']);
  return null;
}

const personRef = (r: WdRef): PersonRef => ({
  wid: idOfType(r, 'WID'),
  number: idOfType(r, 'Employee_ID') ?? idOfType(r, 'Contingent_Worker_ID'),
});

// ---------------------------------------------------------------------------------------------
// Digest: validated XML shape → WorkerRow

/** The primary job (`@Primary_Job` true), else the first; the pre-v30 layout as a job of its own. */
export function primaryJob(w: WdWorker): WdJob | undefined {
  const jobs = w.Worker_Data?.Employment_Data?.Worker_Job_Data ?? [];
  const primary = jobs.find((j) => bool(j['@Primary_Job']) === true) ?? jobs[0];
  if (primary) return primary;
  const legacy = w.Worker_Data?.Employment_Data?.Position_Data?.[0];
  return legacy
    ? ({
        Position_Data: legacy,
        Position_Management_Chains_Data: undefined,
        Position_Organizations_Data: undefined,
      } as WdJob)
    : undefined;
}

const nameParts = (
  n:
    | {
        '@Formatted_Name'?: string | undefined;
        First_Name?: string | undefined;
        Middle_Name?: string | undefined;
        Last_Name?: string | undefined;
      }
    | undefined,
): NameParts | null =>
  n
    ? {
        first: text(n.First_Name),
        middle: text(n.Middle_Name),
        last: text(n.Last_Name),
        formatted: text(n['@Formatted_Name']),
      }
    : null;

const ORG_ID_TYPES = [
  'Organization_Reference_ID',
  'Cost_Center_Reference_ID',
  'Company_Reference_ID',
  'Business_Unit_ID',
  'Custom_Organization_Reference_ID',
  'Region_Reference_ID',
];

/** Workday organization type id → group type. Unknown types → OTHER (raw kept in `typeRaw`). */
export const GROUP_TYPE_BY_ORG_TYPE: Record<string, GroupType> = {
  SUPERVISORY: 'DEPARTMENT',
  COST_CENTER: 'COST_CENTER',
  COMPANY: 'BUSINESS_UNIT',
  BUSINESS_UNIT: 'BUSINESS_UNIT',
  TEAM: 'TEAM',
  MATRIX: 'TEAM',
  DIVISION: 'DIVISION',
};

const ORG_TYPE_BY_ID_TYPE: Record<string, string> = {
  Cost_Center_Reference_ID: 'COST_CENTER',
  Company_Reference_ID: 'COMPANY',
  Business_Unit_ID: 'BUSINESS_UNIT',
};

function orgOf(m: WdOrgMembership): WorkerOrg | null {
  const data = m.Organization_Data;
  const id = refId(m.Organization_Reference, ORG_ID_TYPES) ?? text(data?.Organization_Reference_ID);
  if (!id) return null;
  let typeRaw =
    idOfType(data?.Organization_Type_Reference, 'Organization_Type_ID') ??
    text(data?.Organization_Type_Reference?.['@Descriptor']);
  if (!typeRaw)
    for (const [idType, t] of Object.entries(ORG_TYPE_BY_ID_TYPE))
      if (idOfType(m.Organization_Reference, idType)) typeRaw = t;
  const key = typeRaw
    ? typeRaw
        .trim()
        .toUpperCase()
        .replace(/[\s-]+/g, '_')
    : null;
  return {
    id,
    name:
      text(data?.Organization_Name) ??
      text(m.Organization_Reference?.['@Descriptor']) ??
      text(data?.Organization_Code) ??
      id,
    type: (key && GROUP_TYPE_BY_ORG_TYPE[key]) || 'OTHER',
    typeRaw,
  };
}

function mapAddress(a: WdAddress | undefined): Address | null {
  if (!a) return null;
  const lines = a.Address_Line_Data.map((l) =>
    typeof l === 'string' ? { type: '', text: l } : { type: (l['@Type'] ?? '').toUpperCase(), text: l['#text'] ?? '' },
  );
  const untyped = lines.every((l) => !l.type);
  const line = (t: string, i: number) =>
    text(lines.find((l) => l.type === t)?.text) ?? (untyped ? text(lines[i]?.text) : null);
  const out: Address = {
    line1: line('ADDRESS_LINE_1', 0),
    line2: line('ADDRESS_LINE_2', 1),
    city: text(a.Municipality),
    region:
      text(a.Country_Region_Descriptor) ??
      text(a.Country_Region_Reference?.['@Descriptor']) ??
      idOfType(a.Country_Region_Reference, 'Country_Region_ID'),
    postalCode: text(a.Postal_Code),
    country: idOfType(a.Country_Reference, 'ISO_3166-1_Alpha-2_Code') ?? text(a.Country_Reference?.['@Descriptor']),
  };
  return Object.values(out).some((v) => v !== null) ? out : null;
}

function chainLinks(w: WdWorker, job: WdJob | undefined): WdChainLink[] {
  const fromWorker =
    w.Worker_Data?.Management_Chain_Data?.Worker_Supervisory_Management_Chain_Data?.Management_Chain_Data ?? [];
  if (fromWorker.length) return fromWorker;
  return job?.Position_Management_Chains_Data?.Position_Supervisory_Management_Chain_Data?.Management_Chain_Data ?? [];
}

function statusOf(s: WdStatus | undefined): WorkerRow['status'] {
  if (!s) return null;
  return {
    active: text(s.Active),
    terminated: text(s.Terminated),
    hireRescinded: text(s.Hire_Rescinded),
    hireDate: text(s.Hire_Date),
    originalHireDate: text(s.Original_Hire_Date),
    firstDayOfWork: text(s.First_Day_of_Work),
    terminationDate: text(s.Termination_Date),
    leaves: s.Leave_Status_Data.map((l) => ({
      onLeave: text(l.On_Leave),
      start: text(l.Leave_Start_Date),
      end: text(l.Leave_End_Date),
    })),
  };
}

/** The compact row orgsync keeps for one worker (see the file header). */
export function digestWorker(w: WdWorker): WorkerRow {
  const job = primaryJob(w);
  const p = job?.Position_Data;
  const names = w.Worker_Data?.Personal_Data?.Name_Data;
  const emails: WorkerRow['emails'] = [];
  for (const e of w.Worker_Data?.Personal_Data?.Contact_Data?.Email_Address_Data ?? []) {
    const address = text(e.Email_Address);
    if (!address) continue;
    for (const u of e.Usage_Data) {
      for (const td of u.Type_Data) {
        const usage =
          idOfType(td.Type_Reference, 'Communication_Usage_Type_ID') ?? text(td.Type_Reference?.['@Descriptor']);
        if (usage) emails.push({ address, usage: usage.toUpperCase(), primary: bool(td['@Primary']) === true });
      }
    }
  }
  const organizations = new Map<string, WorkerOrg>();
  for (const m of [
    ...(w.Worker_Data?.Organization_Data?.Worker_Organization_Data ?? []),
    ...(job?.Position_Organizations_Data?.Position_Organization_Data ?? []),
  ]) {
    const o = orgOf(m);
    if (o && !organizations.has(o.id)) organizations.set(o.id, o);
  }
  const site = p?.Business_Site_Summary_Data;
  const locationId = refId(site?.Location_Reference, ['Location_ID']);
  const workerTypeIdType = p?.Worker_Type_Reference
    ? (['Contingent_Worker_Type_ID', 'Employee_Type_ID'].find((t) => idOfType(p.Worker_Type_Reference, t)) ?? null)
    : null;
  return {
    id: idOfType(w.Worker_Reference, 'WID')!,
    employeeId: idOfType(w.Worker_Reference, 'Employee_ID'),
    contingentWorkerId: idOfType(w.Worker_Reference, 'Contingent_Worker_ID'),
    workerId: text(w.Worker_Data?.Worker_ID),
    userId: text(w.Worker_Data?.User_ID),
    descriptor: text(w.Worker_Descriptor) ?? text(w.Worker_Reference['@Descriptor']),
    legalName: nameParts(names?.Legal_Name_Data?.Name_Detail_Data),
    preferredName: nameParts(names?.Preferred_Name_Data?.Name_Detail_Data),
    emails,
    job: p
      ? {
          positionId: text(p.Position_ID),
          positionTitle: text(p.Position_Title),
          businessTitle: text(p.Business_Title),
          startDate: text(p.Start_Date),
          workerType: p.Worker_Type_Reference
            ? {
                idType: workerTypeIdType,
                id: workerTypeIdType ? idOfType(p.Worker_Type_Reference, workerTypeIdType) : null,
                descriptor: text(p.Worker_Type_Reference['@Descriptor']),
              }
            : null,
          timeType: p.Position_Time_Type_Reference
            ? {
                id: idOfType(p.Position_Time_Type_Reference, 'Position_Time_Type_ID'),
                descriptor: text(p.Position_Time_Type_Reference['@Descriptor']),
              }
            : null,
          jobProfileName: text(p.Job_Profile_Summary_Data?.Job_Profile_Name),
          managerAsOfLastChange: p.Manager_as_of_last_detected_manager_change_Reference.map(personRef),
        }
      : null,
    location: locationId
      ? {
          id: locationId,
          name: text(site?.Name) ?? text(site?.Location_Reference?.['@Descriptor']) ?? locationId,
          address: mapAddress(site?.Address_Data[0]),
          timezone: null,
        }
      : null,
    status: statusOf(w.Worker_Data?.Employment_Data?.Worker_Status_Data),
    organizations: [...organizations.values()],
    managementChain: chainLinks(w, job).map((link) => ({
      orgId: refId(link.Organization_Reference, ORG_ID_TYPES),
      orgName: text(link.Organization_Reference?.['@Descriptor']),
      managers: [
        ...link.Manager_Reference,
        ...link.Manager.map((m) => m.Worker_Reference).filter((r): r is WdRef => !!r),
      ].map(personRef),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Status and type

/**
 * Status from `Worker_Status_Data` at `today` (the as-of date):
 * - `Hire_Rescinded` → TERMINATED (the hire never happened; no access).
 * - `Terminated` true: TERMINATED when the termination date is today or earlier (or absent);
 *   a later date is a scheduled termination → ACTIVE (or LEAVE) until then.
 * - not terminated and the hire date after today → PENDING (future hires have `Active=0`).
 * - `Active` true: LEAVE when a leave is in force (`On_Leave`, or a started, unended leave), else ACTIVE.
 * - no `Terminated` flag but a passed termination date of this employment → TERMINATED.
 * - anything else (`Active=0` without a termination, no flags at all) → UNKNOWN, raw flags kept.
 */
export function mapStatus(s: WorkerRow['status'], today: string): { status: EmploymentStatus; raw: string | null } {
  if (!s) return { status: 'UNKNOWN', raw: null };
  const active = bool(s.active);
  const terminated = bool(s.terminated);
  const rescinded = bool(s.hireRescinded) === true;
  const hire = isoDate(s.hireDate);
  const term = isoDate(s.terminationDate);
  const leave = onLeave(s, today);
  const rawParts = [
    s.active !== null ? `Active=${s.active}` : null,
    s.terminated !== null ? `Terminated=${s.terminated}` : null,
    leave.raw !== null ? `On_Leave=${leave.raw}` : null,
    rescinded ? `Hire_Rescinded=${s.hireRescinded}` : null,
  ].filter((x): x is string => x !== null);
  const raw = rawParts.length ? rawParts.join(' ') : null;

  if (rescinded) return { status: 'TERMINATED', raw };
  if (terminated === true) {
    if (term && term > today) return { status: leave.on ? 'LEAVE' : 'ACTIVE', raw };
    return { status: 'TERMINATED', raw };
  }
  if (hire && hire > today) return { status: 'PENDING', raw };
  if (active === true) return { status: leave.on ? 'LEAVE' : 'ACTIVE', raw };
  if (terminated === null && term && term <= today && (!hire || term >= hire)) return { status: 'TERMINATED', raw };
  return { status: 'UNKNOWN', raw };
}

function onLeave(s: NonNullable<WorkerRow['status']>, today: string): { on: boolean; raw: string | null } {
  let raw: string | null = null;
  for (const l of s.leaves) {
    const f = bool(l.onLeave);
    if (f === true) return { on: true, raw: l.onLeave };
    if (f === false) {
      raw ??= l.onLeave;
      continue;
    }
    // No On_Leave flag: a leave that has started and not ended is in force.
    const start = isoDate(l.start);
    const end = isoDate(l.end);
    if (start && start <= today && (!end || end >= today)) return { on: true, raw: `(leave since ${start})` };
  }
  return { on: false, raw };
}

const norm = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_\-/()]+/g, '_')
    .replace(/^_|_$/g, '');

const TYPE_BY_WORKER_TYPE: Array<[RegExp, EmploymentType]> = [
  [/^(intern|internship|interns|student|student_worker|co_op|coop|apprentice|trainee)(_fixed_term)?$/, 'INTERN'],
  [/^(temporary|temp|seasonal|fixed_term|fixedterm|casual)(_fixed_term)?$/, 'TEMPORARY'],
  [
    /^(contractor|contract|consultant|contingent|contingent_worker|vendor|freelance|freelancer|independent_contractor)$/,
    'CONTRACTOR',
  ],
];
const TIME_TYPE: Array<[RegExp, EmploymentType]> = [
  [/^(full_time|fulltime|ft)$/, 'FULL_TIME'],
  [/^(part_time|parttime|pt)$/, 'PART_TIME'],
];

/**
 * Employment type from the primary position's worker type (`Employee_Type_ID` or
 * `Contingent_Worker_Type_ID`) and time type (`Position_Time_Type_ID`): contingent workers →
 * CONTRACTOR; intern/temporary employee types → INTERN/TEMPORARY; otherwise the time type
 * (Full_time → FULL_TIME, Part_time → PART_TIME); anything else → OTHER. Raw: `type / time`.
 */
export function mapEmploymentType(row: WorkerRow): { type: EmploymentType | null; raw: string | null } {
  const wt = row.job?.workerType;
  const workerType = wt?.id ?? wt?.descriptor ?? null;
  const timeType = row.job?.timeType?.id ?? row.job?.timeType?.descriptor ?? null;
  const contingent = row.contingentWorkerId !== null || wt?.idType === 'Contingent_Worker_Type_ID';
  const raw = [workerType, timeType].filter(Boolean).join(' / ') || (contingent ? 'Contingent_Worker' : null);
  if (contingent) return { type: 'CONTRACTOR', raw };
  const w = workerType ? norm(workerType) : null;
  if (w) for (const [re, t] of TYPE_BY_WORKER_TYPE) if (re.test(w)) return { type: t, raw };
  const tt = timeType ? norm(timeType) : null;
  if (tt) for (const [re, t] of TIME_TYPE) if (re.test(tt)) return { type: t, raw };
  if (!w && !tt) return { type: null, raw: null };
  // e.g. a `Regular` employee without a time type: unclassifiable, OTHER with the raw value.
  return { type: 'OTHER', raw };
}

// ---------------------------------------------------------------------------------------------
// Emails and manager

/** The email of usage `type` (WORK / HOME): the primary one of that usage, else the first. */
export function emailOfUsage(row: WorkerRow, type: 'WORK' | 'HOME'): string | null {
  const of = row.emails.filter((e) => e.usage === type);
  return email((of.find((e) => e.primary) ?? of[0])?.address);
}

export function employeeNumberOf(row: WorkerRow): string | null {
  return row.employeeId ?? row.contingentWorkerId ?? row.workerId;
}

function managerFromRefs(refs: PersonRef[], row: WorkerRow): ManagerRef | null {
  const selfNumber = employeeNumberOf(row);
  for (const r of refs) {
    if (r.wid) {
      if (r.wid !== row.id) return { id: r.wid };
      continue;
    }
    if (r.number && r.number !== selfNumber) return { employeeNumber: r.number };
  }
  return null;
}

/**
 * The manager: walking the supervisory chain from the nearest organization (the last one), the
 * first manager who is not the worker; else the position's
 * `Manager_as_of_last_detected_manager_change_Reference`. WIDs resolve directly; a reference with
 * only an Employee_ID/Contingent_Worker_ID is resolved by employee number by the core.
 */
export function managerOf(row: WorkerRow): ManagerRef | null {
  for (let i = row.managementChain.length - 1; i >= 0; i--) {
    const m = managerFromRefs(row.managementChain[i]!.managers, row);
    if (m) return m;
  }
  return managerFromRefs(row.job?.managerAsOfLastChange ?? [], row);
}

// ---------------------------------------------------------------------------------------------
// Employee

export function mapWorker(row: WorkerRow, ctx: WorkdayMapContext): EmployeeDraft {
  const { status, raw: statusRaw } = mapStatus(row.status, ctx.today);
  const { type, raw: typeRaw } = mapEmploymentType(row);
  const legal = row.legalName;
  const preferred = row.preferredName;
  const firstName = legal?.first ?? preferred?.first ?? null;
  const lastName = legal?.last ?? preferred?.last ?? null;
  const preferredFirst = preferred?.first ?? null;
  const hire = isoDate(row.status?.hireDate) ?? isoDate(row.status?.firstDayOfWork) ?? isoDate(row.job?.startDate);
  const term = isoDate(row.status?.terminationDate);
  const customFields: Record<string, unknown> = {};
  const put = (k: string, v: string | null | undefined) => {
    if (v) customFields[k] = v;
  };
  put('User_ID', row.userId);
  put('Position_ID', row.job?.positionId);
  put('Job_Profile_Name', row.job?.jobProfileName);
  put('Original_Hire_Date', isoDate(row.status?.originalHireDate));
  return {
    id: row.id,
    employeeNumber: employeeNumberOf(row),
    firstName,
    lastName,
    preferredName: preferredFirst && preferredFirst !== firstName ? preferredFirst : null,
    displayName: preferred?.formatted ?? legal?.formatted ?? row.descriptor,
    workEmail: emailOfUsage(row, 'WORK'),
    personalEmail: emailOfUsage(row, 'HOME'),
    jobTitle: row.job?.businessTitle ?? row.job?.positionTitle ?? row.job?.jobProfileName ?? null,
    managerRef: managerOf(row),
    groupIds: row.organizations.map((o) => o.id),
    locationId: row.location?.id ?? null,
    employmentStatus: status,
    employmentStatusRaw: statusRaw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate: hire,
    // A termination before the current hire belongs to an earlier employment (rehire).
    terminationDate: term && (!hire || term >= hire) ? term : null,
    customFields,
    updatedAt: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Groups, locations and company derived from the workers of a walk

/**
 * Accumulates the organizations and locations the workers of one walk reference. Supervisory
 * organizations get their parent from the management chains (each link's parent is the link
 * before it); organizations seen only in a chain are named by their reference descriptor until a
 * member's organization data names them.
 */
export class WorkerDerivedLists {
  private groups = new Map<string, Group>();
  private locations = new Map<string, Location>();
  private companies = new Map<string, { name: string; members: number }>();
  private chainOnly = new Set<string>();

  reset(): void {
    this.groups.clear();
    this.locations.clear();
    this.companies.clear();
    this.chainOnly.clear();
  }

  add(row: WorkerRow): void {
    let parent: string | null = null;
    for (const link of row.managementChain) {
      if (!link.orgId) continue;
      const g = this.groups.get(link.orgId);
      if (!g) {
        this.groups.set(link.orgId, {
          id: link.orgId,
          name: link.orgName ?? link.orgId,
          type: 'DEPARTMENT',
          typeRaw: 'SUPERVISORY',
          parentId: parent,
        });
        this.chainOnly.add(link.orgId);
      } else if (g.parentId === null && parent !== null && parent !== g.id) g.parentId = parent;
      parent = link.orgId;
    }
    for (const o of row.organizations) {
      const g = this.groups.get(o.id);
      if (!g) this.groups.set(o.id, { id: o.id, name: o.name, type: o.type, typeRaw: o.typeRaw, parentId: null });
      else if (this.chainOnly.has(o.id)) {
        Object.assign(g, { name: o.name, type: o.type, typeRaw: o.typeRaw ?? g.typeRaw });
        this.chainOnly.delete(o.id);
      }
      if (o.typeRaw && o.typeRaw.toUpperCase() === 'COMPANY') {
        const c = this.companies.get(o.id) ?? { name: o.name, members: 0 };
        c.members++;
        this.companies.set(o.id, c);
      }
    }
    const loc = row.location;
    if (loc) {
      const known = this.locations.get(loc.id);
      if (!known || (!known.address && loc.address)) this.locations.set(loc.id, loc);
    }
  }

  groupList(): Group[] {
    return [...this.groups.values()].map((g) => ({ ...g }));
  }

  locationList(): Location[] {
    return [...this.locations.values()].map((l) => ({ ...l }));
  }

  /** The tenant as the company, named after the company organization most workers belong to. */
  company(tenant: string): Company {
    let best: { name: string; members: number } | undefined;
    for (const c of this.companies.values()) if (!best || c.members > best.members) best = c;
    return { id: tenant, name: best?.name ?? tenant, legalName: best?.name ?? null };
  }
}
