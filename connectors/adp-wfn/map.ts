/**
 * Pure mapping from ADP Workforce Now's Workers v2 format to the orgsync model. No I/O here.
 *
 * Quirks handled:
 * - A worker has one or more `workAssignments[]` (one per position): the one with
 *   `primaryIndicator: true` decides, else the first (Nango's mapper always takes the first).
 * - Two statuses: `workerStatus.statusCode.codeValue` (`Active`, `Inactive`, `Terminated`; event
 *   payloads say `T`/`A`) and the primary assignment's `assignmentStatus.statusCode.codeValue`
 *   (`A` active, `L` leave, `T` terminated *or retired* (shortName "Retired"), `D` deceased).
 *   Leave is worker `Inactive` + assignment `L`. Decided as:
 *     worker `Terminated`, or assignment `T`/`D`                  -> TERMINATED
 *     assignment `L` (worker `Inactive` or `Active`)              -> LEAVE
 *     worker `Inactive` without `L` (assignment `A` or none)      -> UNKNOWN: ADP does not say why a
 *       worker is inactive; never ACTIVE (no access granted) and never TERMINATED (no deprovisioning)
 *     worker `Active` (or no worker status) + assignment `A`      -> ACTIVE, PENDING when the start
 *       date is after today ("future hired" samples look exactly like active workers)
 *     anything else (unknown codes, no status at all)             -> UNKNOWN, raw kept
 *   Many sample workers have `workerStatus: null`: the assignment status alone then decides.
 * - Dates: `workerDates.originalHireDate`, `rehireDate` (the latest rehire), `terminationDate`,
 *   `expectedTerminationDate`; the assignment has its own `hireDate`, `actualStartDate`,
 *   `expectedStartDate`, `terminationDate`, `expectedTerminationDate`. Start date: the assignment's
 *   actual start, else its hire date, else the rehire date, else the original hire date. A
 *   termination dated before the (re)hire belongs to an earlier employment and is ignored. An active
 *   worker with a (expected) termination date after today is a scheduled termination: ACTIVE with
 *   a future `terminationDate`.
 * - Dates may be masked: `0000-08-13` (no year) is no date (`isoDate` refuses year 0).
 * - Code labels may be masked as `"**"`: such a `shortName` is no name (the code value is used).
 * - Manager: `reportsTo[].associateOID` of the primary assignment (ADP's key, so an `id` reference);
 *   without it, `reportsTo[].workerID.idValue` (an employee-number reference the core resolves).
 * - Departments and other org units come only inside the assignment (`homeOrganizationalUnits[]`,
 *   `{nameCode, typeCode}`); there is no department endpoint in the spec, so groups are collected
 *   from the workers (`typeCode` Department / Business Unit / Cost Center / Division; others OTHER).
 *   Group ids are `<type code>:<unit code>` (unit codes are unique per type, not across types).
 * - Location: the assignment's `homeWorkLocation` (else its first `assignedWorkLocations[]`), keyed
 *   by `nameCode.codeValue`; also collected from the workers (no location endpoint).
 * - Emails: `businessCommunication.emails[]` is the work address, `person.communication.emails[]`
 *   the personal one (the first usable of each).
 * - Employment type: `workerTypeCode` of the assignment; its codes are company-defined in WFN
 *   (UNCONFIRMED): read by its code or label (full/part time, temporary/seasonal, intern, contractor),
 *   anything else OTHER with the raw value kept.
 * - Custom fields: `customFieldGroup` of the worker, the person and the primary assignment; every
 *   typed array (`stringFields`, `codeFields`, `dateFields`, `indicatorFields`, `numberFields`, ...),
 *   keyed by `nameCode.shortName` (else `codeValue`, else `itemID`). Items without a value (only
 *   `itemID`/`nameCode`) are kept as null; items that do not fit are skipped.
 */
import type { Company, EmploymentStatus, EmploymentType, Group, GroupType, Location } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import { email, idOf, isoDate, safeRecord, text } from '../../src/connector/map-helpers.js';
import {
  AdpCustomFieldSchema,
  type AdpAssignment,
  type AdpCode,
  type AdpLocation,
  type AdpOrgUnit,
  type AdpStatus,
  type AdpWorker,
} from './schemas.js';

/** A label that is not masked (`"**"`) and not empty. */
export function label(code: AdpCode | null | undefined): string | null {
  const s = text(code?.shortName) ?? text(code?.longName);
  return s && !/^\*+$/.test(s) ? s : null;
}

const codeOf = (code: AdpCode | null | undefined): string | null => text(code?.codeValue);

/** The primary assignment: `primaryIndicator: true`, else the first. */
export function primaryAssignment(w: AdpWorker): AdpAssignment | null {
  const list = w.workAssignments ?? [];
  return list.find((a) => a.primaryIndicator === true) ?? list[0] ?? null;
}

export interface AdpStatusResult {
  status: EmploymentStatus;
  raw: string | null;
  startDate: string | null;
  terminationDate: string | null;
}

/** `Active` / `Inactive` / `Terminated` as sent (event payloads use `A` / `T`), normalized. */
function workerState(s: AdpStatus | null | undefined): 'active' | 'inactive' | 'terminated' | 'unknown' | null {
  const v = codeOf(s?.statusCode)?.toLowerCase();
  if (!v) return null;
  if (v === 'active' || v === 'a') return 'active';
  if (v === 'inactive' || v === 'i') return 'inactive';
  if (v === 'terminated' || v === 't') return 'terminated';
  return 'unknown';
}

/** Start date: the assignment's actual start, hire date, then the rehire and original hire dates. */
export function startDateOf(w: AdpWorker, a: AdpAssignment | null): string | null {
  const rehire = isoDate(w.workerDates?.rehireDate);
  const original = isoDate(w.workerDates?.originalHireDate);
  return (
    isoDate(a?.actualStartDate) ??
    isoDate(a?.hireDate) ??
    isoDate(a?.expectedStartDate) ??
    (rehire && (!original || rehire >= original) ? rehire : original)
  );
}

/** Worker and primary-assignment status, dates and today -> status. See the quirks above. */
export function mapStatus(w: AdpWorker, today: string): AdpStatusResult {
  const a = primaryAssignment(w);
  const worker = workerState(w.workerStatus);
  const assignmentCode = codeOf(a?.assignmentStatus?.statusCode)?.toUpperCase() ?? null;
  const raw =
    [
      codeOf(w.workerStatus?.statusCode),
      assignmentCode
        ? `${assignmentCode}${label(a?.assignmentStatus?.statusCode) ? ` (${label(a?.assignmentStatus?.statusCode)})` : ''}`
        : null,
    ]
      .filter(Boolean)
      .join(' / ') || null;
  const startDate = startDateOf(w, a);
  const after = (d: string | null) => (d && (!startDate || d >= startDate) ? d : null);
  // Terminations of the current employment only (a rehire keeps the old dates).
  const ended = after(isoDate(w.workerDates?.terminationDate)) ?? after(isoDate(a?.terminationDate));
  const expected = after(isoDate(w.workerDates?.expectedTerminationDate)) ?? after(isoDate(a?.expectedTerminationDate));
  const statusDate = (s: AdpStatus | null | undefined) => after(isoDate(s?.effectiveDate));

  if (worker === 'terminated' || assignmentCode === 'T' || assignmentCode === 'D') {
    const date =
      ended ??
      expected ??
      (assignmentCode === 'T' || assignmentCode === 'D' ? statusDate(a?.assignmentStatus) : null) ??
      statusDate(w.workerStatus);
    return { status: 'TERMINATED', raw, startDate, terminationDate: date };
  }
  const scheduled = [ended, expected].filter((d): d is string => d !== null && d > today).sort()[0] ?? null;
  if (assignmentCode === 'L' && (worker === 'inactive' || worker === 'active' || worker === null)) {
    return { status: 'LEAVE', raw, startDate, terminationDate: scheduled };
  }
  if (worker === 'inactive' || worker === 'unknown')
    return { status: 'UNKNOWN', raw, startDate, terminationDate: scheduled };
  if (assignmentCode === 'A' || (assignmentCode === null && worker === 'active')) {
    if (startDate && startDate > today) return { status: 'PENDING', raw, startDate, terminationDate: scheduled };
    return { status: 'ACTIVE', raw, startDate, terminationDate: scheduled };
  }
  return { status: 'UNKNOWN', raw, startDate, terminationDate: scheduled };
}

const TYPES: Array<[RegExp, EmploymentType]> = [
  [/^(f|ft|full[\s_-]?time|regular full[\s_-]?time)$/i, 'FULL_TIME'],
  [/^(p|pt|part[\s_-]?time|regular part[\s_-]?time)$/i, 'PART_TIME'],
  [/^(t|tmp|temp|temporary|seasonal|s)$/i, 'TEMPORARY'],
  [/^(i|int|intern|internship)$/i, 'INTERN'],
  [/^(c|con|contractor|independent contractor|1099)$/i, 'CONTRACTOR'],
];

/** `workerTypeCode` by its code, then its label; unknown values OTHER with the raw value kept. */
export function mapEmploymentType(a: AdpAssignment | null): { type: EmploymentType | null; raw: string | null } {
  const code = codeOf(a?.workerTypeCode);
  const name = label(a?.workerTypeCode);
  const raw = code ?? name;
  if (!raw) return { type: null, raw: null };
  for (const candidate of [code, name]) {
    if (!candidate) continue;
    for (const [re, type] of TYPES)
      if (re.test(candidate)) return { type, raw: name && code ? `${code} (${name})` : raw };
  }
  return { type: 'OTHER', raw: name && code ? `${code} (${name})` : raw };
}

const GROUP_TYPES: Array<[RegExp, GroupType]> = [
  [/^department$|^dept$/i, 'DEPARTMENT'],
  [/^business[\s_-]?unit$/i, 'BUSINESS_UNIT'],
  [/^cost[\s_-]?(cent(er|re)|number)$/i, 'COST_CENTER'],
  [/^division$/i, 'DIVISION'],
  [/^team$/i, 'TEAM'],
];

export interface AdpGroupRef {
  id: string;
  name: string;
  type: GroupType;
  typeRaw: string;
}

/** An org unit as a group, or null when it has no code. */
export function groupOf(u: AdpOrgUnit): AdpGroupRef | null {
  const code = codeOf(u.nameCode);
  if (!code) return null;
  const typeRaw = codeOf(u.typeCode) ?? label(u.typeCode) ?? 'Organizational Unit';
  const type = GROUP_TYPES.find(([re]) => re.test(typeRaw))?.[1] ?? 'OTHER';
  return { id: `${typeRaw}:${code}`, name: label(u.nameCode) ?? code, type, typeRaw };
}

/** The assignment's work location (home, else the first assigned one). */
export function workLocationOf(a: AdpAssignment | null): AdpLocation | null {
  const home = a?.homeWorkLocation;
  if (home && codeOf(home.nameCode)) return home;
  return (a?.assignedWorkLocations ?? []).find((l) => codeOf(l.nameCode)) ?? null;
}

export function mapLocation(l: AdpLocation): Location {
  const code = codeOf(l.nameCode)!;
  const ad = l.address;
  const address = ad
    ? {
        line1: text(ad.lineOne),
        line2: text(ad.lineTwo),
        city: text(ad.cityName),
        region: codeOf(ad.countrySubdivisionLevel1) ?? label(ad.countrySubdivisionLevel1),
        postalCode: text(ad.postalCode),
        country: text(ad.countryCode)?.toUpperCase() ?? null,
      }
    : null;
  const empty = !address || Object.values(address).every((v) => v === null);
  return { id: code, name: label(l.nameCode) ?? code, address: empty ? null : address, timezone: null };
}

const CUSTOM_ARRAYS = [
  'stringFields',
  'codeFields',
  'dateFields',
  'dateTimeFields',
  'indicatorFields',
  'numberFields',
  'amountFields',
  'percentFields',
  'telephoneFields',
] as const;

/** Custom fields of one `customFieldGroup` into `out` (items that do not fit are skipped). */
export function collectCustomFields(
  group: Record<string, unknown> | null | undefined,
  out: Array<[string, unknown]>,
): void {
  if (!group) return;
  for (const key of CUSTOM_ARRAYS) {
    const items = group[key];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      const parsed = AdpCustomFieldSchema.safeParse(item);
      if (!parsed.success) continue;
      const f = parsed.data;
      const name = label(f.nameCode) ?? codeOf(f.nameCode) ?? text(f.itemID);
      if (!name) continue;
      const value =
        key === 'codeFields'
          ? (text(f.shortName) ?? text(f.codeValue))
          : key === 'dateFields'
            ? isoDate(f.dateValue)
            : key === 'indicatorFields'
              ? (f.indicatorValue ?? null)
              : key === 'numberFields'
                ? (f.numberValue ?? null)
                : key === 'stringFields'
                  ? text(f.stringValue)
                  : ((item as Record<string, unknown>)[
                      Object.keys(item as object).find((k) => /Value$/.test(k) && k !== 'codeValue') ?? ''
                    ] ?? null);
      out.push([name, value]);
    }
  }
}

function firstEmail(
  c: { emails?: Array<{ emailUri?: string | null | undefined }> | null | undefined } | null | undefined,
): string | null {
  for (const e of c?.emails ?? []) {
    const v = email(e.emailUri);
    if (v) return v;
  }
  return null;
}

/** Groups, locations and the company collected from the workers of one walk. */
export class AdpDerivedLists {
  private groups = new Map<string, AdpGroupRef>();
  private locations = new Map<string, AdpLocation>();

  reset(): void {
    this.groups.clear();
    this.locations.clear();
  }

  add(w: AdpWorker): void {
    const a = primaryAssignment(w);
    for (const u of a?.homeOrganizationalUnits ?? []) {
      const g = groupOf(u);
      if (g && !this.groups.has(g.id)) this.groups.set(g.id, g);
    }
    const l = workLocationOf(a);
    const code = codeOf(l?.nameCode);
    if (l && code && !this.locations.has(code)) this.locations.set(code, l);
  }

  groupList(): Group[] {
    return [...this.groups.values()].map((g) => ({
      id: g.id,
      name: g.name,
      type: g.type,
      typeRaw: g.typeRaw,
      parentId: null,
    }));
  }

  locationList(): Location[] {
    return [...this.locations.values()].map(mapLocation);
  }
}

export interface AdpContext {
  today: string;
  lists: AdpDerivedLists;
}

export function mapWorker(w: AdpWorker, ctx: AdpContext): EmployeeDraft {
  const a = primaryAssignment(w);
  const { status, raw, startDate, terminationDate } = mapStatus(w, ctx.today);
  const { type, raw: typeRaw } = mapEmploymentType(a);
  const legal = w.person?.legalName;
  const preferred = w.person?.preferredName;
  const boss = (a?.reportsTo ?? []).find((r) => idOf(r.associateOID) || idOf(r.workerID?.idValue));
  const managerRef = boss
    ? idOf(boss.associateOID)
      ? { id: idOf(boss.associateOID) }
      : { employeeNumber: idOf(boss.workerID?.idValue) }
    : null;
  const groupIds = (a?.homeOrganizationalUnits ?? [])
    .map(groupOf)
    .filter((g): g is AdpGroupRef => g !== null)
    .map((g) => g.id);
  const custom: Array<[string, unknown]> = [];
  collectCustomFields(w.customFieldGroup, custom);
  collectCustomFields(w.person?.customFieldGroup, custom);
  collectCustomFields(a?.customFieldGroup, custom);
  const positionId = text(a?.positionID);
  if (positionId) custom.push(['positionID', positionId]);
  return {
    id: w.associateOID,
    employeeNumber: idOf(w.workerID?.idValue),
    firstName: text(legal?.givenName),
    lastName: text(legal?.familyName1),
    preferredName: text(preferred?.givenName) ?? text(legal?.nickName),
    workEmail: firstEmail(w.businessCommunication),
    personalEmail: firstEmail(w.person?.communication),
    jobTitle: text(a?.jobTitle) ?? text(a?.positionTitle) ?? label(a?.jobCode),
    managerRef,
    groupIds: [...new Set(groupIds)],
    locationId: codeOf(workLocationOf(a)?.nameCode),
    employmentStatus: status,
    employmentStatusRaw: raw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate,
    terminationDate,
    customFields: safeRecord(custom),
    // Workers v2 rows carry no update timestamp.
    updatedAt: null,
  };
}

/** No company endpoint in Workers v2: the company is named by the options (or the client id). */
export function mapCompany(o: { companyName?: string | undefined; clientId: string }): Company {
  return { id: `adp-wfn:${o.clientId}`, name: text(o.companyName) ?? 'ADP Workforce Now', legalName: null };
}
