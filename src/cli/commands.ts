/**
 * `orgsync diff OLD NEW [--format text|json] [--out FILE]`
 * `orgsync orgchart SNAPSHOT --format json|csv|mermaid|dot|html [--out FILE] [--include-terminated]`
 */
import { ConfigError } from '../errors.js';
import { readSnapshotFile, writeFileAtomic } from '../snapshot.js';
import { diffSnapshots, formatChangesText, summarizeChanges } from '../diff.js';
import { buildOrgChart, orgChartToCsv, orgChartToDot, orgChartToHtml, orgChartToJson, orgChartToMermaid } from '../org-chart.js';
import type { ParsedArgs } from './args.js';
import type { Io } from './main.js';

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new ConfigError({ message: `--${name} needs a value.` });
  return v;
}

export function oneOf<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = flag(args, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError({ message: `--${name} must be one of ${allowed.join('|')}, got '${v}'.` });
  return v as T;
}

export function checkFlags(args: ParsedArgs, command: string, allowed: string[]): void {
  for (const f of args.flags.keys()) {
    if (!allowed.includes(f)) throw new ConfigError({ message: `Unknown option --${f} for '${command}'. Options: ${allowed.map((a) => `--${a}`).join(', ')}.` });
  }
}

export async function output(io: Io, args: ParsedArgs, text: string): Promise<void> {
  const out = flag(args, 'out');
  if (out) await writeFileAtomic(out, text);
  else io.stdout(text);
}

export async function diffCommand(rest: string[], args: ParsedArgs, io: Io): Promise<number> {
  checkFlags(args, 'diff', ['format', 'out', 'now']);
  const [oldFile, newFile] = rest;
  if (!oldFile || !newFile) {
    io.stderr('orgsync diff: usage: orgsync diff OLD.json NEW.json [--format text|json] [--out FILE]\n');
    return 2;
  }
  const format = oneOf(args, 'format', ['text', 'json'] as const, 'text');
  const [prev, next] = [await readSnapshotFile(oldFile), await readSnapshotFile(newFile)];
  const now = flag(args, 'now');
  const events = diffSnapshots(prev, next, now ? { now } : {});
  if (format === 'json') {
    await output(io, args, JSON.stringify({ from: prev.takenAt, to: next.takenAt, connector: next.connector, summary: summarizeChanges(events), events }, null, 2) + '\n');
  } else {
    const counts = Object.entries(summarizeChanges(events)).filter(([, n]) => n > 0);
    const head = `${events.length} change${events.length === 1 ? '' : 's'} from ${prev.takenAt} to ${next.takenAt}${counts.length ? ` (${counts.map(([t, n]) => `${n} ${t}`).join(', ')})` : ''}\n\n`;
    await output(io, args, head + formatChangesText(events, { groups: [...prev.groups, ...next.groups], locations: [...prev.locations, ...next.locations] }));
  }
  return 0;
}

export async function orgchartCommand(rest: string[], args: ParsedArgs, io: Io): Promise<number> {
  checkFlags(args, 'orgchart', ['format', 'out', 'include-terminated']);
  const [file] = rest;
  if (!file) {
    io.stderr('orgsync orgchart: usage: orgsync orgchart SNAPSHOT.json --format json|csv|mermaid|dot|html [--out FILE]\n');
    return 2;
  }
  const format = oneOf(args, 'format', ['json', 'csv', 'mermaid', 'dot', 'html'] as const, 'json');
  const snapshot = await readSnapshotFile(file);
  const includeTerminated = args.flags.has('include-terminated');
  const chart = buildOrgChart(snapshot, { includeTerminated });
  const text =
    format === 'json'
      ? orgChartToJson(chart)
      : format === 'csv'
        ? orgChartToCsv(chart)
        : format === 'mermaid'
          ? orgChartToMermaid(chart)
          : format === 'dot'
            ? orgChartToDot(chart)
            : orgChartToHtml(chart);
  await output(io, args, text.endsWith('\n') ? text : text + '\n');
  const d = chart.diagnostics;
  const problems = [d.cycles.length && `${d.cycles.length} reporting cycle(s)`, d.missingManagers.length && `${d.missingManagers.length} manager(s) missing`, d.reportingToTerminated.length && `${d.reportingToTerminated.length} active employee(s) reporting to terminated managers`].filter(Boolean);
  if (problems.length) io.stderr(`orgsync orgchart: ${problems.join(', ')}\n`);
  return 0;
}
