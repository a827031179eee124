/**
 * The architecture rules docs/architecture.md states, checked on the source itself:
 * - no import cycles among src/ and connectors/ (a cycle makes load order decide what is undefined);
 * - axios is imported in one place, the request pipeline (src/http/client.ts): connectors and the
 *   rest of the core go through it, so retries, rate limits and typed errors are handled once.
 * Only relative imports are followed; `import type` counts too (it still couples the modules).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name) && !/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) out.push((m[1] ?? m[2])!);
  return out;
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* not this one */
    }
  }
  return null;
}

const files = [...sources(path.join(root, 'src')), ...sources(path.join(root, 'connectors'))];
const graph = new Map<string, string[]>();
for (const f of files) {
  graph.set(
    f,
    importsOf(f)
      .map((s) => resolveLocal(f, s))
      .filter((x): x is string => x !== null),
  );
}
const rel = (f: string) => path.relative(root, f);

/** Every elementary cycle found by a depth-first walk (one per back edge), as paths relative to the root. */
function cycles(): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      const s = state.get(g);
      if (s === 'open') found.push([...stack.slice(stack.indexOf(g)), g].map(rel));
      else if (s === undefined) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('module graph (docs/architecture.md)', () => {
  it('reads the whole tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get(path.join(root, 'src/http/client.ts'))!.length).toBeGreaterThan(2);
  });

  it('has no import cycles among src/ and connectors/', () => {
    expect(cycles()).toEqual([]);
  });

  it('the cycle check finds a cycle when there is one', () => {
    const a = path.join(root, 'connectors/workday/xml.ts');
    const b = path.join(root, 'connectors/workday/xml-sax.ts');
    const saved = graph.get(b)!;
    graph.set(b, [...saved, a]);
    try {
      expect(cycles().map((c) => c.join(' > '))).toContain(
        'connectors/workday/xml.ts > connectors/workday/xml-sax.ts > connectors/workday/xml.ts',
      );
    } finally {
      graph.set(b, saved);
    }
  });

  it('imports axios only in the request pipeline (src/http/client.ts)', () => {
    const users = files.filter((f) => importsOf(f).some((s) => s === 'axios' || s.startsWith('axios/')));
    expect(users.map(rel)).toEqual(['src/http/client.ts']);
  });
});
