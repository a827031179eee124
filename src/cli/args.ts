/**
 * The CLI grammar: `orgsync <command> [positionals] [--flag value | --flag=value | --bool]`.
 * For `snapshot <vendor>`, flags are the kebab-case of the connector factory's options, derived
 * from its zod schema, so every connector gets the same grammar without CLI code of its own.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('--')) {
          flags.set(a.slice(2), next);
          i++;
        } else flags.set(a.slice(2), true);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      throw new ConfigError({
        message: `Unknown short option '${a}'. orgsync takes long options only (e.g. --out FILE).`,
      });
    } else positionals.push(a);
  }
  return { positionals, flags };
}

export const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
export const camel = (s: string): string => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
export const envName = (vendor: string, option: string): string =>
  `${vendor.replace(/-/g, '_')}_${kebab(option).replace(/-/g, '_')}`.toUpperCase();

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'enum';

/** What kind of CLI value a zod field takes. */
export function fieldKind(schema: z.ZodType): { kind: Kind; values?: string[] } {
  let s: any = schema;
  for (let i = 0; i < 10 && s; i++) {
    const def = s._zod?.def ?? s.def;
    const t = def?.type;
    if (t === 'optional' || t === 'nullable' || t === 'default' || t === 'pipe' || t === 'transform') {
      s = def.innerType ?? def.in ?? s;
      if (t === 'pipe') s = def.in;
      continue;
    }
    if (t === 'string') return { kind: 'string' };
    if (t === 'number' || t === 'int') return { kind: 'number' };
    if (t === 'boolean') return { kind: 'boolean' };
    if (t === 'array') return { kind: 'array' };
    if (t === 'enum') return { kind: 'enum', values: Object.values(def.entries ?? {}).map(String) };
    if (t === 'literal') return { kind: 'enum', values: (def.values ?? []).map(String) };
    break;
  }
  return { kind: 'string' };
}

export function coerce(name: string, kind: Kind, raw: string | true): unknown {
  if (kind === 'boolean') return raw === true ? true : !/^(false|0|no|off)$/i.test(raw);
  if (raw === true) throw new ConfigError({ message: `--${name} needs a value.` });
  if (kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError({ message: `--${name} must be a number, got '${raw}'.` });
    return n;
  }
  if (kind === 'array')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return raw;
}
