/** Shared bits of the Paylocity tests: fixtures and where the vendor spec lives. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** `../shared` beside the project (specs); absent in users' clones. */
export const paylocitySpecPath = path.join(root, '..', 'shared', 'specs', 'paylocity', 'paylocity-v2-openapi.yml');
export const hasPaylocitySpec = fs.existsSync(paylocitySpecPath);
export const CO = 'E74120';
export const IDS = ['1001', '1002', '1003', '1004', '1005', '1006', '1007'] as const;

/** A fixture body (parsed fresh each time, so tests may mutate it). */
export function fixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(root, 'fixtures', 'paylocity', name), 'utf8')) as T;
}
export const record = (id: string) => fixture(`GET_v2_companies_companyId_employees_${id}.json`);
