/**
 * Pure mapping from Paylocity's wire format to the orgsync model. No I/O here.
 * List every vendor quirk you handle at the top of this file.
 */
import type { Company, Group } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import type { EmployeeRow, GroupRow } from './schemas.js';

export function mapEmployee(row: EmployeeRow): EmployeeDraft {
  // TODO: map every field (see the table in README.md); unknown statuses -> 'UNKNOWN', unknown types -> 'OTHER', raw values kept.
  throw new Error(`paylocity: mapEmployee is not written yet (row ${row.id})`);
}

export function mapGroup(row: GroupRow): Group {
  return { id: row.id, name: row.name, type: 'DEPARTMENT', typeRaw: null, parentId: null };
}

export function mapCompany(): Company {
  // TODO: read the company from the vendor if it has an endpoint for it.
  throw new Error('paylocity: mapCompany is not written yet');
}
