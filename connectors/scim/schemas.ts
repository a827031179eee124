/**
 * Zod schemas of SCIM 2.0 wire objects (RFC 7643 §4, RFC 7644 §3.4.2, §3.12), only what orgsync
 * reads; unknown attributes pass through. SCIM attribute names are case-insensitive
 * (RFC 7643 §2.1), so records are first rewritten to the RFC's spelling (`Active` -> `active`,
 * `Manager` -> `manager`, a lower-case extension URN -> the canonical URN) by `canonicalUser` /
 * `canonicalGroup`. Types are tolerant where real servers differ from the RFC (`active: "False"`,
 * `manager: "<id>"`, numeric ids, `status` as a number); `map.ts` interprets the values.
 */
import { z } from 'zod';

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_MESSAGE = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Rename keys that match `names` case-insensitively to the canonical spelling. An exact-case key
 * wins over a differently-cased duplicate. Other keys are kept as they are. Built with
 * `Object.fromEntries`, so a `__proto__` key stays plain data.
 */
const lowerNames = new WeakMap<readonly string[], Map<string, string>>();
function lowerMap(names: readonly string[]): Map<string, string> {
  let m = lowerNames.get(names);
  if (!m) {
    m = new Map(names.map((n) => [n.toLowerCase(), n]));
    lowerNames.set(names, m);
  }
  return m;
}

/** The canonical spellings themselves, for the fast path (a key spelled exactly so needs no lower-casing). */
const exactNames = new WeakMap<readonly string[], Set<string>>();
function exactSet(names: readonly string[]): Set<string> {
  let s = exactNames.get(names);
  if (!s) {
    s = new Set(names);
    exactNames.set(names, s);
  }
  return s;
}

function canonicalKeys(obj: Rec, names: readonly string[], drop: readonly string[] = []): Rec {
  const byLower = lowerMap(names);
  const exactSpelling = exactSet(names);
  // Fast path (the common case: a conformant server): every key already canonical or unknown, nothing to drop.
  let clean = true;
  for (const k of Object.keys(obj)) {
    // Spelled exactly as the RFC does (and no drop name is a canonical name): nothing to do for it.
    if (exactSpelling.has(k)) continue;
    const lower = k.toLowerCase();
    const canonical = byLower.get(lower);
    if (
      (canonical !== undefined && canonical !== k) ||
      (drop.length > 0 && drop.some((d) => d.toLowerCase() === lower))
    ) {
      clean = false;
      break;
    }
  }
  if (clean) return obj;
  const dropped = new Set(drop.map((d) => d.toLowerCase()));
  const entries: Array<[string, unknown]> = [];
  const exact = new Set(Object.keys(obj).filter((k) => names.includes(k)));
  for (const [k, v] of Object.entries(obj)) {
    const lower = k.toLowerCase();
    if (dropped.has(lower)) continue;
    const canonical = byLower.get(lower);
    if (canonical && canonical !== k && exact.has(canonical)) continue; // exact spelling present: keep that one
    entries.push([canonical ?? k, v]);
  }
  return Object.fromEntries(entries);
}

const mapRec = (v: unknown, names: readonly string[]): unknown => (isRec(v) ? canonicalKeys(v, names) : v);
const mapList = (v: unknown, names: readonly string[]): unknown =>
  Array.isArray(v) ? v.map((x) => mapRec(x, names)) : v;

const USER_KEYS = [
  'schemas',
  'id',
  'externalId',
  'userName',
  'name',
  'displayName',
  'nickName',
  'title',
  'userType',
  'active',
  'emails',
  'groups',
  'meta',
  'managerId',
  ENTERPRISE_USER,
] as const;
const NAME_KEYS = ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'] as const;
const MULTI_KEYS = ['value', 'display', 'type', 'primary', '$ref'] as const;
const META_KEYS = ['resourceType', 'created', 'lastModified', 'location', 'version'] as const;
const ENTERPRISE_KEYS = [
  'employeeNumber',
  'costCenter',
  'organization',
  'division',
  'department',
  'manager',
  'managerId',
] as const;
const MANAGER_KEYS = ['value', '$ref', 'displayName'] as const;
const GROUP_KEYS = ['schemas', 'id', 'externalId', 'displayName', 'members', 'meta'] as const;

/**
 * A SCIM User with attribute names in the RFC's spelling. `password` (writeOnly, "returned: never")
 * is dropped if a server sends it anyway. Enterprise attributes a server flattened into top-level
 * keys in PATCH-path form (`urn:…:enterprise:2.0:User:department`) are moved into the extension.
 */
export function canonicalUser(raw: unknown): unknown {
  if (!isRec(raw)) return raw;
  // Fast path (a conformant server): everything already in the RFC's spelling; the record itself,
  // not a copy of it (nothing is changed in place).
  if (isCanonicalUser(raw)) return raw;
  const prefix = `${ENTERPRISE_USER}:`.toLowerCase();
  const flattened: Array<[string, unknown]> = [];
  const rest: Rec = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.toLowerCase().startsWith(prefix)) flattened.push([k.slice(prefix.length), v]);
    else if (k === '__proto__')
      Object.defineProperty(rest, k, { value: v, enumerable: true, writable: true, configurable: true });
    else rest[k] = v;
  }
  const u = canonicalKeys(rest, USER_KEYS, ['password']);
  let ext = u[ENTERPRISE_USER];
  if (flattened.length) ext = { ...Object.fromEntries(flattened), ...(isRec(ext) ? ext : {}) };
  if (isRec(ext)) {
    const e = canonicalKeys(ext, ENTERPRISE_KEYS);
    e['manager'] = mapRec(e['manager'], MANAGER_KEYS);
    u[ENTERPRISE_USER] = e;
  }
  u['name'] = mapRec(u['name'], NAME_KEYS);
  u['emails'] = mapList(u['emails'], MULTI_KEYS);
  u['groups'] = mapList(u['groups'], MULTI_KEYS);
  u['meta'] = mapRec(u['meta'], META_KEYS);
  for (const k of ['name', 'emails', 'groups', 'meta'] as const) if (u[k] === undefined) delete u[k];
  return u;
}

const ENTERPRISE_PREFIX = `${ENTERPRISE_USER}:`.toLowerCase();
const sameRec = (v: unknown, names: readonly string[]): boolean => mapRec(v, names) === v;
const sameList = (v: unknown, names: readonly string[]): boolean =>
  !Array.isArray(v) || v.every((x) => sameRec(x, names));

/** True when `canonicalUser` would return a record equal to `raw` (then `raw` itself is returned). */
function isCanonicalUser(raw: Rec): boolean {
  if (Object.prototype.hasOwnProperty.call(raw, '__proto__')) return false;
  for (const k of Object.keys(raw))
    if (
      k.length >= ENTERPRISE_PREFIX.length &&
      (k.charCodeAt(0) | 32) === 117 && // 'u' or 'U': only then can it start with the URN
      k.toLowerCase().startsWith(ENTERPRISE_PREFIX)
    )
      return false;
  if (canonicalKeys(raw, USER_KEYS, ['password']) !== raw) return false;
  const ext = raw[ENTERPRISE_USER];
  if (isRec(ext) && (canonicalKeys(ext, ENTERPRISE_KEYS) !== ext || !sameRec(ext['manager'], MANAGER_KEYS)))
    return false;
  // `canonicalUser` writes these keys even when absent (then deletes them): absent or unchanged is the same.
  return (
    sameRec(raw['name'], NAME_KEYS) &&
    sameList(raw['emails'], MULTI_KEYS) &&
    sameList(raw['groups'], MULTI_KEYS) &&
    sameRec(raw['meta'], META_KEYS)
  );
}

export function canonicalGroup(raw: unknown): unknown {
  if (!isRec(raw)) return raw;
  const g = canonicalKeys(raw, GROUP_KEYS);
  g['members'] = mapList(g['members'], MULTI_KEYS);
  g['meta'] = mapRec(g['meta'], META_KEYS);
  for (const k of ['members', 'meta'] as const) if (g[k] === undefined) delete g[k];
  return g;
}

const idLike = z.union([z.string().trim().min(1), z.number()]).transform((v) => String(v));
/** A scalar attribute as servers send it (objects and arrays are rejected). */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();
const boolish = z.union([z.boolean(), z.string(), z.number(), z.null()]).optional();

const MultiValue = z.looseObject({
  value: scalar,
  display: scalar,
  type: scalar,
  primary: boolish,
  $ref: scalar,
});

const Meta = z
  .looseObject({ resourceType: scalar, created: scalar, lastModified: scalar, location: scalar, version: scalar })
  .nullable()
  .optional();

/** `manager` as the RFC has it (`{value, $ref, displayName}`), as `{value}`, or as a plain id/userName string (Entra). */
const Manager = z
  .union([z.string(), z.number(), z.looseObject({ value: scalar, $ref: scalar, displayName: scalar }), z.null()])
  .optional();

export const EnterpriseUserSchema = z.looseObject({
  employeeNumber: scalar,
  costCenter: scalar,
  organization: scalar,
  division: scalar,
  department: scalar,
  manager: Manager,
  /** Non-standard (some OneLogin templates). */
  managerId: scalar,
});
export type EnterpriseUser = z.infer<typeof EnterpriseUserSchema>;

const UserShape = z.looseObject({
  id: idLike,
  externalId: scalar,
  userName: scalar,
  name: z
    .looseObject({ formatted: scalar, familyName: scalar, givenName: scalar, middleName: scalar })
    .nullable()
    .optional(),
  displayName: scalar,
  nickName: scalar,
  title: scalar,
  userType: scalar,
  active: boolish,
  emails: z.array(MultiValue).nullable().optional(),
  groups: z.array(MultiValue).nullable().optional(),
  meta: Meta,
  /** Non-standard top-level manager id (some templates). */
  managerId: scalar,
  [ENTERPRISE_USER]: EnterpriseUserSchema.nullable().optional(),
});
export type ScimUser = z.infer<typeof UserShape>;

/** One record of `GET /Users`, attribute names canonicalized first. */
export const ScimUserSchema = z.preprocess(canonicalUser, UserShape) as unknown as z.ZodType<ScimUser>;

const GroupShape = z.looseObject({
  id: idLike,
  externalId: scalar,
  displayName: scalar,
  members: z
    .array(z.looseObject({ value: idLike, display: scalar, type: scalar, $ref: scalar }))
    .nullable()
    .optional(),
  meta: Meta,
});
export type ScimGroup = z.infer<typeof GroupShape>;

/** One record of `GET /Groups`. */
export const ScimGroupSchema = z.preprocess(canonicalGroup, GroupShape) as unknown as z.ZodType<ScimGroup>;

/** `GET /ServiceProviderConfig` (RFC 7643 §5), tolerant: everything orgsync reads is optional. */
export const ServiceProviderConfigSchema = z.looseObject({
  filter: z
    .looseObject({ supported: boolish, maxResults: z.union([z.number(), z.string(), z.null()]).optional() })
    .nullable()
    .optional(),
});

/** A SCIM error body (RFC 7644 §3.12); `status` is a string per the RFC, a number on some servers. */
export const ScimErrorSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  status: z.union([z.string(), z.number()]).optional(),
  scimType: z.string().nullable().optional(),
  detail: z.string().nullable().optional(),
});
export type ScimError = z.infer<typeof ScimErrorSchema>;
