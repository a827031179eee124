/**
 * A vendor shape declared in a fault adapter is checked against a clean sync: a false claim fails
 * the matrix's "declared vendor shape matches a clean sync" cell (it cannot hide cells that should run).
 */
import { describe, expect, it } from 'vitest';
import type { Employee } from '../../src/model.js';
import { shapeProblems } from './helpers.js';

const person = (id: string, type: Employee['employmentType'], raw: string | null) =>
  ({ id, employmentType: type, employmentTypeRaw: raw }) as Employee;

describe('declared vendor shapes', () => {
  it('hold when a clean sync made one request and nobody has an employment type', () => {
    expect(
      shapeProblems({ oneRequest: 'one search', noEmploymentType: 'none' }, 1, {
        employees: [person('1', null, null)],
      }),
    ).toEqual([]);
    expect(shapeProblems({}, 7, { employees: [person('1', 'FULL_TIME', 'ft')] })).toEqual([]);
  });

  it('a false claim is named, with the reason given and what the sync did', () => {
    expect(shapeProblems({ oneRequest: 'one search' }, 3, { employees: [] })).toEqual([
      'declared one request (one search), but a clean sync made 3',
    ]);
    expect(
      shapeProblems({ noEmploymentType: 'none' }, 1, {
        employees: [person('a', null, 'Contractor'), person('b', 'OTHER', 'x'), person('c', null, null)],
      }),
    ).toEqual(['declared no employment type (none), but 2 people have one (a, b)']);
  });
});
