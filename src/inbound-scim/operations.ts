/**
 * Pure resource operations on one tenant's users and groups: the views clients see (users with their
 * computed `groups`), list windows, and create / replace / patch / delete applied to a draft copy with
 * the uniqueness and member-reference checks. No I/O, no locking: tenant-state.ts runs them under the
 * tenant's write lock and commits the draft.
 */
import { badRequest, notFound, ScimHttpError } from './errors.js';
import { setKey } from './normalize.js';
import { applyPatch } from './patch.js';
import type { StoredResource } from './resource.js';
import type { ResourceKind, ResourceSpec } from './schema.js';
import type { QueryParams } from './search.js';

type Rec = Record<string, unknown>;

export interface Collections {
  users: Map<string, StoredResource>;
  groups: Map<string, StoredResource>;
}

/** A tenant's collections being changed by one write; `changed` says whether anything is to be committed. */
export interface Draft extends Collections {
  changed: boolean;
}

export function collection(o: Collections, kind: ResourceKind): Map<string, StoredResource> {
  return kind === 'User' ? o.users : o.groups;
}

/** Resources as clients see them (before projection): users with their computed `groups`. */
export function views(c: Collections, kind: ResourceKind): Rec[] {
  if (kind === 'Group') return [...c.groups.values()];
  const byUser = groupsByUser(c);
  return [...c.users.values()].map((u) => withGroups(u, byUser.get(u.id)));
}

export function view(c: Collections, kind: ResourceKind, r: StoredResource): Rec {
  return kind === 'Group' ? r : withGroups(r, groupsByUser(c).get(r.id));
}

function groupsByUser(c: Collections): Map<string, Rec[]> {
  const out = new Map<string, Rec[]>();
  for (const g of c.groups.values()) {
    for (const m of Array.isArray(g['members']) ? (g['members'] as Rec[]) : []) {
      if (m['type'] === 'Group') continue;
      const id = String(m['value']);
      const list = out.get(id) ?? [];
      list.push({ value: g.id, display: g['displayName'], type: 'direct' });
      out.set(id, list);
    }
  }
  return out;
}

function withGroups(u: Rec, groups: Rec[] | undefined): Rec {
  return groups?.length ? { ...u, groups } : u;
}

/** The page of a list request (`startIndex` is 1-based; `count` capped at `maxResults`). */
export function listWindow(q: QueryParams, maxResults: number): { start: number; count: number } {
  const start = Math.max(1, intParam(q.startIndex) ?? 1);
  const count = Math.min(maxResults, Math.max(0, intParam(q.count) ?? maxResults));
  return { start, count };
}

function intParam(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && v.trim() !== '' ? Math.trunc(n) : undefined;
}

export function getResource(c: Collections, spec: ResourceSpec, id: string): StoredResource {
  const stored = collection(c, spec.kind).get(id);
  if (!stored) throw notFound(`${spec.kind} ${id} not found.`);
  return stored;
}

export function createResource(
  d: Draft,
  spec: ResourceSpec,
  attrs: Rec,
  clock: () => Date,
  newId: () => string,
): StoredResource {
  const now = clock().toISOString();
  const id = newId();
  const resource = {
    id,
    ...attrs,
    meta: { resourceType: spec.kind, created: now, lastModified: now },
  } as StoredResource;
  checkResource(d, spec, resource);
  collection(d, spec.kind).set(id, resource);
  d.changed = true;
  return resource;
}

export function replaceResource(
  d: Draft,
  spec: ResourceSpec,
  id: string,
  attrs: Rec,
  clock: () => Date,
): StoredResource {
  const coll = collection(d, spec.kind);
  const old = coll.get(id);
  if (!old) throw notFound(`${spec.kind} ${id} not found.`);
  const resource = { id, ...attrs, meta: { ...old.meta, lastModified: clock().toISOString() } } as StoredResource;
  checkResource(d, spec, resource);
  if (sameContent(old, resource)) return old;
  coll.set(id, resource);
  d.changed = true;
  return resource;
}

export async function patchResource(
  d: Draft,
  spec: ResourceSpec,
  id: string,
  body: unknown,
  clock: () => Date,
): Promise<StoredResource> {
  const coll = collection(d, spec.kind);
  const old = coll.get(id);
  if (!old) throw notFound(`${spec.kind} ${id} not found.`);
  const patched = await applyPatch(spec, old, body);
  if (patched === old) return old;
  const resource = { ...patched, id, meta: { ...old.meta, lastModified: clock().toISOString() } } as StoredResource;
  const required = spec.kind === 'User' ? 'userName' : 'displayName';
  if (typeof resource[required] !== 'string' || !(resource[required] as string).trim()) {
    throw badRequest('invalidValue', `Attribute '${required}' is required and cannot be removed.`);
  }
  checkResource(d, spec, resource);
  if (sameContent(old, resource)) return old;
  coll.set(id, resource);
  d.changed = true;
  return resource;
}

/** Delete a resource; it also leaves every group it was a member of. */
export function deleteResource(d: Draft, spec: ResourceSpec, id: string, clock: () => Date): void {
  const coll = collection(d, spec.kind);
  if (!coll.has(id)) throw notFound(`${spec.kind} ${id} not found.`);
  coll.delete(id);
  const now = clock().toISOString();
  for (const [gid, g] of d.groups) {
    const members = Array.isArray(g['members']) ? (g['members'] as Rec[]) : [];
    if (!members.some((m) => m['value'] === id)) continue;
    const left = members.filter((m) => m['value'] !== id);
    const next = { ...g, meta: { ...g.meta, lastModified: now } } as StoredResource;
    if (left.length) next['members'] = left;
    else delete next['members'];
    d.groups.set(gid, next);
  }
  d.changed = true;
}

/** Uniqueness (userName; group displayName, which Entra requires) and member references. */
function checkResource(d: Collections, spec: ResourceSpec, r: StoredResource): void {
  if (spec.kind === 'User') {
    const name = String(r['userName']).toLowerCase();
    for (const u of d.users.values()) {
      if (u.id !== r.id && String(u['userName']).toLowerCase() === name) {
        const shown = String(r['userName']).slice(0, 200);
        throw new ScimHttpError(409, 'uniqueness', `A User with userName '${shown}' already exists.`);
      }
    }
    return;
  }
  const name = String(r['displayName']).toLowerCase();
  for (const g of d.groups.values()) {
    if (g.id !== r.id && String(g['displayName']).toLowerCase() === name) {
      const shown = String(r['displayName']).slice(0, 200);
      throw new ScimHttpError(409, 'uniqueness', `A Group with displayName '${shown}' already exists.`);
    }
  }
  const members = Array.isArray(r['members']) ? (r['members'] as Rec[]) : [];
  const fixed: Rec[] = [];
  for (const m of members) {
    const value = String(m['value'] ?? '');
    const type = d.users.has(value) ? 'User' : d.groups.has(value) ? 'Group' : null;
    if (!type)
      throw badRequest('invalidValue', `Member '${value.slice(0, 100)}' is not a User or Group of this tenant.`);
    if (value === r.id) throw badRequest('invalidValue', 'A group cannot be a member of itself.');
    const out: Rec = {};
    for (const [k, v] of Object.entries(m)) setKey(out, k, v);
    out['type'] = type;
    fixed.push(out);
  }
  if (members.length) r['members'] = fixed;
}

/** Equal apart from meta.lastModified. */
function sameContent(a: StoredResource, b: StoredResource): boolean {
  const strip = (r: StoredResource) => JSON.stringify({ ...r, meta: { ...r.meta, lastModified: '' } });
  return strip(a) === strip(b);
}
