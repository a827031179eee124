/**
 * Zod schemas of ADP Workforce Now's Workers v2 wire format (`GET /hr/v2/workers`), only what
 * orgsync reads; unknown keys pass through (`z.looseObject`). Shapes follow the Workers v2 OpenAPI
 * (`../shared/specs/adp-wfn/adp-workers-v2-openapi.yml`: `workers`, `workAssignmentItemType_v02`,
 * `statusReasonType_v02`, `codeType_v02`, `customFieldContainerType_v02`) and ADP's published
 * sample payloads. Strict on identity (`associateOID`); everything else is optional and nullable
 * ("fields excluded by $select or absent for a worker are omitted or null"; many sample workers have
 * `workerStatus: null`). Codes are read as any string: new values must not break a sync.
 */
import { z } from 'zod';

const optStr = z.string().nullable().optional();
const optBool = z.boolean().nullable().optional();

/** `codeType_v02`: `{codeValue, shortName, longName}` (a masked label comes as `"**"`). */
export const AdpCodeSchema = z.looseObject({ codeValue: optStr, shortName: optStr, longName: optStr });
export type AdpCode = z.infer<typeof AdpCodeSchema>;
const optCode = AdpCodeSchema.nullable().optional();

/** `statusReasonType_v02`: `workerStatus` and `assignmentStatus`. */
export const AdpStatusSchema = z.looseObject({ statusCode: optCode, reasonCode: optCode, effectiveDate: optStr });
export type AdpStatus = z.infer<typeof AdpStatusSchema>;

const EmailSchema = z.looseObject({ nameCode: optCode, emailUri: optStr, itemID: optStr });
/** `communicationType_v02` (only emails are read). */
export const AdpCommunicationSchema = z.looseObject({ emails: z.array(EmailSchema).nullable().optional() });

const NameSchema = z.looseObject({
  givenName: optStr,
  middleName: optStr,
  familyName1: optStr,
  familyName2: optStr,
  formattedName: optStr,
  nickName: optStr,
});

/** One item of a `customFieldGroup` array (any of the typed arrays). */
export const AdpCustomFieldSchema = z.looseObject({
  itemID: optStr,
  nameCode: optCode,
  stringValue: optStr,
  codeValue: optStr,
  shortName: optStr,
  dateValue: optStr,
  indicatorValue: optBool,
  numberValue: z.number().nullable().optional(),
});
export type AdpCustomField = z.infer<typeof AdpCustomFieldSchema>;
const fields = z.array(z.unknown()).nullable().optional();
/**
 * `customFieldContainerType_v02`. Items are auxiliary: kept as unknown here and parsed one by one
 * in the mapper (an item that does not fit is skipped, never failing the worker).
 */
export const AdpCustomFieldGroupSchema = z.looseObject({
  stringFields: fields,
  codeFields: fields,
  dateFields: fields,
  dateTimeFields: fields,
  indicatorFields: fields,
  numberFields: fields,
  amountFields: fields,
  percentFields: fields,
  telephoneFields: fields,
});

const OrgUnitSchema = z.looseObject({ nameCode: optCode, typeCode: optCode, itemID: optStr });
export type AdpOrgUnit = z.infer<typeof OrgUnitSchema>;

const AddressSchema = z.looseObject({
  lineOne: optStr,
  lineTwo: optStr,
  cityName: optStr,
  countrySubdivisionLevel1: optCode,
  countryCode: optStr,
  postalCode: optStr,
});
/** `locationType_v02` (`homeWorkLocation`, `assignedWorkLocations[]`). */
export const AdpLocationSchema = z.looseObject({
  nameCode: optCode,
  address: AddressSchema.nullable().optional(),
  itemID: optStr,
});
export type AdpLocation = z.infer<typeof AdpLocationSchema>;

/** `reportsTo[]`: the manager, matched on `associateOID` (ADP's stable key). */
export const AdpReportsToSchema = z.looseObject({
  positionID: optStr,
  associateOID: optStr,
  workerID: z.looseObject({ idValue: optStr }).nullable().optional(),
  reportsToWorkerName: z.looseObject({ formattedName: optStr }).nullable().optional(),
});

/** `workAssignmentItemType_v02`: one per position; the primary one decides. */
export const AdpAssignmentSchema = z.looseObject({
  itemID: optStr,
  primaryIndicator: optBool,
  hireDate: optStr,
  actualStartDate: optStr,
  expectedStartDate: optStr,
  terminationDate: optStr,
  expectedTerminationDate: optStr,
  assignmentStatus: AdpStatusSchema.nullable().optional(),
  workerTypeCode: optCode,
  jobCode: optCode,
  jobTitle: optStr,
  positionID: optStr,
  positionTitle: optStr,
  homeOrganizationalUnits: z.array(OrgUnitSchema).nullable().optional(),
  assignedOrganizationalUnits: z.array(OrgUnitSchema).nullable().optional(),
  homeWorkLocation: AdpLocationSchema.nullable().optional(),
  assignedWorkLocations: z.array(AdpLocationSchema).nullable().optional(),
  reportsTo: z.array(AdpReportsToSchema).nullable().optional(),
  payrollFileNumber: optStr,
  customFieldGroup: AdpCustomFieldGroupSchema.nullable().optional(),
});
export type AdpAssignment = z.infer<typeof AdpAssignmentSchema>;

/** One item of `workers[]` in `GET /hr/v2/workers`. */
export const AdpWorkerSchema = z.looseObject({
  /** The AOID: ADP's stable key of a worker (required here: who exists is decided by it). */
  associateOID: z.string().min(1),
  workerID: z.looseObject({ idValue: optStr, schemeCode: optCode }).nullable().optional(),
  person: z
    .looseObject({
      legalName: NameSchema.nullable().optional(),
      preferredName: NameSchema.nullable().optional(),
      communication: AdpCommunicationSchema.nullable().optional(),
      customFieldGroup: AdpCustomFieldGroupSchema.nullable().optional(),
    })
    .nullable()
    .optional(),
  workerDates: z
    .looseObject({
      originalHireDate: optStr,
      rehireDate: optStr,
      terminationDate: optStr,
      expectedTerminationDate: optStr,
    })
    .nullable()
    .optional(),
  workerStatus: AdpStatusSchema.nullable().optional(),
  businessCommunication: AdpCommunicationSchema.nullable().optional(),
  workAssignments: z.array(AdpAssignmentSchema).nullable().optional(),
  customFieldGroup: AdpCustomFieldGroupSchema.nullable().optional(),
});
export type AdpWorker = z.infer<typeof AdpWorkerSchema>;

/** `confirmMessage` of an error response (`processMessages[].userMessage.messageTxt`). */
export interface AdpConfirmMessage {
  protocolStatusCode?: { codeValue?: unknown };
  processMessages?: Array<{ userMessage?: { messageTxt?: unknown }; developerMessage?: { messageTxt?: unknown } }>;
}
