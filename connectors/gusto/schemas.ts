/**
 * Zod schemas of Gusto's wire format (API version 2025-06-15), only what orgsync reads; unknown
 * keys pass through (`z.looseObject`). Shapes follow the official OpenAPI (`Employee`, `Job`,
 * `Termination`, `Department`, `Location`, `Company`) and real demo traffic: fields the spec
 * lists but live responses omit (`employee_code`, `title`, `hired_at`, `jobs[].location_uuid`)
 * are optional, and nullable wherever a real response or the spec shows `null`.
 */
import { z } from 'zod';

const optStr = z.string().nullable().optional();
const optBool = z.boolean().nullable().optional();
/** A string the vendor sometimes sends as a number (the spec's own location examples have `zip: 94107`). */
const strOrNum = z
  .union([z.string(), z.number()])
  .nullable()
  .optional()
  .transform((v) => (typeof v === 'number' ? String(v) : v));

/** `jobs[]` on an employee (the `Job` schema). */
export const GustoJobSchema = z.looseObject({
  uuid: z.string().optional(),
  title: optStr,
  primary: optBool,
  /** "The date when the employee was hired or rehired for the job." */
  hire_date: optStr,
  /** In the 2025-06-15 spec; absent from the real demo recording. */
  location_uuid: optStr,
  location: z.looseObject({ uuid: optStr }).nullable().optional(),
});
export type GustoJob = z.infer<typeof GustoJobSchema>;

/** `terminations[]` on an employee (the `Termination` schema). */
export const GustoTerminationSchema = z.looseObject({
  uuid: optStr,
  /** Whether the termination has gone into effect. */
  active: optBool,
  /** The employee's last day of work. */
  effective_date: optStr,
});
export type GustoTermination = z.infer<typeof GustoTerminationSchema>;

/** `custom_fields[]` (only with `include=custom_fields`). */
export const GustoCustomFieldSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  company_custom_field_id: z.union([z.string(), z.number()]).nullable().optional(),
  name: optStr,
  type: optStr,
  value: z.union([z.string(), z.number(), z.boolean()]).nullable().optional(),
});

/** One item of `GET /v1/companies/{company_uuid}/employees` (a bare JSON array of these). */
export const GustoEmployeeSchema = z.looseObject({
  uuid: z.string().min(1),
  first_name: optStr,
  middle_initial: optStr,
  last_name: optStr,
  preferred_first_name: optStr,
  /** Personal email. */
  email: optStr,
  work_email: optStr,
  manager_uuid: optStr,
  department: optStr,
  department_uuid: optStr,
  /** True only once a termination is in effect (a scheduled one keeps it false). */
  terminated: optBool,
  onboarded: optBool,
  /** Enum in the spec, but read as any string: new values must not break a sync. */
  onboarding_status: optStr,
  /** full_time | part_time_under_twenty_hours | part_time_twenty_plus_hours | variable | seasonal | null (any string accepted). */
  current_employment_status: optStr,
  historical: optBool,
  /** 2025-06-15 spec only (UNCONFIRMED live). */
  employee_code: optStr,
  title: optStr,
  hired_at: optStr,
  jobs: z.array(GustoJobSchema).nullable().optional(),
  terminations: z.array(GustoTerminationSchema).nullable().optional(),
  custom_fields: z.array(GustoCustomFieldSchema).nullable().optional(),
});
export type GustoEmployee = z.infer<typeof GustoEmployeeSchema>;

/** One item of `GET /v1/companies/{company_uuid}/departments`. */
export const GustoDepartmentSchema = z.looseObject({
  uuid: z.string().min(1),
  title: optStr,
  /** Members (`[{uuid}]`): used to place employees whose row lacks `department_uuid`. */
  employees: z
    .array(z.looseObject({ uuid: z.string() }))
    .nullable()
    .optional(),
});
export type GustoDepartment = z.infer<typeof GustoDepartmentSchema>;

/** One item of `GET /v1/companies/{company_uuid}/locations`. */
export const GustoLocationSchema = z.looseObject({
  uuid: z.string().min(1),
  street_1: optStr,
  street_2: optStr,
  city: optStr,
  state: optStr,
  zip: strOrNum,
  country: optStr,
  // Not read (kept in remoteData): version, company_uuid, phone_number, active/inactive (inactive
  // locations are kept so old references resolve), mailing_address, filing_address, created_at,
  // updated_at. The spec's own list example has `created_at: {"$ref": ...}` and numbers for
  // `phone_number`/`zip`: only `zip` is read, as text.
});
export type GustoLocation = z.infer<typeof GustoLocationSchema>;

/** `GET /v1/companies/{company_uuid}`. */
export const GustoCompanySchema = z.looseObject({
  uuid: z.string().min(1),
  /** The legal name. */
  name: optStr,
  /** Doing-business-as name. */
  trade_name: optStr,
});
export type GustoCompany = z.infer<typeof GustoCompanySchema>;

/**
 * Gusto's error bodies: `{"errors":[{"error_key","category","message"}]}` (nested `errors` when
 * `category` is `nested_errors`), and the older `{"name","message"}` some 406s are documented with.
 */
export interface GustoEntityError {
  error_key?: unknown;
  category?: unknown;
  message?: unknown;
  errors?: unknown;
}
