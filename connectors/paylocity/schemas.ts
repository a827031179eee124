/** Zod schemas of Paylocity's wire format (only what orgsync reads; unknown keys pass through). */
import { z } from 'zod';

// TODO: describe one employee row exactly as the vendor sends it (field names, nullability, enums as strings).
export const EmployeeRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
});
export type EmployeeRow = z.infer<typeof EmployeeRowSchema>;

export const GroupRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string(),
});
export type GroupRow = z.infer<typeof GroupRowSchema>;
