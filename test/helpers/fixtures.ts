import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `../shared` beside the project (reference specs and recordings); absent in users' clones. */
export const sharedDir = path.resolve(root, '../shared');
export const hasShared = fs.existsSync(path.join(sharedDir, 'specs'));

export function fixture<T = unknown>(vendor: string, name: string): T {
  return JSON.parse(fs.readFileSync(path.join(root, 'fixtures', vendor, name), 'utf8')) as T;
}

export function fixtureText(vendor: string, name: string): string {
  return fs.readFileSync(path.join(root, 'fixtures', vendor, name), 'utf8');
}

/** An error fixture: `{status, headers, body}`. */
export interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
