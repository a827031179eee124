/**
 * Date and status transitions that supersede what an earlier plan scheduled (a start date or
 * termination date that moved, a hire withdrawn, a termination called off).
 */
import type { EmployeeChangeEvent } from '../../changes.js';
import type { Employee } from '../../model.js';
import { ACTIVE_LIKE } from './context.js';

/** A pending hire whose start date moved (or who will not start any more). */
export function hireMoved(prev: Employee, emp: Employee): boolean {
  return prev.employmentStatus === 'PENDING' && !!prev.startDate && emp.startDate !== prev.startDate;
}

export function hireWithdrawn(prev: Employee, emp: Employee, events: EmployeeChangeEvent[]): boolean {
  return (
    prev.employmentStatus === 'PENDING' &&
    !!prev.startDate &&
    (hireMoved(prev, emp) || !ACTIVE_LIKE.has(emp.employmentStatus) || events.some((e) => e.type === 'REMOTE_DELETED'))
  );
}

/** A scheduled termination whose date moved or was removed while the person is still employed (or just terminated on another date). */
export function terminationMoved(prev: Employee, emp: Employee): boolean {
  return (
    !!prev.terminationDate && prev.employmentStatus !== 'TERMINATED' && emp.terminationDate !== prev.terminationDate
  );
}

export function terminationCalledOff(prev: Employee, emp: Employee): boolean {
  return terminationMoved(prev, emp) && !emp.terminationDate && emp.employmentStatus !== 'TERMINATED';
}
