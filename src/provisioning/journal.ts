/**
 * The journal records, per idempotency key, whether an action was started, done or failed, so that
 * `applyPlan` re-run after a failure or a crash does only what is left.
 *
 * `FileJournal` keeps it in one JSON file written atomically (temp file, fsync, rename, fsync of the
 * directory): after a crash the file holds either the previous state or the new one, never half.
 * Errors are stored as a message only (no stack, cause or properties that could carry secrets).
 *
 * One writer at a time: a `FileJournal` takes a cross-process lock (`<journal>.lock`, see
 * `src/file-lock.ts`) when first used, so a second `orgsync apply` on the same journal is refused
 * with a `LockedError` instead of executing every action again. `close()` releases it (so does the
 * process exiting; a crashed holder's lock is taken over once its pid is gone).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ValidationError } from '../errors.js';
import { deadWriterTemp, FileLock, type FileLockOptions } from '../file-lock.js';
import { errorMessage } from './util.js';

export type JournalStatus = 'started' | 'done' | 'failed';

export interface JournalEntry {
  key: string;
  status: JournalStatus;
  /** How many times the action was started (runs, not retries within a run). */
  attempts: number;
  startedAt: string;
  finishedAt?: string;
  /** What the handler returned (JSON-safe, secrets redacted by applyPlan). */
  result?: unknown;
  /** Message of the last failure. */
  error?: string;
}

type MaybePromise<T> = T | Promise<T>;

export interface Journal {
  get(key: string): MaybePromise<JournalEntry | undefined>;
  markStarted(key: string): MaybePromise<void>;
  markDone(key: string, result?: unknown): MaybePromise<void>;
  /** `error` is reduced to its message before it is stored. */
  markFailed(key: string, error: unknown): MaybePromise<void>;
  list(): MaybePromise<JournalEntry[]>;
}

export interface JournalOptions {
  /** Clock for timestamps (tests). */
  clock?: () => Date;
  /** Lock timings of a `FileJournal` (tests): stale after `staleMs` without heartbeat. */
  lock?: Pick<FileLockOptions, 'staleMs' | 'heartbeatMs'>;
}

abstract class MapJournal implements Journal {
  protected entries = new Map<string, JournalEntry>();
  protected readonly clock: () => Date;
  constructor(opts: JournalOptions = {}) {
    this.clock = opts.clock ?? (() => new Date());
  }

  protected abstract ready(): Promise<void>;
  protected abstract persist(): Promise<void>;

  private chain: Promise<unknown> = Promise.resolve();
  /** Serialize mutations so writes land in order and never interleave. */
  private mutate(fn: () => void): Promise<void> {
    const run = async (): Promise<void> => {
      await this.ready();
      fn();
      await this.persist();
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  async get(key: string): Promise<JournalEntry | undefined> {
    await this.ready();
    const e = this.entries.get(key);
    return e ? structuredClone(e) : undefined;
  }

  async list(): Promise<JournalEntry[]> {
    await this.ready();
    return [...this.entries.values()].map((e) => structuredClone(e));
  }

  markStarted(key: string): Promise<void> {
    return this.mutate(() => {
      const prev = this.entries.get(key);
      this.entries.set(key, {
        key,
        status: 'started',
        attempts: (prev?.attempts ?? 0) + 1,
        startedAt: this.clock().toISOString(),
      });
    });
  }

  markDone(key: string, result?: unknown): Promise<void> {
    return this.mutate(() => {
      const prev = this.entries.get(key);
      const now = this.clock().toISOString();
      const e: JournalEntry = {
        key,
        status: 'done',
        attempts: prev?.attempts ?? 1,
        startedAt: prev?.startedAt ?? now,
        finishedAt: now,
      };
      const safe = jsonSafe(result);
      if (safe !== undefined) e.result = safe;
      this.entries.set(key, e);
    });
  }

  markFailed(key: string, error: unknown): Promise<void> {
    return this.mutate(() => {
      const prev = this.entries.get(key);
      const now = this.clock().toISOString();
      this.entries.set(key, {
        key,
        status: 'failed',
        attempts: prev?.attempts ?? 1,
        startedAt: prev?.startedAt ?? now,
        finishedAt: now,
        error: errorMessage(error),
      });
    });
  }
}

function jsonSafe(v: unknown): unknown {
  if (v === undefined) return undefined;
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return undefined;
    if (s.length > 10_000) return { truncated: true, length: s.length };
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** In-memory journal (tests, dry runs). Not crash-safe. */
export class MemoryJournal extends MapJournal {
  protected async ready(): Promise<void> {}
  protected async persist(): Promise<void> {}
}

interface JournalFile {
  kind: 'orgsync.provisioning-journal';
  version: 1;
  entries: JournalEntry[];
}

/** Crash-safe journal in one JSON file, locked against a second writing process. */
export class FileJournal extends MapJournal {
  readonly path: string;
  private loaded: Promise<void> | null = null;
  private lock: FileLock | undefined;
  private readonly lockOptions: JournalOptions['lock'];

  constructor(path: string, opts: JournalOptions = {}) {
    super(opts);
    this.path = path;
    this.lockOptions = opts.lock;
  }

  /** Release the journal's lock (further use takes it again). */
  async close(): Promise<void> {
    await this.loaded?.catch(() => undefined);
    const lock = this.lock;
    this.lock = undefined;
    this.loaded = null;
    await lock?.release();
  }

  protected ready(): Promise<void> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private tempPrefix(): string {
    return `.${basename(this.path)}.`;
  }

  private async load(): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    // Refuse a second writer before touching anything (not even its temp files).
    this.lock = await FileLock.acquire(this.path, { what: `provisioning journal ${this.path}`, ...this.lockOptions });
    // A crash between writing and renaming leaves a temp file: the real file is still the last good
    // state. Only temp files of this journal whose writer process is gone are removed.
    for (const f of await readdir(dir)) {
      if (deadWriterTemp(f, basename(this.path))) await unlink(join(dir, f)).catch(() => undefined);
    }
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    let data: JournalFile;
    try {
      data = JSON.parse(text) as JournalFile;
    } catch {
      throw new ValidationError({
        message: `journal ${this.path} is not valid JSON; refusing to continue (it would forget what was done)`,
        code: 'journal_corrupt',
      });
    }
    if (data?.kind !== 'orgsync.provisioning-journal' || !Array.isArray(data.entries)) {
      throw new ValidationError({
        message: `${this.path} is not an orgsync provisioning journal`,
        code: 'journal_corrupt',
      });
    }
    for (const e of data.entries) if (e && typeof e.key === 'string') this.entries.set(e.key, e);
  }

  protected async persist(): Promise<void> {
    // Write only while this process still holds the lock (a frozen process may have been taken over).
    await this.lock?.verify();
    const body: JournalFile = {
      kind: 'orgsync.provisioning-journal',
      version: 1,
      entries: [...this.entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    };
    const dir = dirname(this.path);
    const tmp = join(dir, `${this.tempPrefix()}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(body, null, 1)}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    // Make the rename itself durable.
    try {
      const d = await open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // Some platforms cannot fsync a directory; the rename is still atomic.
    }
  }
}
