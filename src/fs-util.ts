/**
 * File-system helpers for writing a user-chosen output path safely.
 *
 * - `ensureDir` creates the missing folders one level at a time (Node's `mkdir({ recursive: true })`
 *   spins forever under `/proc`, e.g. `--out /proc/x/y`); the walk is bounded by the path's depth.
 * - `specialTarget` tells whether an existing output path is not a regular file (a device such as
 *   `/dev/stdout` or `/dev/null`, a named pipe, a socket): such a target is written in place, never
 *   replaced by a rename (which, run as root, would swap `/dev/stdout` for a regular file).
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** A Node-style system error (code, syscall, path), as the CLI prints them. */
export function errno(errCode: string, syscall: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${errCode}: ${syscall} '${file}'`), { code: errCode, syscall, path: file });
}

/** Create `dir` and its missing parents, one `mkdir` per missing level. */
export async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    let st: Stats | undefined;
    try {
      st = await fs.stat(d);
    } catch (e) {
      if (code(e) !== 'ENOENT' && code(e) !== 'ENOTDIR') throw e;
    }
    if (st) {
      if (!st.isDirectory()) throw errno('ENOTDIR', 'mkdir', d);
      break;
    }
    missing.push(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) {
    try {
      await fs.mkdir(m);
    } catch (e) {
      if (code(e) !== 'EEXIST') throw e;
    }
  }
}

/** The existing target's kind when it must be written in place: 'special' (device, FIFO, socket), or undefined. */
export async function specialTarget(file: string): Promise<'special' | 'directory' | undefined> {
  let st: Stats;
  try {
    st = await fs.stat(file);
  } catch {
    return undefined;
  }
  if (st.isFile()) return undefined;
  return st.isDirectory() ? 'directory' : 'special';
}

/** Write pieces straight into an existing special file (no temp file, no fsync: pipes and devices refuse it). */
export async function writeInPlace(file: string, contents: string | Iterable<string>): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    if (typeof contents === 'string') await handle.write(contents);
    else for (const piece of contents) await handle.write(piece);
  } catch (e) {
    const c = code(e);
    throw c ? errno(c, 'write', file) : e;
  } finally {
    await handle.close();
  }
}
