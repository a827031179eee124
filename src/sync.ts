/**
 * `sync(connector, { previous })`: an incremental read where the vendor can list what changed,
 * merged into the previous snapshot; a full snapshot otherwise. Either way the result is a
 * complete snapshot that `diffSnapshots(previous, result.snapshot)` turns into change events.
 *
 * The watermark is taken when the run starts (not when it ends), and each read looks back a
 * vendor-specific window before it, so changes that become visible late are not missed; records
 * seen twice because of the overlap collapse by id.
 */
import { ConfigError, OrgsyncError, createError } from './errors.js';
import { finalizeEmployees, unresolvedField, type Connector, type EmployeeDraft } from './connector/define.js';
import {
  OrgSnapshotEnvelopeSchema,
  OrgSnapshotSchema,
  SCHEMA_VERSION,
  type Employee,
  type Group,
  type OrgSnapshot,
} from './model.js';
import { referenceWarnings, takeSnapshot, withSyncDeadline, type TakeSnapshotOptions } from './snapshot.js';

export interface SyncOptions extends TakeSnapshotOptions {
  /** The last complete snapshot of the same connector and company. Without it, a full snapshot is taken. */
  previous?: OrgSnapshot | undefined;
  /** Read changes since this time (default: `previous.watermark`). */
  since?: Date | string | undefined;
  /** Override the connector's lookback window (ms). */
  lookbackMs?: number | undefined;
  /** `auto` (default): incremental where possible; `full`: always a full snapshot (periodic reconcile). */
  mode?: 'auto' | 'full';
}

export interface SyncResult {
  snapshot: OrgSnapshot;
  mode: 'full' | 'incremental';
  /** Why a full read was done when incremental was asked for (if so). */
  reason?: string;
  /** Incremental only: ids the vendor reported as inserted/updated, and as deleted. */
  changedIds: string[];
  deletedIds: string[];
}

export async function sync(connector: Connector<any>, options: SyncOptions = {}): Promise<SyncResult> {
  // One overall deadline for the whole sync (a full read inside runs under the same one).
  return withSyncDeadline(connector, options, () => syncWithin(connector, options));
}

async function syncWithin(connector: Connector<any>, options: SyncOptions): Promise<SyncResult> {
  const startedAt = options.now ?? new Date();
  const prev = options.previous;
  const full = async (reason?: string): Promise<SyncResult> => ({
    snapshot: await takeSnapshot(connector, { ...options, now: startedAt }),
    mode: 'full',
    ...(reason ? { reason } : {}),
    changedIds: [],
    deletedIds: [],
  });
  if (options.mode === 'full') return full();
  if (!connector.readChanges || !connector.capabilities.incremental)
    return full(
      `${connector.name} cannot read changes incrementally; took a full snapshot (diff it against the previous one)`,
    );
  if (!prev) return full('no previous snapshot');
  const checked = OrgSnapshotSchema.safeParse(prev);
  if (!checked.success)
    throw new ConfigError({
      vendor: connector.id,
      message: 'sync: the previous snapshot is not a complete, valid orgsync snapshot.',
    });
  if (prev.connector !== connector.id) {
    throw new ConfigError({
      vendor: connector.id,
      message: `sync: the previous snapshot comes from '${prev.connector}', not '${connector.id}'.`,
    });
  }
  const sinceRaw = options.since ?? prev.watermark ?? null;
  if (!sinceRaw) return full('the previous snapshot has no watermark');
  const since = new Date(sinceRaw);
  if (Number.isNaN(since.getTime()))
    throw new ConfigError({ vendor: connector.id, message: `sync: 'since' is not a valid date: ${String(sinceRaw)}.` });
  const lookback = options.lookbackMs ?? connector.definition.incremental?.lookbackMs ?? 0;
  const from = new Date(since.getTime() - lookback);

  const derived = connector.definition.listsFromEmployees === true;
  let changes, company, locations;
  try {
    changes = await connector.readChanges(from, { now: startedAt });
    // Lists derived from employee rows come only from the changed rows here: merge them into the
    // previous snapshot's (the company is the previous one: a subset of workers cannot name it).
    company = derived ? prev.company : await connector.company();
    locations = derived ? mergeById(prev.locations, await connector.locations()) : await connector.locations();
  } catch (e) {
    throw syncFailure(connector, e);
  }
  if (company.id !== prev.company.id) {
    throw new ConfigError({
      vendor: connector.id,
      message: `sync: the previous snapshot is of company '${prev.company.id}', this connector reads '${company.id}'.`,
    });
  }

  // Merge: previous employees, minus deletions, with changed records replacing theirs (last one wins on overlap).
  const merged = new Map<string, { draft: EmployeeDraft; raw: unknown }>();
  const pending = prev.unresolvedManagerRefs ?? {};
  for (const e of prev.employees) {
    const { remoteData, ...rest } = e;
    // A manager reference that matched nobody last time is tried again (its manager may be new).
    const ref = Object.prototype.hasOwnProperty.call(pending, e.id) ? pending[e.id] : undefined;
    merged.set(e.id, { draft: ref && !e.managerId ? { ...rest, managerRef: ref } : rest, raw: remoteData ?? e });
  }
  const deleted = new Set(changes.deletedIds);
  for (const id of deleted) merged.delete(id);
  const changedIds: string[] = [];
  changes.employees.forEach((d, i) => {
    if (deleted.has(d.id)) return;
    // A manager reference must be re-resolved against the merged set; drop the stale id.
    merged.set(d.id, { draft: d.managerRef ? { ...d, managerId: null } : d, raw: changes.raw[i] });
    changedIds.push(d.id);
  });
  const { employees, warnings, unresolved } = finalizeEmployees(
    connector.definition,
    [...merged.values()],
    connector.options.includeRemoteData === true,
  );
  let groups;
  try {
    groups = derived
      ? mergeById(prev.groups, await connector.groups({ employees }))
      : await connector.groups({ employees });
  } catch (e) {
    throw syncFailure(connector, e);
  }
  if (derived) {
    // A full read derives these lists from everyone: a group or location nobody names any more is gone.
    groups = namedGroups(groups, employees);
    const used = new Set(employees.map((e) => e.locationId));
    locations = locations.filter((l) => used.has(l.id));
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  employees.sort(byId);
  groups = [...groups].sort(byId);
  locations = [...locations].sort(byId);
  // The same warnings, in the same order, as a full read of the same state (takeSnapshot).
  const allWarnings = [
    ...(changes.warnings ?? []),
    ...warnings,
    ...referenceWarnings(connector, { employees, groups, locations }),
  ];
  const snapshot = OrgSnapshotEnvelopeSchema.parse({
    schemaVersion: SCHEMA_VERSION,
    connector: connector.id,
    takenAt: startedAt.toISOString(),
    complete: true,
    company,
    employees,
    groups,
    locations,
    watermark: startedAt.toISOString(),
    warnings: allWarnings,
    ...unresolvedField(unresolved),
  });
  return {
    snapshot: connector.http.sawSecretInResponse ? connector.http.redactor.redactValue(snapshot) : snapshot,
    mode: 'incremental',
    changedIds: [...new Set(changedIds)].sort(),
    deletedIds: [...deleted].sort(),
  };
}

function syncFailure(connector: Connector<any>, e: unknown): OrgsyncError {
  if (
    e instanceof OrgsyncError &&
    (e.kind === 'auth' || e.kind === 'config' || e.kind === 'validation' || e.kind === 'incomplete')
  )
    return connector.http.redactor.redactError(e);
  return connector.http.redactor.redactError(
    createError({
      kind: 'incomplete',
      vendor: connector.id,
      message: `${e instanceof Error ? e.message : String(e)} The incremental ${connector.name} sync did not complete; the previous snapshot stays current.`,
      cause: e,
      ...(e instanceof OrgsyncError ? { status: e.status, requestId: e.requestId, code: e.code } : {}),
    }),
  );
}

/** Previous records, with those read now replacing theirs. */
function mergeById<T extends { id: string }>(previous: T[], current: T[]): T[] {
  const m = new Map(previous.map((x) => [x.id, x]));
  for (const x of current) m.set(x.id, x);
  return [...m.values()];
}

/** Groups some employee belongs to, and their ancestors (what a full read derives from the employees). */
function namedGroups(groups: Group[], employees: Employee[]): Group[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const keep = new Set<string>();
  for (const e of employees) {
    for (const id of e.groupIds) {
      // Walk up the parents; bounded by the number of groups (cycle-safe).
      let g = byId.get(id);
      for (let i = 0; g && !keep.has(g.id) && i <= byId.size; i++) {
        keep.add(g.id);
        g = g.parentId ? byId.get(g.parentId) : undefined;
      }
    }
  }
  return groups.filter((g) => keep.has(g.id));
}
