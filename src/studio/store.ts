/**
 * Where the studio keeps the rule set. `fileRulesStore(path)` reads and writes a JSON file; saving is
 * atomic (a temp file in the same folder, fsync, rename) and keeps the file's mode (new files: 0644,
 * or 0600 with `private: true`). Any other store (a database, the runtime's store) plugs in through
 * the same two functions of `createStudioHandler`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

export interface RulesStore {
  loadRules(): Promise<string>;
  saveRules(text: string): Promise<void>;
}

export async function writeFileAtomicMode(file: string, contents: string, fallbackMode = 0o644): Promise<void> {
  const abs = path.resolve(file);
  let mode = fallbackMode;
  try {
    mode = (await fs.stat(abs)).mode & 0o777;
  } catch {
    // new file
  }
  const tmp = path.join(
    path.dirname(abs),
    `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.writeFile(contents);
    await handle.chmod(mode); // umask must not widen or narrow what the file had
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, abs);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

export function fileRulesStore(file: string, opts: { private?: boolean } = {}): RulesStore {
  return {
    async loadRules() {
      try {
        return await fs.readFile(file, 'utf8');
      } catch (e) {
        throw new ConfigError({
          message: `Cannot read rules '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`,
          code: 'rules_unreadable',
        });
      }
    },
    async saveRules(text: string) {
      await writeFileAtomicMode(file, text.endsWith('\n') ? text : `${text}\n`, opts.private ? 0o600 : 0o644);
    },
  };
}
