/**
 * The parts of a scaffolded connector still to write: every `TODO(new-connector)` marker the
 * scaffold left in the connector's folder (its .ts and .md files, sub-folders included), listed
 * all at once as `file:line: what to do`, so the first failing conformance run shows the whole
 * to-do list instead of the first error.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The marker the scaffold writes; remove it once the part is done. */
export const UNFINISHED_MARKER = 'TODO(new-connector)';

export async function unfinishedParts(dir: string | URL, maxFiles = 200): Promise<string[]> {
  const root = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const out: string[] = [];
  const queue = [root];
  let files = 0;
  while (queue.length && files < maxFiles) {
    const d = queue.shift()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) queue.push(full);
        continue;
      }
      if (!/\.(ts|md)$/.test(e.name) || ++files > maxFiles) continue;
      const lines = (await fs.readFile(full, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        const at = line.indexOf(UNFINISHED_MARKER);
        if (at < 0) return;
        const what = line
          .slice(at + UNFINISHED_MARKER.length)
          .replace(/^[:\s]+/, '')
          .replace(/\s*(\*\/|-->|\|)?\s*$/, '')
          .trim();
        out.push(`${path.relative(root, full).split(path.sep).join('/')}:${i + 1}: ${what || 'unfinished'}`);
      });
    }
  }
  return out;
}
