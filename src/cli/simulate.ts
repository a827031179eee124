/**
 * `orgsync simulate <vendor> [--port P] [--size N] [--changes]`: serve the built-in sample company
 * on 127.0.0.1 in the vendor's wire format until Ctrl-C, and print the exact `orgsync snapshot`
 * command (with the simulator's throwaway credential) to read it. Simulated HR changes are applied
 * by `POST /__orgsync/advance` (or Enter on a terminal); `--changes` starts from the changed company.
 */
import readline from 'node:readline';
import { connectors } from '../../connectors/index.js';
import { simulators } from '../../connectors/simulators.js';
import { applySampleChanges, sampleOrg, type SampleOrg } from '../simulator/sample-org.js';
import { kebab, envName } from './args.js';
import type { Io } from './io.js';

export const ADVANCE_PATH = '/__orgsync/advance';
const CHANGES = 'a hire, a departure, a promotion, a team move, an email change, a leave';

export interface SimulateOptions {
  vendor: string;
  port?: number | undefined;
  size?: number | undefined;
  changes?: boolean;
  io: Io;
  /** Resolves when the simulator should stop (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  /** Read Enter keypresses from this stream (default: stdin when it is a terminal). */
  keys?: NodeJS.ReadableStream | undefined;
}

export async function simulateCommand(o: SimulateOptions): Promise<number> {
  const { io } = o;
  const factory = connectors[o.vendor];
  const simulator = simulators[o.vendor];
  if (!o.vendor) {
    io.stderr(
      `orgsync simulate: which vendor? One of: ${Object.keys(simulators).join(', ')}.\n` +
        'Usage: orgsync simulate <vendor> [--port P] [--size N] [--changes]\n',
    );
    return 2;
  }
  if (!factory || !simulator) {
    io.stderr(`orgsync simulate: unknown vendor '${o.vendor}'. One of: ${Object.keys(simulators).join(', ')}.\n`);
    return 2;
  }
  let org: SampleOrg = sampleOrg({ size: o.size ?? 40 });
  let round = 0;
  if (o.changes) {
    org = applySampleChanges(org);
    round = 1;
  }
  const running = await simulator.start(org, o.port !== undefined ? { port: o.port } : {});
  const { sim, options } = running;
  const advance = (): string => {
    org = applySampleChanges(org);
    round++;
    running.update(org, new Date());
    const line = `simulated HR changes applied (round ${round}): ${CHANGES}; ${org.people.length} people now`;
    io.stderr(`orgsync simulate: ${line}\n`);
    return line;
  };
  sim.inject({
    match: ADVANCE_PATH,
    times: Infinity,
    fault: {
      type: 'transform',
      fn: (_res, req) =>
        req.method === 'POST'
          ? { status: 200, body: { message: advance(), round } }
          : {
              status: 405,
              headers: { allow: 'POST' },
              body: { error: `POST ${ADVANCE_PATH} applies simulated HR changes` },
            },
    },
  });

  const keys = o.keys ?? (process.stdin.isTTY ? process.stdin : undefined);
  // Listen for Ctrl-C/SIGTERM before telling anyone where we are: a signal right after the banner stops cleanly.
  const stop =
    o.until ??
    new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  const def = factory.definition;
  const secrets = new Set<string>(def.secrets as readonly string[]);
  const envs: string[] = [];
  const flags: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || typeof value === 'object') continue;
    if (secrets.has(key)) envs.push(`ORGSYNC_${envName(o.vendor, key)}=${shellQuote(String(value))}`);
    else flags.push(`--${kebab(key)} ${shellQuote(String(value))}`);
  }
  const command = (file: string) =>
    `${envs.join(' ')} npx orgsync snapshot ${o.vendor} ${flags.join(' ')} --out ${file}`.trim();
  io.stdout(
    [
      `orgsync simulate: ${def.name} simulator on ${sim.url} serving "${org.companyName}" ` +
        `(${org.people.length} people${round ? ', simulated HR changes applied' : ''}).`,
      'The credential below is a throwaway that only this simulator accepts.',
      '',
      'Take a snapshot:',
      `  ${command(round ? 'after.json' : 'before.json')}`,
      '',
      `Apply simulated HR changes (${CHANGES}):`,
      `  curl -X POST ${sim.url}${ADVANCE_PATH}${keys ? ' (or press Enter here)' : ''}`,
      '',
      'then snapshot again and compare:',
      `  ${command('after.json')}`,
      '  npx orgsync diff before.json after.json',
      '',
      'Ctrl-C stops the simulator.',
      '',
    ].join('\n'),
  );

  let rl: readline.Interface | undefined;
  if (keys) {
    rl = readline.createInterface({ input: keys });
    rl.on('line', () => void advance());
  }
  try {
    await stop;
  } finally {
    rl?.close();
    await sim.close();
  }
  io.stderr(`orgsync simulate: stopped after ${sim.stats.requests} requests.\n`);
  return 0;
}

/** Quote a value for POSIX shells when it needs it. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
