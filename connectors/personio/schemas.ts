/**
 * Zod schemas of Personio's v2 wire format (Person API 2.0.0, Employment API 2.0.0, in
 * ../shared/specs/personio), only what orgsync reads; unknown keys pass through. No field of
 * `Person` or `Employment` is required by the spec, so only the identity (`id`) is strict; enums
 * (`status`, `type`, custom attribute `type`) are read as plain strings so a new value cannot
 * break a sync (it maps to UNKNOWN/OTHER with the raw value kept).
 */
import { z } from 'zod';

const optStr = z.string().nullable().optional();
const ref = z
  .looseObject({ id: z.union([z.string(), z.number()]).nullable().optional() })
  .nullable()
  .optional();

export const PersonioCustomAttributeSchema = z.looseObject({
  id: optStr,
  type: optStr,
  global_id: optStr,
  label: optStr,
  value: z.unknown().optional(),
});

/** One `Person` of `GET /v2/persons` `_data[]`. */
export const PersonioPersonSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  email: optStr,
  first_name: optStr,
  last_name: optStr,
  preferred_name: optStr,
  /** ACTIVE (latest employment ACTIVE, LEAVE or ONBOARDING) | INACTIVE | UNSPECIFIED. */
  status: optStr,
  custom_attributes: z.array(PersonioCustomAttributeSchema).nullable().optional(),
  employments: z
    .array(z.looseObject({ id: z.union([z.string(), z.number()]).optional() }))
    .nullable()
    .optional(),
  created_at: optStr,
  updated_at: optStr,
});

export const PersonioTerminationSchema = z.looseObject({
  termination_date: optStr,
  last_working_day: optStr,
  /** The spec's own example says `last_working_date`. */
  last_working_date: optStr,
  terminated_at: optStr,
  type: optStr,
  reason: optStr,
});

/** One `Employment` of `GET /v2/persons/{person_id}/employments` `_data[]` (most recent first). */
export const PersonioEmploymentSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  status: optStr,
  type: optStr,
  position: z.looseObject({ title: optStr }).nullable().optional(),
  supervisor: ref,
  office: ref,
  org_units: z
    .array(z.looseObject({ type: optStr, id: z.union([z.string(), z.number()]).nullable().optional() }))
    .nullable()
    .optional(),
  legal_entity: ref,
  employment_start_date: optStr,
  employment_end_date: optStr,
  contract_end_date: optStr,
  termination: PersonioTerminationSchema.nullable().optional(),
  weekly_working_hours: z.number().nullable().optional(),
  full_time_weekly_working_hours: z.number().nullable().optional(),
  updated_at: optStr,
});
export type PersonioEmployment = z.infer<typeof PersonioEmploymentSchema>;

/** A person with the employments orgsync read for them (`employments_read`, added by the connector). */
export type PersonioPerson = z.infer<typeof PersonioPersonSchema> & { employments_read?: PersonioEmployment[] };

/** One org unit of `GET /v2/org-units?type=…` (beta, not in the specs here: UNCONFIRMED shape). */
export const PersonioOrgUnitSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  name: optStr,
  type: optStr,
  parent_id: z.union([z.string(), z.number()]).nullable().optional(),
});
export type PersonioOrgUnit = z.infer<typeof PersonioOrgUnitSchema>;
