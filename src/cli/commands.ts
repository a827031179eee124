/**
 * `orgsync diff OLD NEW [--format text|json] [--out FILE] [--allow-older]`
 * `orgsync orgchart SNAPSHOT --format json|csv|mermaid|dot|html [--out FILE] [--include-terminated]`
 */
import { ConfigError } from '../errors.js';
import { readSnapshotFile, writeFileAtomic } from '../snapshot.js';
import { diffSnapshots, formatChangesText, summarizeChanges } from '../diff.js';
import {
  buildOrgChart,
  orgChartToCsv,
  orgChartToDot,
  orgChartToHtml,
  orgChartToJson,
  orgChartToMermaid,
} from '../org-chart.js';
import { promises as fs } from 'node:fs';
import {
  applyPlan,
  describeAction,
  FileJournal,
  formatPlanText,
  loadRuleSet,
  parsePlan,
  planProvisioning,
  type PlanAction,
  type ProvisioningHandlers,
} from '../provisioning/index.js';
import type { ParsedArgs } from './args.js';
import type { Io } from './io.js';

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new ConfigError({ message: `--${name} needs a value.` });
  return v;
}

export function oneOf<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = flag(args, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new ConfigError({ message: `--${name} must be one of ${allowed.join('|')}, got '${v}'.` });
  return v as T;
}

export function checkFlags(args: ParsedArgs, command: string, allowed: string[]): void {
  for (const f of args.flags.keys()) {
    if (!allowed.includes(f))
      throw new ConfigError({
        message: `Unknown option --${f} for '${command}'. Options: ${allowed.map((a) => `--${a}`).join(', ')}.`,
      });
  }
}

/** Reject positional arguments beyond the `max` a command takes (`diff a b c`). */
export function checkPositionals(rest: readonly string[], max: number, command: string): void {
  if (rest.length > max) {
    throw new ConfigError({
      message: `'${command}' takes ${max === 0 ? 'no arguments' : `${max} argument${max === 1 ? '' : 's'}`}; unexpected: ${rest
        .slice(max)
        .map((a) => `'${a}'`)
        .join(' ')}. See: orgsync ${command} --help.`,
    });
  }
}

/** `--name N` as a positive integer (sizes, counts), or undefined when absent. */
export function positiveInt(args: ParsedArgs, name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new ConfigError({ message: `--${name} must be a positive integer, got '${v}'.` });
  }
  return Number(v);
}

export async function output(io: Io, args: ParsedArgs, text: string): Promise<void> {
  const out = flag(args, 'out');
  if (out) await writeFileAtomic(out, text);
  else io.stdout(text);
}

/** A flag without a value (`--allow-older`); `--flag=true|false` also work. */
export function switchFlag(args: ParsedArgs, name: string, command: string): boolean {
  const v = args.flags.get(name);
  if (v === undefined || v === 'false') return false;
  if (v === true || v === 'true') return true;
  // `--allow-older OLD.json NEW.json`: the parser took the file as the flag's value.
  throw new ConfigError({
    message: `--${name} takes no value (got '${v}'); put it after the snapshot files, e.g. orgsync ${command} ... --${name}.`,
  });
}

export async function diffCommand(rest: string[], args: ParsedArgs, io: Io): Promise<number> {
  checkFlags(args, 'diff', ['format', 'out', 'now', 'allow-older']);
  const allowOlder = switchFlag(args, 'allow-older', 'diff');
  const [oldFile, newFile] = rest;
  if (!oldFile || !newFile) {
    io.stderr(
      'orgsync diff: usage: orgsync diff OLD.json NEW.json [--format text|json] [--out FILE] [--allow-older]\n',
    );
    return 2;
  }
  checkPositionals(rest, 2, 'diff');
  const format = oneOf(args, 'format', ['text', 'json'] as const, 'text');
  const [prev, next] = [await readSnapshotFile(oldFile), await readSnapshotFile(newFile)];
  const now = flag(args, 'now');
  const events = diffSnapshots(prev, next, { ...(now ? { now } : {}), allowOlder });
  if (format === 'json') {
    await output(
      io,
      args,
      JSON.stringify(
        { from: prev.takenAt, to: next.takenAt, connector: next.connector, summary: summarizeChanges(events), events },
        null,
        2,
      ) + '\n',
    );
  } else {
    const counts = Object.entries(summarizeChanges(events)).filter(([, n]) => n > 0);
    const head = `${events.length} change${events.length === 1 ? '' : 's'} from ${prev.takenAt} to ${next.takenAt}${counts.length ? ` (${counts.map(([t, n]) => `${n} ${t}`).join(', ')})` : ''}\n\n`;
    await output(
      io,
      args,
      head +
        formatChangesText(events, {
          groups: [...prev.groups, ...next.groups],
          locations: [...prev.locations, ...next.locations],
        }),
    );
  }
  return 0;
}

export async function orgchartCommand(rest: string[], args: ParsedArgs, io: Io): Promise<number> {
  checkFlags(args, 'orgchart', ['format', 'out', 'include-terminated']);
  const [file] = rest;
  if (!file) {
    io.stderr(
      'orgsync orgchart: usage: orgsync orgchart SNAPSHOT.json --format json|csv|mermaid|dot|html [--out FILE]\n',
    );
    return 2;
  }
  checkPositionals(rest, 1, 'orgchart');
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
  const problems = [
    d.cycles.length && `${d.cycles.length} reporting cycle(s)`,
    d.missingManagers.length && `${d.missingManagers.length} manager(s) missing`,
    d.reportingToTerminated.length &&
      `${d.reportingToTerminated.length} active employee(s) reporting to terminated managers`,
  ].filter(Boolean);
  if (problems.length) io.stderr(`orgsync orgchart: ${problems.join(', ')}\n`);
  return 0;
}

/**
 * `orgsync plan --rules RULES.json --from OLD.json --to NEW.json [--format text|json] [--out FILE] [--now DATE] [--allow-older]`
 */
export async function planCommand(rest: string[], args: ParsedArgs, io: Io): Promise<number> {
  checkFlags(args, 'plan', ['rules', 'from', 'to', 'format', 'out', 'now', 'allow-older']);
  checkPositionals(rest, 0, 'plan');
  const rulesFile = flag(args, 'rules');
  const from = flag(args, 'from');
  const to = flag(args, 'to');
  if (!rulesFile || !from || !to) {
    io.stderr(
      'orgsync plan: usage: orgsync plan --rules RULES.json --from OLD.json --to NEW.json [--format text|json] [--out FILE] [--allow-older]\n',
    );
    return 2;
  }
  const format = oneOf(args, 'format', ['text', 'json'] as const, 'text');
  const allowOlder = switchFlag(args, 'allow-older', 'plan');
  const nowFlag = flag(args, 'now');
  const now = nowFlag ? new Date(nowFlag) : new Date();
  if (Number.isNaN(now.getTime())) throw new ConfigError({ message: `--now is not a date: '${nowFlag}'.` });
  const rules = await readRules(rulesFile);
  const [previous, current] = [await readSnapshotFile(from), await readSnapshotFile(to)];
  const changes = diffSnapshots(previous, current, { now, allowOlder });
  const plan = planProvisioning(changes, rules, { previous, current, now });
  await output(io, args, format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : formatPlanText(plan, { now }));
  return 0;
}

/**
 * `orgsync apply PLAN.json [--journal FILE] [--handler console|json] [--approve PLAN_ID] [--now DATE] [--rules RULES.json]`
 * Runs a plan with a handler that prints each action (to try rules without code). Exit codes:
 * 0 all due actions done, 1 some failed (re-run to retry), 3 halted by a safety stop (approve to proceed).
 */
export async function applyCommand(rest: string[], args: ParsedArgs, io: Io): Promise<number> {
  checkFlags(args, 'apply', ['journal', 'handler', 'approve', 'now', 'rules']);
  const [planFile] = rest;
  if (!planFile) {
    io.stderr(
      'orgsync apply: usage: orgsync apply PLAN.json [--journal FILE] [--handler console|json] [--approve PLAN_ID]\n',
    );
    return 2;
  }
  checkPositionals(rest, 1, 'apply');
  const handler = oneOf(args, 'handler', ['console', 'json'] as const, 'console');
  let text: string;
  try {
    text = await fs.readFile(planFile, 'utf8');
  } catch (e) {
    throw new ConfigError({
      message: `Cannot read plan '${planFile}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`,
    });
  }
  const plan = parsePlan(text);
  const journal = new FileJournal(flag(args, 'journal') ?? planFile.replace(/(\.json)?$/, '.journal.json'));
  const approve = flag(args, 'approve');
  const nowFlag = flag(args, 'now');
  const print = (type: string, action: PlanAction, ctx: { idempotencyKey: string }) => {
    if (handler === 'json') io.stdout(JSON.stringify({ type, idempotencyKey: ctx.idempotencyKey, action }) + '\n');
    else
      io.stdout(`${type.padEnd(12)} ${action.employeeId ?? '-'}  ${describeAction(action)}  [${ctx.idempotencyKey}]\n`);
    return { ok: true };
  };
  const handlers = Object.fromEntries(
    ['createUser', 'updateUser', 'grant', 'revoke', 'suspendUser', 'deleteUser', 'sendWelcome', 'notify'].map((t) => [
      t,
      (a: PlanAction, c: { idempotencyKey: string }) => print(t, a, c),
    ]),
  ) as unknown as ProvisioningHandlers;
  // --rules: deliver the digest / safety alerts to the rule set's channels (docs/alerts.md), secrets from the environment.
  const rulesFile = flag(args, 'rules');
  const channels = rulesFile ? (await loadRuleSet(rulesFile)).policy.notifications.channels : [];
  const result = await applyPlan(plan, handlers, {
    journal,
    ...(channels.length ? { alerts: { channels, env: io.env } } : {}),
    ...(approve ? { approval: { planId: approve } } : {}),
    ...(nowFlag ? { now: new Date(nowFlag) } : {}),
  }).finally(() => journal.close()); // release the journal's lock (docs/reliability.md)
  if (approve && approve !== result.planId && !result.halted) {
    io.stderr(
      `orgsync apply: note: --approve ${approve} did not match this plan's id (${result.planId}); no approval was needed.\n`,
    );
  }
  const summary = `plan ${result.planId}: ${result.done.length} done, ${result.skipped.length} already done, ${result.failed.length} failed, ${result.deferred.length} deferred`;
  for (const d of result.deliveries)
    io.stderr(`alert ${d.kind} -> ${d.channel} (${d.type}): ${d.status}${d.error ? `: ${d.error}` : ''}\n`);
  if (result.halted) {
    const mismatch =
      approve && approve !== result.planId
        ? `--approve ${approve} did not match this plan's id (${result.planId}); an approval applies to one exact plan.\n`
        : '';
    io.stderr(
      `orgsync apply: HALTED by a safety stop; nothing was executed.\n${mismatch}${result.halted.message ?? ''}\nReview the plan, then run: orgsync apply ${planFile} --approve ${result.planId}\n`,
    );
    io.stderr(summary + '\n');
    return 3;
  }
  io.stderr(summary + '\n');
  return result.failed.length ? 1 : 0;
}

/** Load a rule set; a file that cannot be read is a config error naming the flag and the file. */
async function readRules(file: string) {
  try {
    return await loadRuleSet(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
      throw new ConfigError({ message: `Cannot read --rules '${file}': ${code}.` });
    throw e;
  }
}
