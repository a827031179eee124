import { describe, expect, it } from 'vitest';
import { companyDueDate } from './helpers.js';

// The runtime tests date their sample changes with this; a wrong date made them fail at some hours only.
describe('companyDueDate (sample company in America/New_York, hires provisioned at 08:00)', () => {
  it.each([
    ['2026-12-05T05:40:00Z', '2026-12-04'], // 00:40 in New York: today's 08:00 hire is not due yet
    ['2026-12-05T12:59:00Z', '2026-12-04'], // 07:59 EST
    ['2026-12-05T13:00:00Z', '2026-12-05'], // 08:00 EST
    ['2026-12-05T02:00:00Z', '2026-12-04'], // 21:00 the day before in New York (UTC is a day ahead)
    ['2026-07-01T11:59:00Z', '2026-06-30'], // 07:59 EDT
    ['2026-07-01T12:00:00Z', '2026-07-01'], // 08:00 EDT
    ['2027-01-01T06:00:00Z', '2026-12-31'], // 01:00 on New Year's Day
  ])('at %s it is %s', (now, date) => {
    expect(companyDueDate(new Date(now))).toBe(date);
  });
});
