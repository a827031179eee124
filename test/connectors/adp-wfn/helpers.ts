/** Shared bits of the ADP Workforce Now tests: fixtures and where the vendor spec lives. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** `../shared` beside the project (specs); absent in users' clones. */
export const adpSpecPath = path.join(root, '..', 'shared', 'specs', 'adp-wfn', 'adp-workers-v2-openapi.yml');
export const hasAdpSpec = fs.existsSync(adpSpecPath);

/** A fixture body (parsed fresh each time, so tests may mutate it). */
export function fixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(root, 'fixtures', 'adp-wfn', name), 'utf8')) as T;
}

export const AOID = {
  ceo: 'G3JQ2N5ZVHR4K8A1',
  engMgr: 'G3JQ2N5ZVHR4K8B2',
  leave: 'G3JQ2N5ZVHR4K8C3',
  terminated: 'G3JQ2N5ZVHR4K8D4',
  futureHire: 'G3JQ2N5ZVHR4K8E5',
  rehire: 'G3JQ2N5ZVHR4K8F6',
  inactive: 'G3JQ2N5ZVHR4K8G7',
} as const;
