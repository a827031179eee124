/**
 * Snapshots: the complete, validated state of an org at one moment. A snapshot exists only for a
 * sync that completed: any failure while reading throws, and nothing is returned or written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createError, OrgsyncError, ValidationError } from './errors.js';
import { ensureDir, errno, specialTarget, writeInPlace } from './fs-util.js';
import { OrgSnapshotEnvelopeSchema, OrgSnapshotSchema, SCHEMA_VERSION, type OrgSnapshot } from './model.js';
import type { Connector } from './connector/define.js';
import type { ProgressEvent } from './http/client.js';
import { DEFAULT_SYNC_TIMEOUT_MS, runWithDeadline } from './http/deadline.js';

export interface TakeSnapshotOptions {
  /** Timestamp to stamp on the snapshot, and the date statuses are decided as of (default: now). */
  now?: Date;
  /** Called with progress events in addition to the connector's own `http.onProgress`. */
  onProgress?: (
    event: ProgressEvent | { type: 'snapshot'; employees: number; groups: number; locations: number },
  ) => void;
  /**
   * Overall deadline of this sync in ms (default: the connector's `http.syncTimeoutMs`, else 2 h).
   * When it passes, requests in flight are aborted and the sync fails `incomplete` (`sync_timeout`).
   */
  syncTimeoutMs?: number | undefined;
}

/** The overall deadline a sync of this connector runs under, and the error it fails with. */
export function withSyncDeadline<T>(
  connector: Connector<any>,
  options: TakeSnapshotOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const ms = options.syncTimeoutMs ?? connector.http.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
  return runWithDeadline(ms, fn, (limit) =>
    createError({
      kind: 'incomplete',
      code: 'sync_timeout',
      vendor: connector.id,
      message: `${connector.name}: the sync did not finish within its overall deadline of ${limit} ms (syncTimeoutMs); requests in flight were aborted and no snapshot was produced.`,
    }),
  );
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Read everything from a connector and return a validated `OrgSnapshot`. Records are sorted by id
 * so two snapshots of the same data are byte-identical. Failures become typed errors: auth and
 * config problems keep their kind (the user must act); anything else that stopped the read is an
 * `incomplete` error, so a failed sync can never be mistaken for people leaving.
 */
export async function takeSnapshot(connector: Connector<any>, options: TakeSnapshotOptions = {}): Promise<OrgSnapshot> {
  const startedAt = options.now ?? new Date();
  let data;
  try {
    data = await withSyncDeadline(connector, options, () => connector.read({ now: options.now }));
  } catch (e) {
    throw connector.http.redactor.redactError(asSyncFailure(connector, e));
  }
  const snapshot = {
    schemaVersion: SCHEMA_VERSION,
    connector: connector.id,
    takenAt: startedAt.toISOString(),
    complete: true as const,
    // Where an incremental sync resumes: the time this read started (changes during the read are re-read next time).
    ...(connector.capabilities.incremental ? { watermark: startedAt.toISOString() } : {}),
    company: data.company,
    employees: [...data.employees].sort(byId),
    groups: [...data.groups].sort(byId),
    locations: [...data.locations].sort(byId),
    warnings: data.warnings,
    ...(data.unresolvedManagerRefs && Object.keys(data.unresolvedManagerRefs).length
      ? { unresolvedManagerRefs: data.unresolvedManagerRefs }
      : {}),
  };
  snapshot.warnings.push(...referenceWarnings(connector, snapshot));
  // Employees were validated one by one as they were mapped; check the envelope and the rest.
  const parsed = OrgSnapshotEnvelopeSchema.safeParse(snapshot);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ValidationError({
      vendor: connector.id,
      issues,
      message: `${connector.name}: the snapshot failed validation: ${issues.join('; ')}.`,
    });
  }
  options.onProgress?.({
    type: 'snapshot',
    employees: snapshot.employees.length,
    groups: snapshot.groups.length,
    locations: snapshot.locations.length,
  });
  // Snapshot data comes only from vendor responses (and non-secret options): deep-redact only if a
  // response ever echoed a secret back.
  return connector.http.sawSecretInResponse ? connector.http.redactor.redactValue(parsed.data) : parsed.data;
}

/**
 * Warnings for employees naming a group or location the snapshot does not have (full reads and
 * incremental merges alike).
 */
export function referenceWarnings(
  connector: Pick<Connector<any>, 'capabilities'>,
  s: Pick<OrgSnapshot, 'employees' | 'groups' | 'locations'>,
): string[] {
  const out: string[] = [];
  const groupIds = new Set(s.groups.map((g) => g.id));
  const locationIds = new Set(s.locations.map((l) => l.id));
  if (s.groups.length || connector.capabilities.groups) {
    for (const e of s.employees) {
      for (const g of e.groupIds) if (!groupIds.has(g)) out.push(`employee ${e.id}: group ${g} is not in the snapshot`);
    }
  }
  if (s.locations.length || connector.capabilities.locations) {
    for (const e of s.employees) {
      if (e.locationId && !locationIds.has(e.locationId))
        out.push(`employee ${e.id}: location ${e.locationId} is not in the snapshot`);
    }
  }
  return out;
}

function asSyncFailure(connector: Connector<any>, e: unknown): OrgsyncError {
  const redact = (s: string) => connector.http.redactor.redact(s);
  if (e instanceof OrgsyncError) {
    if (e.kind === 'auth' || e.kind === 'config' || e.kind === 'validation' || e.kind === 'incomplete') return e;
    return createError({
      kind: 'incomplete',
      retryable: e.retryable,
      vendor: e.vendor ?? connector.id,
      status: e.status,
      requestId: e.requestId,
      code: e.code,
      endpoint: e.endpoint,
      message: `${redact(e.message)} The ${connector.name} sync did not complete; no snapshot was produced.`,
      cause: e,
    });
  }
  return createError({
    kind: 'incomplete',
    vendor: connector.id,
    message: `${connector.name}: the sync failed unexpectedly (${redact(String((e as Error)?.message ?? e))}); no snapshot was produced.`,
  });
}

/**
 * Write a snapshot as JSON atomically: a temp file in the same folder, fsync, then rename. The JSON
 * is produced one record at a time (the same bytes as `JSON.stringify(snapshot, null, 2)`), so
 * a snapshot larger than the biggest string V8 can hold (about 1M employees) can still be written.
 * The file is created readable by its owner only (0600): it holds personal data (names, emails,
 * managers, employment dates).
 */
export async function writeSnapshotFile(file: string, snapshot: OrgSnapshot): Promise<void> {
  const parsed = OrgSnapshotSchema.parse(snapshot);
  await writeFileAtomic(file, snapshotJsonChunks(parsed as unknown as Record<string, unknown>), 0o600);
}

/** `JSON.stringify(value, null, 2) + '\n'` of a snapshot, in pieces: each array member of the top level on its own. */
export function* snapshotJsonChunks(value: Record<string, unknown>): Generator<string> {
  const keys = Object.keys(value).filter((k) => value[k] !== undefined && typeof value[k] !== 'function');
  const text = (v: unknown, indent: string, what: string): string => {
    try {
      return JSON.stringify(v, null, 2).replace(/\n/g, `\n${indent}`);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new ValidationError({
        code: 'snapshot_too_large',
        message: `The snapshot cannot be written: ${what} is too large to serialize (${e.message}).`,
      });
    }
  };
  yield '{\n';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = value[k];
    const sep = i < keys.length - 1 ? ',\n' : '\n';
    if (Array.isArray(v) && v.length > 0) {
      yield `  ${JSON.stringify(k)}: [\n`;
      for (let j = 0; j < v.length; j++)
        yield `    ${text(v[j] === undefined ? null : v[j], '    ', `${k}[${j}]`)}${j < v.length - 1 ? ',\n' : '\n'}`;
      yield `  ]${sep}`;
    } else yield `  ${JSON.stringify(k)}: ${text(v, '  ', k)}${sep}`;
  }
  yield '}\n';
}

/** The temp file a write of `file` goes through (same folder, so the rename is atomic; hidden, unique). */
export function tempPathFor(file: string): string {
  const dir = path.dirname(path.resolve(file));
  return path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Write a file atomically (temp file, fsync, rename); `contents` may come in pieces, written in batches of
 * about 1 MiB. `mode` applies to a newly written file (default 0666 minus the umask). An existing device, FIFO
 * or socket (`/dev/stdout`) is written in place instead.
 */
export async function writeFileAtomic(file: string, contents: string | Iterable<string>, mode?: number): Promise<void> {
  const kind = await specialTarget(file);
  if (kind === 'directory') throw errno('EISDIR', 'open', file);
  // `/dev/stdout`, `/dev/null`, a named pipe: written in place, never renamed over.
  if (kind === 'special') return writeInPlace(file, contents);
  await ensureDir(path.dirname(path.resolve(file)));
  const tmp = tempPathFor(file);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    try {
      if (typeof contents === 'string') await handle.writeFile(contents);
      else {
        let batch: string[] = [];
        let size = 0;
        for (const piece of contents) {
          batch.push(piece);
          size += piece.length;
          if (size >= 1 << 20) {
            await handle.write(batch.join(''));
            batch = [];
            size = 0;
          }
        }
        if (batch.length) await handle.write(batch.join(''));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Read and validate a snapshot file (streaming: see snapshot-read.ts). */
export { readSnapshotFile, readSnapshotChunks } from './snapshot-read.js';
