/**
 * Zod schemas of Rippling's wire formats (only what orgsync reads; unknown keys pass through).
 *
 * Two APIs:
 * - REST (`https://rest.ripplingapis.com`, OpenAPI 3.0.3 "Rippling Platform API"): snake_case,
 *   list bodies `{"__meta": {...}, "results": [...], "next_link": "..."}`.
 * - Legacy platform API (`https://api.rippling.com/platform/api`, `RipplingOpenAPI.v1.yaml`):
 *   camelCase, list bodies are bare JSON arrays.
 *
 * The specs mark almost nothing nullable, but Rippling sends `null` for empty values (the spec's
 * own examples do, e.g. `workEmail: null`, `manager_id: null`), so every optional field accepts
 * null. Ids are strings in both specs; numbers are accepted and turned into strings.
 */
import { z } from 'zod';

const idLike = z.union([z.string().min(1), z.number()]).transform((v) => String(v));
const optStr = z.string().nullable().optional();
const optId = z.union([z.string(), z.number()]).nullable().optional();
/** Enum-like vendor values: kept as strings so an unknown value maps to a fallback instead of failing the sync. */
const optEnum = z.string().nullable().optional();

// ---------------------------------------------------------------------------------------------
// REST API
// ---------------------------------------------------------------------------------------------

/** `__meta` of REST responses: fields the token may not read. */
export const RestMetaSchema = z.looseObject({
  redacted_fields: z
    .array(z.looseObject({ name: z.string().nullable().optional(), reason: z.string().nullable().optional() }))
    .nullable()
    .optional(),
});

/** Envelope of every REST list endpoint. */
export const RestListSchema = z.looseObject({
  __meta: RestMetaSchema.nullable().optional(),
  results: z.array(z.unknown()),
  next_link: z.string().nullable().optional(),
});
export type RestList = z.infer<typeof RestListSchema>;

export const RestEmailSchema = z.looseObject({ value: optStr, type: optEnum, display: optStr });

export const RestUserNameSchema = z.looseObject({
  formatted: optStr,
  given_name: optStr,
  middle_name: optStr,
  family_name: optStr,
  preferred_given_name: optStr,
  preferred_family_name: optStr,
});

/** `GET /users/` row, and the `user` expanded on a worker (`?expand=user`). */
export const RestUserSchema = z.looseObject({
  id: idLike,
  created_at: optStr,
  updated_at: optStr,
  active: z.boolean().nullable().optional(),
  username: optStr,
  display_name: optStr,
  name: RestUserNameSchema.nullable().optional(),
  emails: z.array(RestEmailSchema).nullable().optional(),
  number: optId,
});
export type RestUser = z.infer<typeof RestUserSchema>;

/** `GET /employment-types/` row (also the worker's expandable `employment_type`). */
export const RestEmploymentTypeSchema = z.looseObject({
  id: idLike,
  label: optStr,
  name: optStr,
  type: optEnum,
  compensation_time_period: optEnum,
  amount_worked: optEnum,
});
export type RestEmploymentType = z.infer<typeof RestEmploymentTypeSchema>;

/** `GET /workers/?expand=user` row. */
export const RestWorkerSchema = z.looseObject({
  id: idLike,
  created_at: optStr,
  updated_at: optStr,
  user_id: optId,
  user: RestUserSchema.nullable().optional(),
  is_manager: z.boolean().nullable().optional(),
  manager_id: optId,
  legal_entity_id: optId,
  country: optStr,
  start_date: optStr,
  end_date: optStr,
  number: optId,
  work_email: optStr,
  personal_email: optStr,
  status: optEnum,
  location: z.looseObject({ type: optEnum, work_location_id: optId }).nullable().optional(),
  employment_type_id: optId,
  employment_type: RestEmploymentTypeSchema.nullable().optional(),
  department_id: optId,
  teams_id: z
    .array(z.union([z.string(), z.number()]))
    .nullable()
    .optional(),
  title: optStr,
  level_id: optId,
  termination_details: z.looseObject({ type: optEnum, reason: optStr }).nullable().optional(),
  custom_fields: z
    .union([z.array(z.unknown()), z.record(z.string(), z.unknown())])
    .nullable()
    .optional(),
});
export type RestWorker = z.infer<typeof RestWorkerSchema>;

/** `GET /departments/` row. */
export const RestDepartmentSchema = z.looseObject({
  id: idLike,
  name: optStr,
  parent_id: optId,
  reference_code: optStr,
});
export type RestDepartment = z.infer<typeof RestDepartmentSchema>;

/** `GET /teams/` row. */
export const RestTeamSchema = z.looseObject({ id: idLike, name: optStr, parent_id: optId });
export type RestTeam = z.infer<typeof RestTeamSchema>;

const RestAddressSchema = z.looseObject({
  type: optEnum,
  formatted: optStr,
  street_address: optStr,
  locality: optStr,
  region: optStr,
  postal_code: optStr,
  country: optStr,
});

/** `GET /work-locations/` row. */
export const RestWorkLocationSchema = z.looseObject({
  id: idLike,
  name: optStr,
  address: RestAddressSchema.nullable().optional(),
});
export type RestWorkLocation = z.infer<typeof RestWorkLocationSchema>;

/** `GET /companies/` row. */
export const RestCompanySchema = z.looseObject({
  id: idLike,
  name: optStr,
  legal_name: optStr,
  doing_business_as_name: optStr,
});
export type RestCompany = z.infer<typeof RestCompanySchema>;

// ---------------------------------------------------------------------------------------------
// Legacy platform API
// ---------------------------------------------------------------------------------------------

/** `Address` of the legacy API (an employee's `workLocation`, a work location's `address`). */
export const LegacyAddressSchema = z.looseObject({
  streetLine1: optStr,
  streetLine2: optStr,
  city: optStr,
  state: optStr,
  zip: optStr,
  country: optStr,
});
export type LegacyAddress = z.infer<typeof LegacyAddressSchema>;

/** `companyEmploymentType`: only in the spec's examples, not its schema. */
const LegacyCompanyEmploymentTypeSchema = z.looseObject({
  id: optId,
  displayName: optStr,
  label: optStr,
  isContractor: z.boolean().nullable().optional(),
  isTemporary: z.boolean().nullable().optional(),
  isPartTime: z.boolean().nullable().optional(),
  isFullTime: z.boolean().nullable().optional(),
});

/** `GET /employees/include_terminated` row. Only `id`, `personalEmail` and `roleState` are guaranteed (the rest depends on scopes). */
export const LegacyEmployeeSchema = z.looseObject({
  id: idLike,
  name: optStr,
  firstName: optStr,
  lastName: optStr,
  preferredFirstName: optStr,
  personalEmail: optStr,
  workEmail: optStr,
  title: optStr,
  department: optStr,
  departmentId: optId,
  workLocation: LegacyAddressSchema.nullable().optional(),
  workLocationId: optId,
  manager: optId,
  roleState: optEnum,
  employmentType: optEnum,
  companyEmploymentType: LegacyCompanyEmploymentTypeSchema.nullable().optional(),
  startDate: optStr,
  endDate: optStr,
  employeeNumber: optId,
  customFields: z.record(z.string(), z.unknown()).nullable().optional(),
  createdAt: optStr,
  updatedAt: optStr,
  /** Team membership is not in the spec; read only if a tenant sends it (UNCONFIRMED). */
  teams: z
    .array(z.union([z.string(), z.number(), z.looseObject({ id: idLike })]))
    .nullable()
    .optional(),
});
export type LegacyEmployee = z.infer<typeof LegacyEmployeeSchema>;

/** `GET /departments`, `/teams`, `/levels` rows: `{id, name, parent}`. */
export const LegacyGroupSchema = z.looseObject({ id: idLike, name: optStr, parent: optId });
export type LegacyGroup = z.infer<typeof LegacyGroupSchema>;

/** `GET /work_locations` row. */
export const LegacyWorkLocationSchema = z.looseObject({
  id: idLike,
  nickname: optStr,
  address: LegacyAddressSchema.nullable().optional(),
});
export type LegacyWorkLocation = z.infer<typeof LegacyWorkLocationSchema>;

/** `GET /companies/current`. */
export const LegacyCompanySchema = z.looseObject({
  id: idLike,
  name: optStr,
  primaryEmail: optStr,
  /** Example shape (singular); the schema says `tax_infos` (array). Both are read. */
  tax_info: z.looseObject({ nameWithIrs: optStr, entityName: optStr }).nullable().optional(),
  tax_infos: z
    .array(z.looseObject({ nameWithIrs: optStr }))
    .nullable()
    .optional(),
});
export type LegacyCompany = z.infer<typeof LegacyCompanySchema>;
