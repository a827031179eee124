/**
 * Zod schemas of Deel's wire format (REST API v2, spec 1.25.0 in ../shared/specs/deel), only what
 * orgsync reads; unknown keys pass through (`z.looseObject`). Strict on identity (`id`, the HRIS
 * profile UUID) and tolerant elsewhere: the spec marks nothing on a person as required, enums are
 * read as plain strings (`hiring_status`, `hiring_type`, `state` have no closed list on the person),
 * and numbers/strings are accepted where the spec and its own examples disagree (`worker_id`).
 */
import { z } from 'zod';

const optStr = z.string().nullable().optional();
const strOrNum = z.union([z.string(), z.number()]).nullable().optional();

export const DeelEmploymentSchema = z.looseObject({
  /** The contract id (short, e.g. "mzj524j"). */
  id: strOrNum,
  job_title: optStr,
  team: z.looseObject({ id: strOrNum, name: optStr }).nullable().optional(),
  state: optStr,
  hiring_type: optStr,
  hiring_status: optStr,
  contract_status: optStr,
  start_date: optStr,
  completion_date: optStr,
  is_ended: z.boolean().nullable().optional(),
  termination_last_day: optStr,
  work_email: optStr,
  email: optStr,
  contract_is_archived: z.boolean().nullable().optional(),
  is_user_contract_deleted: z.boolean().nullable().optional(),
});
export type DeelEmployment = z.infer<typeof DeelEmploymentSchema>;

/** One item of `GET /people` `data[]`. */
export const DeelPersonSchema = z.looseObject({
  id: z.string().min(1),
  worker_id: strOrNum,
  external_id: optStr,
  first_name: optStr,
  last_name: optStr,
  preferred_first_name: optStr,
  preferred_last_name: optStr,
  full_name: optStr,
  emails: z
    .array(z.looseObject({ type: optStr, value: optStr }))
    .nullable()
    .optional(),
  job_title: optStr,
  department: z.looseObject({ id: strOrNum, name: optStr, parent: strOrNum }).nullable().optional(),
  client_legal_entity: z.looseObject({ id: strOrNum, name: optStr }).nullable().optional(),
  work_location: optStr,
  country: optStr,
  start_date: optStr,
  hiring_type: optStr,
  hiring_status: optStr,
  new_hiring_status: optStr,
  state: optStr,
  direct_manager: z
    .looseObject({ id: optStr, worker_id: strOrNum, first_name: optStr, last_name: optStr, work_email: optStr })
    .nullable()
    .optional(),
  direct_employee_termination_last_day: optStr,
  completion_date: optStr,
  employments: z.array(DeelEmploymentSchema).nullable().optional(),
  updated_at: optStr,
});
export type DeelPerson = z.infer<typeof DeelPersonSchema>;

/**
 * `GET /people/{worker_id}/custom_fields` `data[]` (auxiliary: a value that does not fit is skipped).
 * The spec requires a top-level `value` it does not describe, while its example has `data.value`:
 * both are read (`data.value` first).
 */
export const DeelCustomFieldValueSchema = z.looseObject({
  id: strOrNum,
  name: z.string().min(1),
  type: optStr,
  value: z.unknown().optional(),
  data: z.looseObject({ value: z.unknown().optional() }).nullable().optional(),
});
export type DeelCustomFieldValue = z.infer<typeof DeelCustomFieldValueSchema>;

/** `GET /organizations` `data[]`. */
export const DeelOrganizationSchema = z.looseObject({ id: z.union([z.string().min(1), z.number()]), name: optStr });
export type DeelOrganization = z.infer<typeof DeelOrganizationSchema>;
