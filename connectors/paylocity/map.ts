/**
 * Pure mapping from Paylocity's WebLink v2 format to the orgsync model. No I/O here.
 *
 * Quirks handled:
 * - The employee list gives ids only (`{employeeId, statusCode, statusTypeCode}`); each person's
 *   record is a second call whose body is an ARRAY holding one `employee` (1 + N calls).
 * - Status `status.employeeStatus` (the listing's `statusCode` when the record has none; when the two
 *   disagree, e.g. a status changed between the two calls, UNKNOWN with both kept): "common
 *   values are A (Active), L (Leave of Absence), T (Terminated)", max length 20, so other codes
 *   exist: A -> ACTIVE (PENDING while the (re)hire date is after today), L -> LEAVE,
 *   T -> TERMINATED, anything else UNKNOWN with the raw value (and `statusTypeCode`) kept.
 * - There is no termination-date field in v2: for `T`, `status.effectiveDate` (the date of the
 *   status change) is taken as the termination date (UNCONFIRMED). A scheduled termination cannot be
 *   seen in WebLink v2: nobody is shown as leaving before Paylocity says `T`.
 * - Future hires: not flagged on read; an `A` employee whose hire (or rehire) date is after today
 *   is PENDING.
 * - Rehires: `status.reHireDate` later than `hireDate` is the start of the current employment; a
 *   `T` dated before it belongs to the earlier one.
 * - Dates: "common formats include MM-DD-CCYY, CCYY-MM-DD"; timestamps (`2024-01-02T00:00:00`)
 *   too. All become YYYY-MM-DD; anything else is no date.
 * - Manager: `departmentPosition.supervisorEmployeeId`, an employee id *within a company*
 *   (`supervisorCompanyNumber` defaults to the employee's company): an `id` reference. Ids are unique
 *   per company only, so a supervisor of another company is no manager here (kept as the custom
 *   field `supervisor`, `<company>/<id>`).
 * - Groups: cost centres 1-3 (`departmentPosition.costCenter1..3`, employer-defined: "branch,
 *   division, department"), as COST_CENTER groups `costCenter<n>:<code>`, named from
 *   `/codes/costcenter<n>` where the code is listed there.
 * - Location: only a name (`workAddress.location`); there is no location endpoint. The location is
 *   keyed by that name; its address is the work address of the first employee seen there.
 * - Company: no endpoint; `companyName` on the employee record, the configured `companyId` as id.
 * - Employment type: `departmentPosition.employeeType`, common values RFT, RPT, SNL, TFT, TPT
 *   (regular/temporary full/part time, seasonal); others OTHER with the raw value kept.
 * - Emails: `workAddress.emailAddress` is the work email, `homeAddress.emailAddress` the personal one.
 * - Custom fields: `customTextFields`, `customDateFields`, `customNumberFields`,
 *   `customBooleanFields`, `customDropDownFields` (`{category, label, value}`), keyed by `label`;
 *   items without a label are skipped.
 */
import type { Company, EmploymentStatus, EmploymentType, Group, Location } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import { email, idOf, isoDate, safeRecord, text } from '../../src/connector/map-helpers.js';
import {
  PaylocityCustomFieldSchema,
  type PaylocityCode,
  type PaylocityEmployee,
  type PaylocityRow,
} from './schemas.js';

/** `MM-DD-CCYY`, `CCYY-MM-DD` or a timestamp -> `YYYY-MM-DD`; null otherwise. */
export function paylocityDate(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
  const us = /^(\d{2})[-/](\d{2})[-/](\d{4})$/.exec(s);
  if (us) return isoDate(`${us[3]}-${us[1]}-${us[2]}`);
  return /^\d{4}-\d{2}-\d{2}/.test(s) ? isoDate(s.slice(0, 10)) : null;
}

export interface PaylocityStatus {
  status: EmploymentStatus;
  raw: string | null;
  startDate: string | null;
  terminationDate: string | null;
}

/** Start date: the rehire date when it is later than the hire date, else the hire date. */
export function startDateOf(e: PaylocityEmployee): string | null {
  const hire = paylocityDate(e.status?.hireDate);
  const rehire = paylocityDate(e.status?.reHireDate);
  return rehire && (!hire || rehire > hire) ? rehire : hire;
}

export function mapStatus(row: PaylocityRow, today: string): PaylocityStatus {
  const e = row.employee;
  const recorded = text(e.status?.employeeStatus);
  const listed = text(row.info.statusCode);
  const code = recorded ?? listed;
  const typeCode = text(row.info.statusTypeCode);
  const disagree = recorded !== null && listed !== null && recorded.toUpperCase() !== listed.toUpperCase();
  const raw =
    [disagree ? `${recorded} (list: ${listed})` : code, typeCode && typeCode !== code ? `(${typeCode})` : null]
      .filter(Boolean)
      .join(' ') || null;
  const startDate = startDateOf(e);
  const effective = paylocityDate(e.status?.effectiveDate);
  // The list and the record read a moment apart disagree: the status changed mid-read, or one of
  // them says something unknown. Neither is trusted: UNKNOWN (no access granted, none removed).
  if (disagree) return { status: 'UNKNOWN', raw, startDate, terminationDate: null };
  switch (code?.toUpperCase()) {
    case 'A':
      return { status: startDate && startDate > today ? 'PENDING' : 'ACTIVE', raw, startDate, terminationDate: null };
    case 'L':
      return { status: 'LEAVE', raw, startDate, terminationDate: null };
    case 'T':
      return {
        status: 'TERMINATED',
        raw,
        startDate,
        terminationDate: effective && (!startDate || effective >= startDate) ? effective : null,
      };
    default:
      return { status: 'UNKNOWN', raw, startDate, terminationDate: null };
  }
}

const TYPES: Record<string, EmploymentType> = {
  RFT: 'FULL_TIME',
  RPT: 'PART_TIME',
  SNL: 'TEMPORARY',
  TFT: 'TEMPORARY',
  TPT: 'TEMPORARY',
};

export function mapEmploymentType(e: PaylocityEmployee): { type: EmploymentType | null; raw: string | null } {
  const raw = text(e.departmentPosition?.employeeType);
  if (!raw) return { type: null, raw: null };
  return { type: TYPES[raw.toUpperCase()] ?? 'OTHER', raw };
}

const COST_CENTERS = ['costCenter1', 'costCenter2', 'costCenter3'] as const;

export interface PaylocityContext {
  today: string;
  companyId: string;
  /** Cost-centre names by level (1-3) and code, from `/codes/costcenter<n>`. */
  costCenterNames: Map<string, string>;
  lists: PaylocityDerivedLists;
}

/** The cost-centre group ids of an employee. */
export function groupIdsOf(e: PaylocityEmployee): string[] {
  const out: string[] = [];
  for (const key of COST_CENTERS) {
    const code = text(e.departmentPosition?.[key]);
    if (code) out.push(`${key}:${code}`);
  }
  return out;
}

/** Custom fields of every typed list, keyed by label (items that do not fit are skipped). */
export function customFieldsOf(e: PaylocityEmployee): Record<string, unknown> {
  const entries: Array<[string, unknown]> = [];
  for (const key of [
    'customTextFields',
    'customDateFields',
    'customNumberFields',
    'customBooleanFields',
    'customDropDownFields',
  ] as const) {
    for (const item of e[key] ?? []) {
      const parsed = PaylocityCustomFieldSchema.safeParse(item);
      if (!parsed.success) continue;
      const name = text(parsed.data.label);
      if (!name) continue;
      const v = parsed.data.value;
      const value =
        key === 'customDateFields'
          ? paylocityDate(v)
          : key === 'customNumberFields' || key === 'customBooleanFields'
            ? typeof v === 'number' || typeof v === 'boolean'
              ? v
              : null
            : text(v);
      entries.push([name, value]);
    }
  }
  const middle = text(e.middleName);
  if (middle) entries.push(['middleName', middle]);
  return safeRecord(entries);
}

export function mapEmployee(row: PaylocityRow, ctx: PaylocityContext): EmployeeDraft {
  const e = row.employee;
  const { status, raw, startDate, terminationDate } = mapStatus(row, ctx.today);
  const { type, raw: typeRaw } = mapEmploymentType(e);
  const supervisor = idOf(e.departmentPosition?.supervisorEmployeeId);
  // Employee ids are unique within a company only: a supervisor of another company is not this
  // company's employee with that id (kept as a custom field, no manager).
  const supervisorCompany = text(e.departmentPosition?.supervisorCompanyNumber);
  const foreign =
    supervisor !== null &&
    supervisorCompany !== null &&
    supervisorCompany.toUpperCase() !== ctx.companyId.toUpperCase();
  const customFields = customFieldsOf(e);
  if (foreign) customFields['supervisor'] = `${supervisorCompany}/${supervisor}`;
  return {
    id: e.employeeId,
    employeeNumber: e.employeeId,
    firstName: text(e.firstName),
    lastName: text(e.lastName),
    preferredName: text(e.preferredName),
    workEmail: email(e.workAddress?.emailAddress),
    personalEmail: email(e.homeAddress?.emailAddress),
    jobTitle: text(e.departmentPosition?.jobTitle),
    managerRef: supervisor && !foreign ? { id: supervisor } : null,
    groupIds: groupIdsOf(e),
    locationId: text(e.workAddress?.location),
    employmentStatus: status,
    employmentStatusRaw: raw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate,
    terminationDate,
    customFields,
    // WebLink employee records carry no update timestamp.
    updatedAt: null,
  };
}

/** Cost centres, locations and the company name collected from the employees of one walk. */
export class PaylocityDerivedLists {
  private groups = new Map<string, { level: string; code: string }>();
  private locations = new Map<string, PaylocityEmployee['workAddress']>();
  companyName: string | null = null;

  reset(): void {
    this.groups.clear();
    this.locations.clear();
    this.companyName = null;
  }

  add(e: PaylocityEmployee): void {
    for (const key of COST_CENTERS) {
      const code = text(e.departmentPosition?.[key]);
      if (code && !this.groups.has(`${key}:${code}`)) this.groups.set(`${key}:${code}`, { level: key, code });
    }
    const loc = text(e.workAddress?.location);
    if (loc && !this.locations.has(loc)) this.locations.set(loc, e.workAddress);
    this.companyName ??= text(e.companyName);
  }

  groupList(names: Map<string, string>): Group[] {
    return [...this.groups.entries()].map(([id, g]) => ({
      id,
      name: names.get(id) ?? g.code,
      type: 'COST_CENTER' as const,
      typeRaw: g.level,
      parentId: null,
    }));
  }

  locationList(): Location[] {
    return [...this.locations.entries()].map(([name, a]) => {
      const address = {
        line1: text(a?.address1),
        line2: text(a?.address2),
        city: text(a?.city),
        region: text(a?.state),
        postalCode: text(a?.postalCode),
        country: normalizeCountry(a?.country),
      };
      return {
        id: name,
        name,
        address: Object.values(address).every((v) => v === null) ? null : address,
        timezone: null,
      };
    });
  }
}

/** `USA`/`United States` -> `US`; two-letter codes upper-cased; anything else kept. */
export function normalizeCountry(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
  const up = s.toUpperCase();
  if (up === 'USA' || up === 'UNITED STATES' || up === 'US') return 'US';
  if (up === 'CAN' || up === 'CANADA') return 'CA';
  return /^[A-Z]{2}$/.test(up) ? up : s;
}

/** Cost-centre names from `/codes/costcenter<n>` rows. */
export function costCenterNames(level: 1 | 2 | 3, rows: PaylocityCode[], into: Map<string, string>): void {
  for (const r of rows) {
    const name = text(r.description);
    if (name) into.set(`costCenter${level}:${r.code}`, name);
  }
}

export function mapCompany(ctx: PaylocityContext): Company {
  return { id: ctx.companyId, name: ctx.lists.companyName ?? ctx.companyId, legalName: ctx.lists.companyName };
}
