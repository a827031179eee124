/**
 * `isoDate` and `isoDateTime` read the common forms digit by digit (issue 16: they run for every
 * person of a sync). They must answer exactly what parsing with `Date.parse` answered: compared
 * here with the reference implementations on the forms vendors send and on seeded random strings
 * around those forms (out-of-range fields, wrong separators, offsets, fractions, junk).
 */
import { describe, expect, it } from 'vitest';
import { isoDate, isoDateTime } from '../../src/connector/map-helpers.js';
import { rng } from '../../src/simulator/sample-org.js';

/** The implementations before the fast paths (the reference). */
function referenceDate(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
  if (!s) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10);
  }
  const [, y, mo, d] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const dim =
    month === 2
      ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
        ? 29
        : 28
      : [4, 6, 9, 11].includes(month)
        ? 30
        : 31;
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > dim) return null;
  return s.length === 10 ? s : `${y}-${mo}-${d}`;
}
function referenceDateTime(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

const vendorForms = [
  '2024-05-31',
  '2024-05-31T00:00:00Z',
  '2024-05-31T23:59:59.999Z',
  '2024-02-29T12:00:00Z',
  '2023-02-29T12:00:00Z',
  '2024-02-30T00:00:00Z',
  '2000-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '0000-00-00',
  '2024-01-01T24:00:00Z',
  '2024-01-01T23:60:00Z',
  '2024-01-01T23:59:60Z',
  '2024-13-01T00:00:00Z',
  '2024-05-31-07:00',
  '2024-05-31T10:00:00+02:00',
  '2024-05-31T10:00:00.5Z',
  '2024-05-31T10:00:00.123456Z',
  '2024-05-31 10:00:00',
  ' 2024-05-31T10:00:00Z ',
  '05/31/2024',
  'abcd-05-31',
  '2024-5-31',
  '2024-05-3',
  '２０２４-05-31',
  '2024-05-31T10:00:00z',
  '2024-05-31t10:00:00Z',
  'May 31, 2024',
  '',
  '   ',
];

describe('isoDate and isoDateTime fast paths answer as Date.parse did', () => {
  it('on the forms vendors send', () => {
    for (const s of vendorForms) {
      expect([s, isoDate(s)]).toEqual([s, referenceDate(s)]);
      expect([s, isoDateTime(s)]).toEqual([s, referenceDateTime(s)]);
    }
    expect(isoDateTime('2024-05-31T10:00:00Z')).toBe('2024-05-31T10:00:00.000Z');
    expect(isoDateTime('2024-02-30T00:00:00Z')).toBe('2024-03-01T00:00:00.000Z');
    expect(isoDate('2024-05-31-07:00')).toBe('2024-05-31');
  });

  it('on 20,000 seeded strings around those forms', () => {
    const r = rng(16);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const chars = '0123456789-:TZz.+ /a';
    for (let i = 0; i < 20_000; i++) {
      const base = pick(vendorForms).split('');
      // Change up to three characters, sometimes cut or extend the string.
      for (let k = Math.floor(r() * 4); k > 0 && base.length; k--)
        base[Math.floor(r() * base.length)] = pick(chars.split(''));
      if (r() < 0.1) base.length = Math.floor(r() * base.length);
      if (r() < 0.1) base.push(pick(chars.split('')));
      const s = base.join('');
      expect([s, isoDate(s)]).toEqual([s, referenceDate(s)]);
      expect([s, isoDateTime(s)]).toEqual([s, referenceDateTime(s)]);
    }
  });
});
