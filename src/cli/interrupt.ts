/**
 * Ctrl-C and SIGTERM while a command writes a file: remove this process's temporary files
 * (`.<name>.<pid>.<random>.tmp`, see writeFileAtomic), print one line, exit 130 (SIGINT) or 143 (SIGTERM).
 * The target file is only ever replaced by a rename, so it is either the old one or the new one.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface InterruptGuard {
  /** Uninstall the handlers (the command finished). */
  release(): void;
}

export function guardFileWrite(
  target: string,
  say: (line: string) => void,
  what = 'the file was not written',
): InterruptGuard {
  const dir = path.dirname(path.resolve(target));
  const prefix = `.${path.basename(target)}.${process.pid}.`;
  const handler = (signal: NodeJS.Signals) => {
    let removed = 0;
    try {
      for (const f of fs.readdirSync(dir)) {
        if (f.startsWith(prefix) && f.endsWith('.tmp')) {
          fs.rmSync(path.join(dir, f), { force: true });
          removed++;
        }
      }
    } catch {
      /* the folder may not exist yet */
    }
    say(
      `orgsync: interrupted (${signal}); ${what}${removed ? `, ${removed} temporary file${removed === 1 ? '' : 's'} removed` : ''}.\n`,
    );
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    release() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
