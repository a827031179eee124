/** Zod schemas of BambooHR's wire format (only what orgsync reads; unknown keys pass through). */
import { z } from 'zod';

const idLike = z.union([z.string(), z.number()]).transform((v) => String(v));
const optStr = z.string().nullable().optional();

/** One row of `POST /v1/reports/custom?format=JSON` (values are strings or null). */
export const CustomReportRowSchema = z.looseObject({
  id: idLike,
  employeeNumber: optStr,
  firstName: optStr,
  lastName: optStr,
  preferredName: optStr,
  displayName: optStr,
  workEmail: optStr,
  homeEmail: optStr,
  jobTitle: optStr,
  department: optStr,
  division: optStr,
  location: optStr,
  supervisorId: optStr,
  supervisorEId: optStr,
  supervisorEmail: optStr,
  status: optStr,
  employmentHistoryStatus: optStr,
  hireDate: optStr,
  terminationDate: optStr,
  lastChanged: optStr,
});
export type CustomReportRow = z.infer<typeof CustomReportRowSchema>;

export const CustomReportSchema = z.looseObject({
  title: z.string().optional(),
  fields: z.array(z.looseObject({ id: idLike, type: z.string().optional(), name: z.string().optional() })).optional(),
  employees: z.array(z.unknown()),
});

/** One option of a `GET /v1/meta/lists` list. */
export const MetaListOptionSchema = z.looseObject({
  id: idLike,
  archived: z.string().optional(),
  name: z.string(),
  createdDate: z.string().nullable().optional(),
  archivedDate: z.string().nullable().optional(),
});
export type MetaListOption = z.infer<typeof MetaListOptionSchema>;

/**
 * `GET /v1/meta/lists`: one list per list-type field. Auxiliary metadata: lists and options that do
 * not fit are skipped one by one with a snapshot warning (real accounts send lists without `id`).
 */
export const MetaListSchema = z.looseObject({
  id: idLike,
  fieldId: idLike.optional(),
  alias: z.string().nullable().optional(),
  name: z.string(),
  manageable: z.string().optional(),
  multiple: z.string().optional(),
  /** Options are parsed one by one (see the connector's context). */
  options: z.array(z.unknown()),
});
export interface MetaList {
  id: string;
  fieldId?: string | undefined;
  alias?: string | null | undefined;
  name: string;
  manageable?: string | undefined;
  multiple?: string | undefined;
  options: MetaListOption[];
}

/** `GET /v1/company_information`. */
export const CompanyInformationSchema = z.looseObject({
  legalName: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
  address: z
    .looseObject({
      line1: z.string().nullable().optional(),
      line2: z.string().nullable().optional(),
      city: z.string().nullable().optional(),
      state: z.string().nullable().optional(),
      zip: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  phone: z.string().nullable().optional(),
});
export type CompanyInformation = z.infer<typeof CompanyInformationSchema>;

/** `GET /v1/employees/changed?since=`: a map keyed by id, not an array. */
export const ChangedEmployeesSchema = z.looseObject({
  latest: z.string().nullable().optional(),
  employees: z.union([
    z.record(
      z.string(),
      z.looseObject({ id: idLike, action: z.string(), lastChanged: z.string().nullable().optional() }),
    ),
    z.array(z.never()), // an empty result may come back as []
  ]),
});
