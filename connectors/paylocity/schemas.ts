/**
 * Zod schemas of Paylocity's WebLink v2 wire format, only what orgsync reads; unknown keys pass
 * through (`z.looseObject`). Shapes follow `paylocity-v2-openapi.yml` (`employeeInfo`, `employee`,
 * `companyCodes`, `error`). Strict on identity (`employeeId`); everything else optional and
 * nullable. Status and type codes are read as any string: "common values" are A/L/T (max length
 * 20), so other codes must not break a sync.
 */
import { z } from 'zod';

const optStr = z.string().nullable().optional();
/** An id the vendor might send as a number (spec: string, max length 10). */
const idStr = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

/** One item of `GET /v2/companies/{companyId}/employees/` (ids and status only). */
export const PaylocityEmployeeInfoSchema = z.looseObject({
  employeeId: idStr,
  statusCode: optStr,
  statusTypeCode: optStr,
});
export type PaylocityEmployeeInfo = z.infer<typeof PaylocityEmployeeInfoSchema>;

const AddressSchema = z.looseObject({
  address1: optStr,
  address2: optStr,
  city: optStr,
  state: optStr,
  postalCode: optStr,
  country: optStr,
  emailAddress: optStr,
  /** `workAddress` only: the work location's name. */
  location: optStr,
});

const CustomFieldSchema = z.looseObject({ category: optStr, label: optStr, value: z.unknown().optional() });
const customFields = z.array(z.unknown()).nullable().optional();

/** One item of `GET /v2/companies/{companyId}/employees/{employeeId}` (an array of one `employee`). */
export const PaylocityEmployeeSchema = z.looseObject({
  employeeId: idStr,
  firstName: optStr,
  middleName: optStr,
  lastName: optStr,
  preferredName: optStr,
  companyName: optStr,
  status: z
    .looseObject({
      employeeStatus: optStr,
      changeReason: optStr,
      effectiveDate: optStr,
      hireDate: optStr,
      reHireDate: optStr,
      isEligibleForRehire: z.boolean().nullable().optional(),
    })
    .nullable()
    .optional(),
  departmentPosition: z
    .looseObject({
      costCenter1: optStr,
      costCenter2: optStr,
      costCenter3: optStr,
      employeeType: optStr,
      jobTitle: optStr,
      positionCode: optStr,
      supervisorEmployeeId: optStr,
      supervisorCompanyNumber: optStr,
    })
    .nullable()
    .optional(),
  workAddress: AddressSchema.nullable().optional(),
  homeAddress: AddressSchema.nullable().optional(),
  customTextFields: customFields,
  customDateFields: customFields,
  customNumberFields: customFields,
  customBooleanFields: customFields,
  customDropDownFields: customFields,
});
export type PaylocityEmployee = z.infer<typeof PaylocityEmployeeSchema>;

/** A custom field item (`{category, label, value}`): auxiliary, parsed one by one in the mapper. */
export { CustomFieldSchema as PaylocityCustomFieldSchema };

/** One item of `GET /v2/companies/{companyId}/codes/{codeResource}`. */
export const PaylocityCodeSchema = z.looseObject({ code: z.string().min(1), description: optStr });
export type PaylocityCode = z.infer<typeof PaylocityCodeSchema>;

/** What a full read maps: the listing row and the employee's record. */
export interface PaylocityRow {
  info: PaylocityEmployeeInfo;
  employee: PaylocityEmployee;
}
