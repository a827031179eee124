/**
 * Zod schemas of HiBob's wire format (`POST /v1/people/search`, `GET /v1/company/named-lists`), only
 * what orgsync reads; unknown keys pass through (`z.looseObject`). Shapes follow the spec in
 * ../shared/specs/hibob (`Employee`, `WorkPart`, `EmployeeReference`, `List`, `ListItem`) plus the
 * fields the spec does not list but the people-search API returns when requested (`internal.*`,
 * `payroll.employment.*`, `work.siteId`, `work.employeeIdInCompany`, `work.manager`: UNCONFIRMED,
 * see README.md). Strict on identity (`id`); every other field optional and nullable, because the
 * response silently leaves out what the service user may not view.
 */
import { z } from 'zod';

const optStr = z.string().nullable().optional();
/** List item ids are numbers or strings depending on the list (spec, named-lists description). */
const idLike = z.union([z.string(), z.number()]).nullable().optional();

/** `work.reportsTo`: an `EmployeeReference`; with `humanReadable` a display-name string instead. */
export const HibobReferenceSchema = z.union([
  z.looseObject({ id: idLike, firstName: optStr, surname: optStr, email: optStr, displayName: optStr }),
  z.string(),
]);

export const HibobWorkSchema = z.looseObject({
  title: optStr,
  /** A `department` list item id (a label only with humanReadable=REPLACE, which orgsync never sends). */
  department: idLike,
  /** A `site` list item id or name (see README: UNCONFIRMED which). */
  site: idLike,
  siteId: idLike,
  startDate: optStr,
  reportsTo: HibobReferenceSchema.nullable().optional(),
  /** The manager's employee id (Airbyte schema; cartography's humanReadable fixture). */
  manager: idLike,
  employeeIdInCompany: idLike,
  custom: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** `internal.*`: the lifecycle section (not in the spec; needs the Lifecycle view permission). */
export const HibobInternalSchema = z.looseObject({
  /** "Active" | "Inactive". */
  status: optStr,
  /** e.g. "employed", "hired", "leave", "terminated" (no enum published). */
  lifecycleStatus: optStr,
  terminationDate: optStr,
  terminationReason: idLike,
});

export const HibobEmployeeSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  companyId: idLike,
  firstName: optStr,
  surname: optStr,
  displayName: optStr,
  email: optStr,
  work: HibobWorkSchema.nullable().optional(),
  internal: HibobInternalSchema.nullable().optional(),
  payroll: z
    .looseObject({ employment: z.looseObject({ type: idLike, contract: idLike }).nullable().optional() })
    .nullable()
    .optional(),
  home: z.looseObject({ privateEmail: optStr }).nullable().optional(),
  personal: z.looseObject({ shortBirthDate: optStr }).nullable().optional(),
});
export type HibobEmployee = z.infer<typeof HibobEmployeeSchema>;

export interface HibobListItem {
  id: string | number;
  name?: string | null | undefined;
  archived?: boolean | null | undefined;
  children?: HibobListItem[] | null | undefined;
}
/** `ListItem`: `{id (integer), name, archived, children[]}` (nested for hierarchy lists). */
export const HibobListItemSchema: z.ZodType<HibobListItem> = z.lazy(() =>
  z.looseObject({
    id: z.union([z.string().min(1), z.number()]),
    name: optStr,
    archived: z.boolean().nullable().optional(),
    children: z.array(HibobListItemSchema).nullable().optional(),
  }),
);

/** One `List` of `GET /company/named-lists` (an object keyed by list name, or an array: both accepted). */
export const HibobListSchema = z.looseObject({
  name: z.string().min(1),
  items: z.array(z.unknown()).nullable().optional(),
});
export type HibobList = z.infer<typeof HibobListSchema>;

/** The spec's `Error`: `{key, error}`. */
export interface HibobError {
  key?: unknown;
  error?: unknown;
}
