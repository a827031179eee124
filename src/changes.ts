/**
 * Change events produced by comparing two complete snapshots (see `diffSnapshots`).
 * Defined as zod schemas so consumers can validate events they persist or receive.
 */
import { z } from 'zod';
import { EmployeeSchema, GroupSchema } from './model.js';

export const EmployeeChangeTypeSchema = z.enum([
  'HIRE',
  'REHIRE',
  'TERMINATION',
  'TERMINATION_SCHEDULED',
  'LEAVE_START',
  'LEAVE_END',
  'MANAGER_CHANGE',
  'TITLE_CHANGE',
  'GROUP_CHANGE',
  'LOCATION_CHANGE',
  'EMAIL_CHANGE',
  'PROFILE_UPDATE',
  'REMOTE_DELETED',
  'IDENTITY_CHANGE',
]);
export type EmployeeChangeType = z.infer<typeof EmployeeChangeTypeSchema>;

export const GroupChangeTypeSchema = z.enum(['GROUP_CREATED', 'GROUP_RENAMED', 'GROUP_DELETED', 'GROUP_REPARENTED']);
export type GroupChangeType = z.infer<typeof GroupChangeTypeSchema>;

export const FieldChangeSchema = z.object({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  /** Display name(s) of an id-valued `before` (managerId: the manager's name; groupIds: group names; locationId). */
  beforeLabel: z.union([z.string(), z.array(z.string())]).optional(),
  /** Display name(s) of an id-valued `after`, as for `beforeLabel`. */
  afterLabel: z.union([z.string(), z.array(z.string())]).optional(),
});
export type FieldChange = z.infer<typeof FieldChangeSchema>;

export const EmployeeChangeEventSchema = z.object({
  /** Stable id: the same change diffed twice yields the same id. */
  id: z.string(),
  kind: z.literal('employee'),
  type: EmployeeChangeTypeSchema,
  employeeId: z.string(),
  /** The employee as it is now (for REMOTE_DELETED: as it was last seen). */
  employee: EmployeeSchema,
  /** The employee as it was before (absent for HIRE). */
  previous: EmployeeSchema.optional(),
  changes: z.array(FieldChangeSchema),
  /** For IDENTITY_CHANGE: the id this person had before. */
  previousEmployeeId: z.string().optional(),
  /** For IDENTITY_CHANGE: which attribute matched (`employeeNumber` or `workEmail`). */
  matchedOn: z.string().optional(),
  /** The date the change takes effect where known (e.g. termination date), `YYYY-MM-DD`. */
  effectiveDate: z.string().nullable().optional(),
});
export type EmployeeChangeEvent = z.infer<typeof EmployeeChangeEventSchema>;

export const GroupChangeEventSchema = z.object({
  id: z.string(),
  kind: z.literal('group'),
  type: GroupChangeTypeSchema,
  groupId: z.string(),
  group: GroupSchema,
  previous: GroupSchema.optional(),
  changes: z.array(FieldChangeSchema),
});
export type GroupChangeEvent = z.infer<typeof GroupChangeEventSchema>;

export const ChangeEventSchema = z.discriminatedUnion('kind', [EmployeeChangeEventSchema, GroupChangeEventSchema]);
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
