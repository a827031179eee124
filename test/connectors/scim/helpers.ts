/** Shared bits of the SCIM connector tests: fixtures, reference-material location, error text. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../../..');
/** `../shared` beside the project (reference specs); absent in users' clones. */
export const shared = path.resolve(root, '../shared');
export const scimSpecs = path.join(shared, 'specs', 'scim');
export const hasScimSpecs = fs.existsSync(scimSpecs);

export function fixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(root, 'fixtures', 'scim', name), 'utf8')) as T;
}

export function fixtureNames(): string[] {
  return fs.readdirSync(path.join(root, 'fixtures', 'scim')).filter((f) => f.endsWith('.json'));
}

/** An error fixture: `{status, headers, body}`. */
export interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export const SCIM_HEADERS = { 'content-type': 'application/scim+json; charset=utf-8' };

/** Everything reachable from an error: message, JSON, stack, and the same for its cause chain. */
export { errorText } from '../../../src/testing/conformance.js';

/** Await a promise that must reject; returns the error. */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
