/**
 * The record splitter (src/http/json-records.ts) against `JSON.parse`: every JSON fixture at every
 * path to an array, seeded random JSON split at every chunk boundary, and bodies that are not JSON
 * (cut off, malformed inside or between records, bytes after the end) failing as `JSON.parse` does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonRecordSplitter, JsonSplitError, splitJson } from '../../src/http/json-records.js';
import { rng } from '../../src/simulator/sample-org.js';

const root = path.resolve(__dirname, '../../fixtures');

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Every key path (from the top-level object, at most 3 deep) that holds an array, and [] for a top-level array. */
function arrayPaths(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (Array.isArray(value)) out.push(prefix);
  else if (value && typeof value === 'object' && prefix.length < 3)
    for (const [k, v] of Object.entries(value)) arrayPaths(v, [...prefix, k], out);
  return out;
}

/** Split `bytes` into chunks of `size` (the last one shorter). */
function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The same value, key order and all (`toStrictEqual` ignores key order; the JSON text does not). */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

describe('record splitter vs JSON.parse on the fixtures', () => {
  const files = jsonFiles(root);
  it('finds the fixtures', () => expect(files.length).toBeGreaterThan(50));
  for (const file of files) {
    it(path.relative(root, file), () => {
      const bytes = readFileSync(file);
      const expected = JSON.parse(bytes.toString('utf8'));
      const paths = [...arrayPaths(expected), ['employees'], ['Resources'], ['no', 'such', 'list']];
      for (const records of paths) {
        for (const size of [1, 3, 64, 4096, bytes.length]) {
          let seen = 0;
          const texts: string[] = [];
          const r = splitJson(chunks(bytes, size), {
            records,
            onRecord: (record, text) => {
              seen++;
              texts.push(text);
              expectSame(record, JSON.parse(text));
            },
          });
          expectSame(r.value, expected);
          expect(r.records).toBe(seen);
          // Each record's text is its exact bytes in the body.
          for (const t of texts) expect(bytes.includes(Buffer.from(t))).toBe(true);
        }
      }
    });
  }

  it('streams SCIM Resources in any case with ignoreCase, and only then', () => {
    const body = Buffer.from('{"totalResults":2,"resources":[{"id":"a"},{"id":"b"}],"startIndex":1}');
    let n = 0;
    const r = splitJson(body, { records: ['Resources'], ignoreCase: true, onRecord: () => n++ });
    expect(n).toBe(2);
    expectSame(r.value, JSON.parse(body.toString()));
    expect(r.outline).toBe('{"totalResults":2,"resources":[],"startIndex":1}');
    n = 0;
    splitJson(body, { records: ['Resources'], onRecord: () => n++ });
    expect(n).toBe(0);
  });
});

/** A seeded PRNG (mulberry32, shared with the sample org), so a failure names a seed that reproduces it. */
const prng = rng;

const PIECES = [
  'a',
  'Z',
  ' ',
  '"',
  '\\',
  '/',
  '\u2028',
  '\u2029',
  'é',
  '€',
  '𝄞',
  '\n',
  '\t',
  '\u0000',
  '{',
  ']',
  ',',
  ':',
];

function randomString(rnd: () => number): string {
  let s = '';
  const n = Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rnd() * PIECES.length)];
  return s;
}

function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 3 || r < 0.3) {
    const k = Math.floor(rnd() * 6);
    if (k === 0) return null;
    if (k === 1) return rnd() < 0.5;
    if (k === 2) return Math.floor(rnd() * 2000) - 1000;
    if (k === 3) return rnd() * 1e6 - 5e5;
    return randomString(rnd);
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) o[rnd() < 0.3 ? 'list' : randomString(rnd)] = randomValue(rnd, depth + 1);
  return o;
}

/** JSON text with random whitespace between tokens and some characters written as \u escapes. */
function randomText(value: unknown, rnd: () => number): string {
  const ws = () => [' ', '\n', '\t', '\r\n  ', ''][Math.floor(rnd() * 5)]!;
  const str = (s: string) =>
    JSON.stringify(s).replace(/[a-zé]/g, (ch) =>
      rnd() < 0.2 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch,
    );
  if (Array.isArray(value)) return `[${ws()}${value.map((v) => randomText(v, rnd)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (value && typeof value === 'object')
    return `{${ws()}${Object.entries(value)
      .map(([k, v]) => `${str(k)}${ws()}:${ws()}${randomText(v, rnd)}`)
      .join(`${ws()},${ws()}`)}${ws()}}`;
  if (typeof value === 'string') return str(value);
  return JSON.stringify(value);
}

describe('record splitter vs JSON.parse on random JSON (seeded)', () => {
  it('agrees on 400 random bodies, split at every chunk boundary for the small ones', () => {
    let splits = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = prng(seed);
      const list = Array.from({ length: Math.floor(rnd() * 5) }, () => randomValue(rnd, 1));
      const body: Record<string, unknown> = { before: randomValue(rnd, 2) };
      if (rnd() < 0.5) body['list'] = list;
      else body['data'] = { x: randomValue(rnd, 2), list, y: 1 };
      body['after'] = randomValue(rnd, 2);
      const text = (rnd() < 0.2 ? '\ufeff' : '') + `${randomText(body, rnd)}${rnd() < 0.3 ? '\n' : ''}`;
      const bytes = Buffer.from(text, 'utf8');
      const expected = JSON.parse(text.replace(/^\ufeff/, ''));
      const records = 'list' in body ? ['list'] : ['data', 'list'];
      const cuts = bytes.length <= 300 ? Array.from({ length: bytes.length + 1 }, (_, i) => i) : [1, 2, 7, 100];
      for (const cut of cuts) {
        // Two chunks at every boundary (splitting escapes, keys, numbers and multi-byte characters).
        const parts = [bytes.subarray(0, cut), bytes.subarray(cut)];
        const r = splitJson(parts, { records });
        expectSame(r.value, expected);
        splits++;
      }
      expectSame(splitJson(chunks(bytes, 1), { records }).value, expected);
      expectSame(splitJson(chunks(bytes, 1), { records: ['before'] }).value, expected);
    }
    expect(splits).toBeGreaterThan(10_000);
  });

  it('agrees on a top-level array (records: [])', () => {
    for (let seed = 1000; seed < 1100; seed++) {
      const rnd = prng(seed);
      const list = Array.from({ length: Math.floor(rnd() * 6) }, () => randomValue(rnd, 1));
      const text = randomText(list, rnd);
      const bytes = Buffer.from(text);
      let n = 0;
      for (const size of [1, 5, bytes.length]) {
        n = 0;
        expectSame(splitJson(chunks(bytes, size), { records: [], onRecord: () => n++ }).value, JSON.parse(text));
      }
      expect(n).toBe(list.length);
    }
  });
});

describe('record splitter on bodies that are not JSON', () => {
  const good = '{"fields":[{"id":"x"}],"employees":[{"id":"1","n":"a"},{"id":"2","n":"b\\"]}"},{"id":"3"}],"end":true}';
  const fails = (text: string, records = ['employees']) => {
    let err: unknown;
    try {
      splitJson(chunks(Buffer.from(text), 5), { records });
    } catch (e) {
      err = e;
    }
    expect(err, text).toBeInstanceOf(JsonSplitError);
    // JSON.parse refuses it too: the splitter never accepts what the whole-body parse would not.
    expect(() => JSON.parse(text), text).toThrow(SyntaxError);
    return (err as Error).message;
  };

  it('accepts the good body', () => {
    expectSame(splitJson(Buffer.from(good), { records: ['employees'] }).value, JSON.parse(good));
  });

  it('refuses a body cut off at every byte', () => {
    const messages = new Set<string>();
    for (let cut = 0; cut < good.length; cut++) messages.add(fails(good.slice(0, cut)).split(' at ')[0]!);
    // Cut inside the record list: said so, with the records seen.
    expect(fails(good.slice(0, good.indexOf('{"id":"3"')))).toMatch(
      /ended inside the list at 'employees' after 2 record/,
    );
  });

  it('refuses malformed records, separators and trailing bytes', () => {
    expect(fails(good.replace('"n":"a"', '"n":a'))).toMatch(/record 1 of 'employees' is not valid JSON/);
    expect(fails(good.replace('},{"id":"3"}', '}{"id":"3"}'))).toMatch(/expected ',' or '\]' after record 2/);
    expect(fails(good.replace('{"id":"3"}]', '{"id":"3"},]'))).toMatch(/a ',' before '\]'/);
    expect(fails(good.replace('[{"id":"1"', '[,{"id":"1"'))).toMatch(/missing before ','/);
    expect(fails('{"employees":[1 2]}')).toMatch(/expected ',' or '\]'/);
    expect(fails('{"employees":[1,tru]}')).toMatch(/record 2/);
    expect(fails(`${good} x`)).not.toMatch(/record/);
    expect(fails(`${good}{}`)).not.toMatch(/record/);
    fails('{"employees":[{"id":1}]');
    fails('{"employees" [{"id":1}]}');
    fails('{"a":1,"employees":[{"id":1}],}');
    fails('');
    fails('   ');
  });

  it('keeps failing after the first error', () => {
    const s = new JsonRecordSplitter({ records: ['employees'] });
    expect(() => s.write(Buffer.from('{"employees":[{"id":1}}'))).toThrow(JsonSplitError);
    expect(() => s.write(Buffer.from(']}'))).toThrow(JsonSplitError);
    expect(() => s.end()).toThrow(JsonSplitError);
  });

  it('parses a body whose path holds no array as a whole (the hooks decide)', () => {
    for (const text of ['{"employees":null}', '{"employees":{"a":[1]}}', '{"error":{"code":429}}', '[1,2]', '"x"']) {
      expectSame(splitJson(chunks(Buffer.from(text), 2), { records: ['employees'] }).value, JSON.parse(text));
    }
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const text = '{"employees":[1,2],"x":{"employees":[9]},"employees":[3]}';
    expectSame(splitJson(chunks(Buffer.from(text), 3), { records: ['employees'] }).value, JSON.parse(text));
  });
});
