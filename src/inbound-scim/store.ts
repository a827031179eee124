/**
 * Storage for what identity providers push. The handler keeps each tenant's resources in memory and
 * hands the store the tenant's complete data after every successful write; the write is
 * acknowledged to the IdP only once `save` resolved. Apps can plug their own store (a database) by
 * implementing `ScimStore`; orgsync ships two:
 *
 * - `FileScimStore`: one JSON file per tenant, written atomically (temp file in the same folder,
 *   fsync, rename, then fsync of the folder) behind a per-file write queue, so a crash leaves the
 *   previous or the new file, never a torn one, and concurrent writes cannot interleave. A file
 *   that cannot be read is an error, never an empty tenant (that would look like everyone left).
 * - `MemoryScimStore`: for tests and trials; nothing survives the process.
 *
 * One writer process per store: `FileScimStore` takes a cross-process lock (`<file>.lock`, or
 * `<dir>/.orgsync-scim-store.lock`; see `src/file-lock.ts`) on first use, so a second `serve-scim`
 * on the same store is refused with a `LockedError` at start instead of both accepting writes and
 * losing acknowledged ones. At that point temp files left by writers that died mid-write
 * (`kill -9`) are removed: only this store's own temp-file pattern, only of processes that are gone.
 * Store files hold personal data and are created 0600.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, ValidationError } from '../errors.js';
import { deadWriterTemp, FileLock, type FileLockOptions } from '../file-lock.js';
import { writeFileAtomic } from '../snapshot.js';
import type { StoredResource } from './resource.js';

export interface ScimTenantData {
  users: StoredResource[];
  groups: StoredResource[];
  /**
   * Stores shared by several processes (the runtime's SQL store): the tenant's version as loaded;
   * passed back to `save`, which refuses (ScimStoreConflictError) when another process saved since.
   */
  version?: number;
}

export interface ScimStore {
  /** The tenant's data; an empty tenant (no users, no groups) when nothing was stored yet. */
  load(tenant: string): Promise<ScimTenantData>;
  /**
   * Replace the tenant's data durably. Resolves only once the data would survive a crash. A shared
   * store returns the new version, or throws `ScimStoreConflictError` (nothing written) when the
   * tenant is no longer at `data.version`.
   */
  save(tenant: string, data: ScimTenantData): Promise<void | { version: number }>;
  /** Shared stores: the tenant's current version (the handler reloads a tenant whose version moved). */
  version?(tenant: string): Promise<number>;
  close?(): Promise<void>;
}

/** Another process saved the tenant since this one loaded it: reload and apply the request again. */
export class ScimStoreConflictError extends ConfigError {
  constructor(tenant: string) {
    super({
      message: `The SCIM tenant '${tenant}' was changed by another process; reload and retry.`,
      code: 'store_conflict',
    });
  }
}

/** Tenant ids: safe as file names on every OS (lower case, so case-insensitive file systems cannot merge two tenants). */
export const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function assertTenantId(tenant: string): void {
  if (!TENANT_ID.test(tenant)) {
    throw new ConfigError({
      message: `Invalid SCIM tenant id ${JSON.stringify(tenant).slice(0, 80)}: use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit.`,
    });
  }
}

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryScimStore implements ScimStore {
  private readonly data = new Map<string, ScimTenantData>();

  async load(tenant: string): Promise<ScimTenantData> {
    return clone(this.data.get(tenant) ?? { users: [], groups: [] });
  }

  async save(tenant: string, data: ScimTenantData): Promise<void> {
    this.data.set(tenant, clone(data));
  }
}

export const STORE_KIND = 'orgsync.scim-inbound-store' as const;

const StoredResourceSchema = z.looseObject({
  id: z.string().min(1),
  meta: z.looseObject({ resourceType: z.enum(['User', 'Group']), created: z.string(), lastModified: z.string() }),
});

const StoreFileSchema = z.object({
  kind: z.literal(STORE_KIND),
  version: z.literal(1),
  tenant: z.string(),
  savedAt: z.string(),
  users: z.array(StoredResourceSchema),
  groups: z.array(StoredResourceSchema),
});

export type FileScimStoreOptions =
  /** One file per tenant in this folder: `<dir>/<tenant>.scim.json`. */
  | { dir: string }
  /** Everything in this one file (a single tenant; loading another tenant from it is an error). */
  | { file: string };

/** Where a store's lock lives: next to its one file, or in its folder. */
const DIR_LOCK = '.orgsync-scim-store';

export class FileScimStore implements ScimStore {
  private readonly queues = new Map<string, Promise<void>>();
  private opened: Promise<FileLock> | undefined;

  constructor(
    private readonly options: FileScimStoreOptions,
    /** Lock timings (tests). */
    private readonly lockOptions: Pick<FileLockOptions, 'staleMs' | 'heartbeatMs'> = {},
  ) {
    if (!options || (!('dir' in options && options.dir) && !('file' in options && options.file))) {
      throw new ConfigError({
        message: 'FileScimStore needs { dir } (one file per tenant) or { file } (a single tenant).',
      });
    }
  }

  /**
   * Take the store's lock and clean up temp files of dead writers (done on first load/save anyway).
   * Fails with a `LockedError` when another live process has the store open.
   */
  open(): Promise<void> {
    return this.lock().then(() => undefined);
  }

  private lock(): Promise<FileLock> {
    this.opened ??= this.openNow();
    const p = this.opened;
    p.catch(() => {
      if (this.opened === p) this.opened = undefined; // let a later call try again
    });
    return p;
  }

  private async openNow(): Promise<FileLock> {
    const dir = 'file' in this.options ? path.dirname(path.resolve(this.options.file)) : path.resolve(this.options.dir);
    await fs.mkdir(dir, { recursive: true });
    const target = 'file' in this.options ? path.resolve(this.options.file) : path.join(dir, DIR_LOCK);
    const lock = await FileLock.acquire(target, {
      what: `SCIM store ${'file' in this.options ? target : dir}`,
      ...this.lockOptions,
    });
    // Temp files of writers killed between write and rename: this store's pattern only, dead pids only.
    const ours = 'file' in this.options ? [path.basename(target)] : undefined;
    for (const f of await fs.readdir(dir)) {
      const base =
        ours?.find((b) => f.startsWith(`.${b}.`)) ??
        (ours ? undefined : /^\.([a-z0-9][a-z0-9_-]{0,63}\.scim\.json)\./.exec(f)?.[1]);
      if (base && deadWriterTemp(f, base)) await fs.rm(path.join(dir, f), { force: true });
    }
    return lock;
  }

  /** The file holding a tenant's data. */
  fileFor(tenant: string): string {
    assertTenantId(tenant);
    if ('file' in this.options) return path.resolve(this.options.file);
    return path.resolve(this.options.dir, `${tenant}.scim.json`);
  }

  async load(tenant: string): Promise<ScimTenantData> {
    const file = this.fileFor(tenant);
    await this.lock();
    await this.queues.get(file);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { users: [], groups: [] };
      throw new ConfigError({
        message: `Cannot read the SCIM store file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`,
        code: 'store_unreadable',
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ValidationError({
        message: `The SCIM store file '${file}' is not valid JSON (${(e as Error).message}); it was left untouched.`,
        code: 'store_corrupt',
      });
    }
    const parsed = StoreFileSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
      throw new ValidationError({
        message: `The SCIM store file '${file}' is not an orgsync SCIM store: ${issues.join('; ')}; it was left untouched.`,
        code: 'store_corrupt',
        issues,
      });
    }
    if (parsed.data.tenant !== tenant) {
      throw new ConfigError({
        message: `The SCIM store file '${file}' holds tenant '${parsed.data.tenant}', not '${tenant}'.`,
        code: 'store_tenant_mismatch',
      });
    }
    return { users: parsed.data.users as StoredResource[], groups: parsed.data.groups as StoredResource[] };
  }

  save(tenant: string, data: ScimTenantData): Promise<void> {
    const file = this.fileFor(tenant);
    const body =
      JSON.stringify({
        kind: STORE_KIND,
        version: 1,
        tenant,
        savedAt: new Date().toISOString(),
        users: data.users,
        groups: data.groups,
      }) + '\n';
    const prev = this.queues.get(file) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const lock = await this.lock();
        // Never write once another process has taken the store over.
        await lock.verify();
        await writeDurably(file, body);
      });
    const tail = next.catch(() => undefined);
    this.queues.set(file, tail);
    void tail.then(() => {
      if (this.queues.get(file) === tail) this.queues.delete(file);
    });
    return next;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    const opened = this.opened;
    this.opened = undefined;
    const lock = await opened?.catch(() => undefined);
    await lock?.release();
  }
}

async function writeDurably(file: string, body: string): Promise<void> {
  // Personal data: readable by the owner only (like the provisioning journal).
  await writeFileAtomic(file, body, 0o600);
  // The rename itself is durable only once the folder is flushed (not possible on every OS).
  let dir: fs.FileHandle | undefined;
  try {
    dir = await fs.open(path.dirname(file), 'r');
    await dir.sync();
  } catch {
    // e.g. Windows cannot open a folder: the file content is durable, the rename is best effort.
  } finally {
    await dir?.close().catch(() => undefined);
  }
}
