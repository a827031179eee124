/**
 * Zod schemas of one `Get_Workers_Response/Response_Data/Worker`, in the namespace-resolved shape
 * `xml.ts` produces (element local names as keys, attributes as `@Name`, text as `#text`).
 * Single-vs-repeated elements are normalized here (`many`), and an empty element (`<wd:X/>`, read
 * as '') is an empty object.
 *
 * Only what orgsync reads is described, and — unlike the JSON vendors — everything else is
 * DROPPED at validation (`z.object`, not `z.looseObject`): a Workday worker carries much more
 * than orgsync needs (birth date, national IDs, marital status, home addresses, phones...), and
 * keeping it would hold sensitive data in memory and in `remoteData`, at ~12 KB per worker. No
 * mapping happens here: `digestWorker` (map.ts) turns a validated worker into the compact row the
 * runtime keeps (and `includeRemoteData` shows).
 */
import { z } from 'zod';

/** An element that may appear once or many times: always an array after validation. */
export const many = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(s));

/** A complex element ('' for an empty one becomes {}). */
export const el = <S extends z.ZodRawShape>(shape: S) => z.preprocess((v) => (v === '' ? {} : v), z.object(shape));

/** A text element: a string, or `#text` of an element that also has attributes; repeated → the first. */
export const Text = z
  .preprocess((v) => {
    const first = Array.isArray(v) ? v[0] : v;
    if (first && typeof first === 'object') {
      const t = (first as Record<string, unknown>)['#text'];
      return typeof t === 'string' ? t : '';
    }
    return first;
  }, z.string())
  .optional();

/** `<wd:ID wd:type="WID">…</wd:ID>` (an ID without a type comes as a plain string). */
export const IdSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { '#text': v } : v),
  z.object({ '@type': z.string().optional(), '#text': z.string().optional() }),
);
export type WdId = z.infer<typeof IdSchema>;

/** A Workday reference: `@Descriptor` and its IDs (`WID`, `Employee_ID`, `Location_ID`, ...). */
export const RefSchema = el({ '@Descriptor': z.string().optional(), ID: many(IdSchema) });
export type WdRef = z.infer<typeof RefSchema>;

const NameDetailSchema = el({
  '@Formatted_Name': z.string().optional(),
  '@Reporting_Name': z.string().optional(),
  First_Name: Text,
  Middle_Name: Text,
  Last_Name: Text,
});
export type WdNameDetail = z.infer<typeof NameDetailSchema>;

const TypeDataSchema = el({ '@Primary': z.string().optional(), Type_Reference: RefSchema.optional() });
const UsageSchema = el({ '@Public': z.string().optional(), Type_Data: many(TypeDataSchema) });
export type WdUsage = z.infer<typeof UsageSchema>;

export const EmailSchema = el({ Email_Address: Text, Usage_Data: many(UsageSchema) });
export type WdEmail = z.infer<typeof EmailSchema>;

export const AddressSchema = el({
  '@Formatted_Address': z.string().optional(),
  Country_Reference: RefSchema.optional(),
  Address_Line_Data: many(
    z.union([z.string(), z.object({ '@Type': z.string().optional(), '#text': z.string().optional() })]),
  ),
  Municipality: Text,
  Country_Region_Reference: RefSchema.optional(),
  Country_Region_Descriptor: Text,
  Postal_Code: Text,
});
export type WdAddress = z.infer<typeof AddressSchema>;

const OrganizationSummarySchema = el({
  Organization_Reference_ID: Text,
  Organization_Code: Text,
  Organization_Name: Text,
  Organization_Type_Reference: RefSchema.optional(),
});

/** `Worker_Organization_Data` / `Position_Organization_Data`: one organization the worker belongs to. */
export const OrgMembershipSchema = el({
  Organization_Reference: RefSchema.optional(),
  Organization_Data: OrganizationSummarySchema.optional(),
});
export type WdOrgMembership = z.infer<typeof OrgMembershipSchema>;

const ChainLinkSchema = el({
  Organization_Reference: RefSchema.optional(),
  Manager_Reference: many(RefSchema),
  Manager: many(el({ Worker_Reference: RefSchema.optional(), Worker_Descriptor: Text })),
});
export type WdChainLink = z.infer<typeof ChainLinkSchema>;

const ChainSchema = el({ Management_Chain_Data: many(ChainLinkSchema) });

export const PositionSchema = el({
  '@Effective_Date': z.string().optional(),
  Position_ID: Text,
  Position_Title: Text,
  Business_Title: Text,
  Start_Date: Text,
  End_Employment_Date: Text,
  Worker_Type_Reference: RefSchema.optional(),
  Position_Time_Type_Reference: RefSchema.optional(),
  Job_Profile_Summary_Data: el({ Job_Profile_Reference: RefSchema.optional(), Job_Profile_Name: Text }).optional(),
  Business_Site_Summary_Data: el({
    Location_Reference: RefSchema.optional(),
    Name: Text,
    Address_Data: many(AddressSchema),
  }).optional(),
  Manager_as_of_last_detected_manager_change_Reference: many(RefSchema),
});
export type WdPosition = z.infer<typeof PositionSchema>;

const JobSchema = el({
  '@Primary_Job': z.string().optional(),
  Position_Data: PositionSchema.optional(),
  Position_Organizations_Data: el({ Position_Organization_Data: many(OrgMembershipSchema) }).optional(),
  Position_Management_Chains_Data: el({
    Position_Supervisory_Management_Chain_Data: ChainSchema.optional(),
  }).optional(),
});
export type WdJob = z.infer<typeof JobSchema>;

const LeaveSchema = el({
  On_Leave: Text,
  Leave_Start_Date: Text,
  Estimated_Leave_End_Date: Text,
  Leave_End_Date: Text,
});
export type WdLeave = z.infer<typeof LeaveSchema>;

export const StatusSchema = el({
  Active: Text,
  Active_Status_Date: Text,
  Hire_Date: Text,
  Original_Hire_Date: Text,
  First_Day_of_Work: Text,
  Terminated: Text,
  Termination_Date: Text,
  Hire_Rescinded: Text,
  Leave_Status_Data: many(LeaveSchema),
});
export type WdStatus = z.infer<typeof StatusSchema>;

/** One `Worker` of a Get_Workers response. A worker without a WID cannot be identified and is refused. */
export const WorkerSchema = el({
  Worker_Reference: RefSchema,
  Worker_Descriptor: Text,
  Worker_Data: el({
    Worker_ID: Text,
    User_ID: Text,
    Universal_ID: Text,
    Personal_Data: el({
      Name_Data: el({
        Legal_Name_Data: el({ Name_Detail_Data: NameDetailSchema.optional() }).optional(),
        Preferred_Name_Data: el({ Name_Detail_Data: NameDetailSchema.optional() }).optional(),
      }).optional(),
      Contact_Data: el({ Email_Address_Data: many(EmailSchema) }).optional(),
    }).optional(),
    Employment_Data: el({
      Worker_Job_Data: many(JobSchema),
      /** Pre-v30 layout (`Employment_Data/Position_Data`), tolerated. */
      Position_Data: many(PositionSchema),
      Worker_Status_Data: StatusSchema.optional(),
    }).optional(),
    Organization_Data: el({ Worker_Organization_Data: many(OrgMembershipSchema) }).optional(),
    Management_Chain_Data: el({ Worker_Supervisory_Management_Chain_Data: ChainSchema.optional() }).optional(),
  }).optional(),
}).superRefine((w, ctx) => {
  const wid = w.Worker_Reference.ID.find((i) => i['@type'] === 'WID' && i['#text']?.trim());
  if (!wid)
    ctx.addIssue({
      code: 'custom',
      path: ['Worker_Reference', 'ID'],
      message: 'the worker has no WID (is Include_Reference on?)',
    });
});
export type WdWorker = z.infer<typeof WorkerSchema>;
