/** Shared helpers for the Workday connector tests: fixtures, XSD access, element extraction. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixturesDir = path.resolve(here, '../../../fixtures/workday');
/** Reference material beside the project (absent in users' clones: tests that need it skip). */
export const shared = path.resolve(here, '../../../../shared');
export const hasShared = fs.existsSync(path.join(shared, 'specs/workday/Human_Resources.xsd'));

export const HOST = 'wd2-impl-services1.workday.com';
export const TENANT = 'acme_impl1';
export const ORIGIN = `https://${HOST}`;
export const PATH = `/ccx/service/${TENANT}/Human_Resources/v44.0`;
export const USERNAME = 'ISU_orgsync';
export const PASSWORD = 'Fx7&q<Secret-Wd-2025>';

export const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20 }, rateLimit: { requests: 1000, intervalMs: 1000 } };

export function fixture(name: string): string {
  return fs.readFileSync(path.join(fixturesDir, name), 'utf8');
}

const meta = JSON.parse(fixture('responses.json')) as Record<
  string,
  { status: number; headers: Record<string, string> }
>;

/** Status, body and headers of a fixture, as Workday sends it. */
export function reply(name: string): [number, string, Record<string, string>] {
  const m = meta[name];
  if (!m) throw new Error(`no responses.json entry for ${name}`);
  return [m.status, fixture(name), m.headers];
}

export function readXsd(): string {
  return fs.readFileSync(path.join(shared, 'specs/workday/Human_Resources.xsd'), 'utf8');
}

/**
 * Extract `<prefix:Get_Workers_Response ...>...</prefix:Get_Workers_Response>` (or any element)
 * from a SOAP envelope as a standalone document, carrying over the namespace declarations its
 * ancestors made.
 */
export function extractElement(xml: string, local: string): string {
  const start = new RegExp(`<([A-Za-z_][\\w.-]*:)?${local}[\\s>/]`).exec(xml);
  if (!start) throw new Error(`no ${local} element`);
  const prefix = start[1] ?? '';
  const endTag = `</${prefix}${local}>`;
  const end = xml.lastIndexOf(endTag);
  if (end < 0) throw new Error(`no closing ${endTag}`);
  const element = xml.slice(start.index, end + endTag.length);
  const openEnd = element.indexOf('>');
  const ownTag = element.slice(0, openEnd);
  const inherited = new Map<string, string>();
  for (const m of xml.slice(0, start.index).matchAll(/xmlns(?::([\w.-]+))?="([^"]*)"/g))
    inherited.set(m[1] ?? '', m[2]!);
  const extra = [...inherited.entries()]
    .filter(([p]) => !new RegExp(`xmlns${p ? `:${p}` : ''}=`).test(ownTag))
    .map(([p, uri]) => ` xmlns${p ? `:${p}` : ''}="${uri}"`)
    .join('');
  const at = 1 + prefix.length + local.length;
  return element.slice(0, at) + extra + element.slice(at);
}
