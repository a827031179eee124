/**
 * A cross-process lock for files orgsync writes (the provisioning journal, the inbound SCIM store):
 * one writer at a time, and a crashed writer cannot hold it forever.
 *
 * The lock is a file `<target>.lock` created exclusively (`O_CREAT|O_EXCL`, mode 0600) holding the
 * holder's pid, host name and a random token. While held, its mtime is refreshed every
 * `heartbeatMs` (an unref'd timer). Another process finding it:
 * - same host and the pid is not running (crash, `kill -9`): stale, taken over at once;
 * - the heartbeat is older than `staleMs` (another host on a shared disk, a reused pid, a frozen
 *   process): stale, taken over;
 * - otherwise: refused with a `LockedError` naming the lock file and the holder's pid.
 * A writer checks, before each write, that the lock file still holds its token (a frozen process
 * that was taken over must not write on), and fails with a `LockedError` if not.
 *
 * Within one process, instances for the same target share the lock (reference-counted): the lock
 * keeps other processes out; one process coordinating itself is the caller's business.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import { OrgsyncError, type OrgsyncErrorOptions } from './errors.js';

export interface FileLockOptions {
  /** What is locked, for messages (e.g. "provisioning journal /x/j.json"). */
  what: string;
  /** A lock whose heartbeat is older than this is stale (default 60 s). */
  staleMs?: number;
  /** How often the holder refreshes the heartbeat (default 5 s). */
  heartbeatMs?: number;
}

/** Another process holds the lock (or took it over): this process must not write. */
export class LockedError extends OrgsyncError {
  readonly lockFile: string;
  readonly holderPid: number | undefined;
  constructor(opts: Omit<OrgsyncErrorOptions, 'kind'> & { lockFile: string; holderPid?: number | undefined }) {
    super({ ...opts, kind: 'transient', code: opts.code ?? 'locked', retryable: true });
    this.name = 'LockedError';
    this.lockFile = opts.lockFile;
    this.holderPid = opts.holderPid;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), lockFile: this.lockFile, holderPid: this.holderPid };
  }
}

interface Holder {
  pid?: number;
  host?: string;
  token?: string;
  acquiredAt?: string;
  what?: string;
}

interface Held {
  path: string;
  token: string;
  refs: number;
  timer: NodeJS.Timeout;
  lost: boolean;
}

const held = new Map<string, Held>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const h of held.values()) {
      try {
        if (JSON.parse(readFileSync(h.path, 'utf8')).token === h.token) unlinkSync(h.path);
      } catch {
        /* already gone or not ours */
      }
    }
  });
}

/** Create `file` (it must not exist: EEXIST otherwise) with `body`, flushed to disk. */
async function writeDurably(file: string, body: string): Promise<void> {
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.writeFile(body, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<{ holder: Holder; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let holder: Holder = {};
    try {
      holder = JSON.parse(text) as Holder;
    } catch {
      // Half-written by a holder that crashed between create and write: judged by age alone.
    }
    return { holder, mtimeMs: st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function isStale(h: { holder: Holder; mtimeMs: number }, staleMs: number): boolean {
  const { holder } = h;
  if (
    holder.host === os.hostname() &&
    typeof holder.pid === 'number' &&
    holder.pid !== process.pid &&
    !pidAlive(holder.pid)
  )
    return true;
  return Date.now() - h.mtimeMs > staleMs;
}

export class FileLock {
  private released = false;
  private constructor(
    readonly path: string,
    private readonly state: Held,
    private readonly what: string,
  ) {}

  /** Take the lock `<target>.lock`, or fail with a `LockedError` if another live process holds it. */
  static async acquire(target: string, options: FileLockOptions): Promise<FileLock> {
    const file = `${target}.lock`;
    const staleMs = options.staleMs ?? 60_000;
    const heartbeatMs = options.heartbeatMs ?? 5_000;
    const mine = held.get(file);
    if (mine && !mine.lost) {
      mine.refs++;
      return new FileLock(file, mine, options.what);
    }
    const token = randomBytes(12).toString('hex');
    const body =
      JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        token,
        acquiredAt: new Date().toISOString(),
        what: options.what,
      }) + '\n';
    // The lock file appears with its content in one step: written to a file of this process first, then
    // hard-linked to the lock's name (fails if it exists). A process that finds the lock held always
    // reads who holds it; created empty and then written, it could be read in between (no pid). The
    // temporary name is the writers' (`deadWriterTemp`): one left by a process that died is swept.
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${token}.tmp`);
    await writeDurably(tmp, body);
    try {
      return await FileLock.take(file, tmp, body, token, staleMs, heartbeatMs, options);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  private static async take(
    file: string,
    tmp: string,
    body: string,
    token: string,
    staleMs: number,
    heartbeatMs: number,
    options: FileLockOptions,
  ): Promise<FileLock> {
    let hardLinks = true;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        if (hardLinks) {
          try {
            await link(tmp, file);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            // A file system without hard links: create, then write (a reader may briefly see it empty).
            if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
            hardLinks = false;
          }
        }
        if (!hardLinks) await writeDurably(file, body);
        const state: Held = {
          path: file,
          token,
          refs: 1,
          lost: false,
          timer: setInterval(() => void beat(state), heartbeatMs),
        };
        state.timer.unref();
        held.set(file, state);
        installExitHook();
        return new FileLock(file, state, options.what);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const found = await readHolder(file);
      if (!found) continue; // released meanwhile: try again
      if (!isStale(found, staleMs)) {
        const pid = found.holder.pid;
        throw new LockedError({
          lockFile: file,
          holderPid: pid,
          message: `The ${options.what} is in use by another process${pid ? ` (pid ${pid}${found.holder.host && found.holder.host !== os.hostname() ? ` on ${found.holder.host}` : ''})` : ''}: lock file ${file}. Only one writer at a time; wait for it to finish (a lock of a crashed process is taken over once its pid is gone or its heartbeat is ${Math.round(staleMs / 1000)} s old).`,
        });
      }
      // Stale: remove it only if it is still the one judged stale (another process may have taken it over meanwhile).
      const again = await readHolder(file);
      if (again && again.holder.token === found.holder.token && again.mtimeMs === found.mtimeMs)
        await unlink(file).catch(() => undefined);
    }
    throw new LockedError({
      lockFile: file,
      message: `Could not take the lock ${file} for the ${options.what}: other processes keep taking it.`,
    });
  }

  /** Fail with a `LockedError` unless this process still holds the lock (checked on disk). */
  async verify(): Promise<void> {
    if (this.released)
      throw new LockedError({
        lockFile: this.path,
        message: `The lock ${this.path} of the ${this.what} was released; reopen it to write.`,
      });
    const found = await readHolder(this.path).catch(() => undefined);
    if (!this.state.lost && found?.holder.token === this.state.token) return;
    this.state.lost = true;
    throw new LockedError({
      lockFile: this.path,
      holderPid: found?.holder.pid,
      code: 'lock_lost',
      message: `This process lost the lock ${this.path} of the ${this.what}${found?.holder.pid ? ` to pid ${found.holder.pid}` : ''} (its heartbeat stopped for too long); it does not write any more.`,
    });
  }

  /** Release (the last holder in this process removes the lock file). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (--this.state.refs > 0) return;
    clearInterval(this.state.timer);
    if (held.get(this.path) === this.state) held.delete(this.path);
    const found = await readHolder(this.path).catch(() => undefined);
    if (found?.holder.token === this.state.token) await unlink(this.path).catch(() => undefined);
  }
}

async function beat(state: Held): Promise<void> {
  try {
    const found = await readHolder(state.path);
    if (found?.holder.token !== state.token) {
      state.lost = true;
      return;
    }
    const now = new Date();
    await utimes(state.path, now, now);
  } catch {
    /* a missed beat is retried at the next tick */
  }
}

/** Temp files of `<dir>/.<base>.<pid>.<hex>.tmp` whose writer process is gone (safe to delete). */
export function deadWriterTemp(fileName: string, base: string): boolean {
  const prefix = `.${base}.`;
  if (!fileName.startsWith(prefix) || !fileName.endsWith('.tmp')) return false;
  const m = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(fileName.slice(prefix.length));
  if (!m) return false;
  const pid = Number(m[1]);
  return pid !== process.pid && !pidAlive(pid);
}
