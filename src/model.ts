/**
 * The normalized org model every connector maps to. Zod schemas are the source of truth;
 * TypeScript types are inferred from them.
 */
import { z } from 'zod';

export const SCHEMA_VERSION = 1 as const;

/**
 * Employment status. `UNKNOWN` is the documented fallback for a vendor value orgsync cannot
 * classify: it is never treated as ACTIVE (no access is granted) nor as TERMINATED (nobody is
 * deprovisioned); the vendor's raw value is kept in `employmentStatusRaw`.
 */
export const EmploymentStatusSchema = z.enum(['ACTIVE', 'PENDING', 'LEAVE', 'TERMINATED', 'UNKNOWN']);
export type EmploymentStatus = z.infer<typeof EmploymentStatusSchema>;

/** Employment type; unknown vendor values fall back to `OTHER` with the raw value kept. */
export const EmploymentTypeSchema = z.enum(['FULL_TIME', 'PART_TIME', 'CONTRACTOR', 'INTERN', 'TEMPORARY', 'OTHER']);
export type EmploymentType = z.infer<typeof EmploymentTypeSchema>;

export const GroupTypeSchema = z.enum(['DEPARTMENT', 'TEAM', 'DIVISION', 'COST_CENTER', 'BUSINESS_UNIT', 'OTHER']);
export type GroupType = z.infer<typeof GroupTypeSchema>;

/** ISO calendar date, `YYYY-MM-DD`. */
export const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
/** ISO 8601 timestamp (with offset or Z). */
export const IsoDateTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'expected an ISO 8601 date-time');

const str = z.string();
const nstr = z.string().nullable();

/**
 * Custom fields: plain JSON values keyed by the vendor's field name. Validated without copying, so
 * keys such as `__proto__` stay ordinary data and can never change a prototype.
 */
export const CustomFieldsSchema = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { message: 'expected an object of custom fields' },
);

export const EmployeeSchema = z.object({
  /** The vendor's stable id for this person, as a string. */
  id: str.min(1),
  employeeNumber: nstr,
  firstName: nstr,
  lastName: nstr,
  preferredName: nstr,
  displayName: str,
  workEmail: nstr,
  personalEmail: nstr,
  jobTitle: nstr,
  /** The `id` of another employee in the same snapshot (never a name or employee number). */
  managerId: nstr,
  /** Ids of the groups (departments, teams, divisions, ...) this person belongs to. */
  groupIds: z.array(str),
  locationId: nstr,
  employmentStatus: EmploymentStatusSchema,
  /** The vendor's own status value, kept so nothing is lost in normalization. */
  employmentStatusRaw: nstr,
  employmentType: EmploymentTypeSchema.nullable(),
  employmentTypeRaw: nstr,
  startDate: IsoDateSchema.nullable(),
  terminationDate: IsoDateSchema.nullable(),
  customFields: CustomFieldsSchema,
  /** When the vendor last changed this record, where the vendor reports it. */
  updatedAt: IsoDateTimeSchema.nullable().optional(),
  /** The raw vendor row; only present when the connector was created with `includeRemoteData: true`. */
  remoteData: z.unknown().optional(),
});
export type Employee = z.infer<typeof EmployeeSchema>;

export const GroupSchema = z.object({
  id: str.min(1),
  name: str,
  type: GroupTypeSchema,
  /** The vendor's own kind for this group (e.g. `department`, `team`, `Supervisory`). */
  typeRaw: nstr.optional(),
  parentId: nstr,
  remoteData: z.unknown().optional(),
});
export type Group = z.infer<typeof GroupSchema>;

export const AddressSchema = z.object({
  line1: nstr,
  line2: nstr,
  city: nstr,
  region: nstr,
  postalCode: nstr,
  country: nstr,
});
export type Address = z.infer<typeof AddressSchema>;

export const LocationSchema = z.object({
  id: str.min(1),
  name: str,
  address: AddressSchema.nullable(),
  timezone: nstr,
  remoteData: z.unknown().optional(),
});
export type Location = z.infer<typeof LocationSchema>;

export const CompanySchema = z.object({
  /** The vendor's id for the company/tenant (or the subdomain/tenant name where it has none). */
  id: str.min(1),
  name: str,
  legalName: nstr,
  remoteData: z.unknown().optional(),
});
export type Company = z.infer<typeof CompanySchema>;

/** How a vendor named someone's manager when it was not by id (see `src/connector/managers.ts`). */
export const ManagerRefSchema = z.object({
  id: nstr.optional(),
  employeeNumber: nstr.optional(),
  workEmail: nstr.optional(),
  userName: nstr.optional(),
  externalId: nstr.optional(),
  value: nstr.optional(),
});

export const OrgSnapshotSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Connector id, e.g. `bamboohr`. */
  connector: str,
  takenAt: IsoDateTimeSchema,
  /** Always true: a snapshot only exists for a sync that completed. */
  complete: z.literal(true),
  company: CompanySchema,
  employees: z.array(EmployeeSchema),
  groups: z.array(GroupSchema),
  locations: z.array(LocationSchema),
  /** Where an incremental sync can resume from (vendor-specific watermark), if the connector supports it. */
  watermark: nstr.optional(),
  /** Non-fatal findings of the sync (e.g. a manager reference that matched nobody). */
  warnings: z.array(z.string()).default([]),
  /**
   * Manager references that matched nobody (their `managerId` is null), by employee id, as the vendor
   * gave them. An incremental sync resolves them again against the merged employees, as a full read would.
   */
  unresolvedManagerRefs: z.record(z.string(), ManagerRefSchema).optional(),
});
export type OrgSnapshot = z.infer<typeof OrgSnapshotSchema>;
export type OrgSnapshotInput = z.input<typeof OrgSnapshotSchema>;

/** Build a display name from parts, preferring the preferred first name. */
export function composeDisplayName(first: string | null, last: string | null, preferred?: string | null): string {
  const f = (preferred && preferred.trim()) || (first ?? '').trim();
  const l = (last ?? '').trim();
  return [f, l].filter(Boolean).join(' ');
}

/**
 * The snapshot envelope with employees left unchecked: used where every employee was already
 * validated one by one (the connector runtime does), so 100,000 records are not validated twice.
 */
export const OrgSnapshotEnvelopeSchema = OrgSnapshotSchema.extend({
  employees: z.array(z.custom<Employee>((v) => typeof v === 'object' && v !== null)),
});
