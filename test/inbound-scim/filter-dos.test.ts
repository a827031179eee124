/**
 * Issue 12 §6: one tenant must not be able to freeze every tenant with a filter. The parser is
 * linear: asserted on its step counter (parseStats), and on wall time only relative to a trivial
 * filter measured in the same test with a generous factor.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_FILTER_LENGTH,
  parseFilterText,
  parsePatchPath,
  parseStats,
} from '../../src/inbound-scim/filter-parser.js';
import { client, expectScimError, makeHandler, patchOp, user } from './helpers.js';

const enc = encodeURIComponent;
const backslashes = `userName eq "a${'\\'.repeat(48)}`;
const nested = (k: number) => Array.from({ length: k }, () => '(userName eq "a" or userName eq "b")').join(' and ');

/** A deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = [
  '(',
  ')',
  '[',
  ']',
  '"',
  '\\',
  ' ',
  'and',
  'or',
  'not',
  'eq',
  'pr',
  'gt',
  'userName',
  'emails',
  'type',
  '"work"',
  'a',
  '.',
  ':',
  'urn:x:y',
  '1',
  'true',
];

function steps(text: string): number {
  try {
    parseFilterText(text);
  } catch {
    // rejections count too
  }
  return parseStats.steps;
}

describe('filter parser: linear, bounded', () => {
  it('an unterminated string of backslashes and 16+ nested groups are refused or parsed in linear steps', () => {
    expect(() => parseFilterText(backslashes)).toThrow(/unterminated string/);
    expect(steps(backslashes)).toBeLessThanOrEqual(4 * backslashes.length);
    for (const k of [16, 17, 40]) {
      const f = nested(k);
      const node = parseFilterText(f);
      expect(node.kind).toBe('and');
      expect(parseStats.steps).toBeLessThanOrEqual(4 * f.length);
    }
  });

  it('limits: length, depth, comparisons -> 400 invalidFilter', () => {
    const err = (f: string) => {
      try {
        parseFilterText(f);
      } catch (e) {
        return e as { status: number; scimType: string };
      }
      throw new Error('accepted');
    };
    expect(err('x'.repeat(MAX_FILTER_LENGTH + 1))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect(err(`${'('.repeat(100)}userName eq "a"${')'.repeat(100)}`)).toMatchObject({
      status: 400,
      scimType: 'invalidFilter',
    });
    expect(err(Array.from({ length: 250 }, () => 'a pr').join(' or '))).toMatchObject({
      status: 400,
      scimType: 'invalidFilter',
    });
  });

  it('property: any filter under 1 KB takes steps linear in its length (5,000 random filters)', () => {
    const next = rng(12);
    let worst = 0;
    for (let n = 0; n < 5000; n++) {
      let f = '';
      const target = 1 + Math.floor(next() * 1000);
      while (f.length < target) f += PIECES[Math.floor(next() * PIECES.length)]! + (next() < 0.5 ? ' ' : '');
      f = f.slice(0, 1023);
      worst = Math.max(worst, steps(f) / f.length);
    }
    // Each character is looked at a bounded number of times (tokenizer once, parser once per token).
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('PATCH paths are parsed by the same grammar: bad ones are 400 invalidPath', () => {
    expect(parsePatchPath('emails[type eq "work"].value')).toMatchObject({ attrPath: 'emails', sub: 'value' });
    expect(() => parsePatchPath(`emails[value eq "a${'\\'.repeat(48)}]`)).toThrow(
      expect.objectContaining({ scimType: 'invalidPath' }),
    );
    expect(() => parsePatchPath('emails[type eq "work"]x')).toThrow(
      expect.objectContaining({ scimType: 'invalidPath' }),
    );
  });
});

describe('through the handler, relative to a trivial filter', () => {
  it('hostile filters, attributes= and PATCH paths answer typed 400s about as fast as a trivial filter', async () => {
    const scim = client(makeHandler());
    const id = (await scim('POST', '/Users', user('a'))).json.id;
    const time = async (fn: () => Promise<unknown>, reps = 20) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) await fn();
      return Number(process.hrtime.bigint() - t0) / reps;
    };
    const trivial = await time(() => scim('GET', `/Users?filter=${enc('userName eq "a"')}`));

    expectScimError(await scim('GET', `/Users?filter=${enc(backslashes)}`), 400, 'invalidFilter');
    expectScimError(
      await scim('GET', `/Users?attributes=${enc(`userName eq "a${'\\'.repeat(48)}`)}`),
      400,
      'invalidPath',
    );
    expectScimError(
      await scim(
        'PATCH',
        `/Users/${id}`,
        patchOp({ op: 'replace', path: `emails[value eq "a${'\\'.repeat(48)}].value`, value: 'x' }),
      ),
      400,
      'invalidPath',
    );
    const big = `emails[${nested(17).replace(/userName/g, 'value')}].value`;
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: big, value: 'x' })),
      400,
      'invalidPath',
    );
    const n17 = await scim('GET', `/Users?filter=${enc(nested(17))}`);
    expect(n17.status).toBe(200);
    expect(n17.json.totalResults).toBe(1);

    const hostile = await time(async () => {
      await scim('GET', `/Users?filter=${enc(backslashes)}`);
      await scim('GET', `/Users?filter=${enc(nested(20))}`);
      await scim('GET', `/Users?attributes=${enc(`userName eq "a${'\\'.repeat(48)}`)}`);
      await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: big, value: 'x' }));
    });
    // Before the fix one of these took 57 s; a generous factor over 4 trivial requests.
    expect(hostile).toBeLessThan(Math.max(trivial * 4 * 50, 50e6));
  });
});
