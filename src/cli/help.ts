/**
 * Usage text of every command: the top-level list and `orgsync <command> --help`.
 * Adding a command is one entry in COMMANDS (its synopsis, one line of summary, optional details).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CommandHelp {
  synopsis: string;
  summary: string;
  details?: string;
}

export const COMMANDS: Record<string, CommandHelp> = {
  snapshot: {
    synopsis: 'orgsync snapshot <vendor> --<option> VALUE ... --out FILE [--config FILE.json] [--quiet]',
    summary: 'read a vendor and write a complete snapshot',
    details: [
      'Options are the kebab-case of the connector options (companyUuid -> --company-uuid); `orgsync connectors`',
      'lists them per vendor. Each may also come from ORGSYNC_<VENDOR>_<OPTION> (e.g. ORGSYNC_BAMBOOHR_API_KEY,',
      'recommended for secrets) or from --config FILE.json ({"subdomain": "acme"}). Precedence: flags, env, config.',
      'Common: --base-url, --include-remote-data, --timeout-ms, --max-retries, --quiet (no progress).',
      'The file is written only when the sync completed. Ctrl-C removes temporary files and exits 130 (SIGTERM: 143).',
    ].join('\n'),
  },
  diff: {
    synopsis: 'orgsync diff OLD.json NEW.json [--format text|json] [--out FILE] [--now DATE] [--allow-older]',
    summary: 'change events between two snapshots',
  },
  orgchart: {
    synopsis: 'orgsync orgchart SNAPSHOT.json --format json|csv|mermaid|dot|html [--out FILE] [--include-terminated]',
    summary: 'the reporting tree (html: searchable, collapsible page)',
  },
  plan: {
    synopsis:
      'orgsync plan --rules RULES.json --from OLD.json --to NEW.json [--format text|json] [--out FILE] [--now DATE] [--allow-older]',
    summary: 'dry-run provisioning plan from the changes between two snapshots',
  },
  apply: {
    synopsis:
      'orgsync apply PLAN.json [--journal FILE] [--handler console|json] [--approve PLAN_ID] [--rules RULES.json] [--now DATE]',
    summary: 'run a plan with a handler that prints each action (journaled; exit 3 = halted by a safety stop)',
  },
  simulate: {
    synopsis: 'orgsync simulate <vendor> [--port P] [--size N] [--changes]',
    summary: "serve a sample company on 127.0.0.1 in the vendor's wire format, to try every command without an account",
    details: [
      "Prints the `orgsync snapshot` command (with the simulator's throwaway credential) to run against it.",
      'Apply simulated HR changes (a hire, a departure, a promotion, a move, an email change, a leave) with',
      '`curl -X POST http://127.0.0.1:PORT/__orgsync/advance`, or Enter when run in a terminal; --changes starts',
      'from the changed company. Runs until Ctrl-C or SIGTERM (exit 0).',
    ].join('\n'),
  },
  'new-connector': {
    synopsis:
      'orgsync new-connector <id> [--auth basic|bearer|oauth2-client-credentials] [--paging single|offset|page|cursor|next-link] [--lists endpoints|rows] [--root DIR]',
    summary: 'scaffold a connector and its conformance test (in your project: a package that imports orgsync)',
    details: [
      'Generates from one description the declaration (index.ts), schemas.ts, map.ts, simulator.ts (routes with',
      'that auth and paging, and <id>Simulator: the conformance registration connectors/simulators.ts and the test use),',
      'README.md and a conformance test. --lists rows: groups, locations and the company come from the employee rows',
      '(a vendor without department/location endpoints). A flag left out is asked in a terminal; otherwise it defaults',
      "to --auth bearer --paging offset --lists endpoints. The test's first run lists every TODO(new-connector) left.",
    ].join('\n'),
  },
  'serve-scim': {
    synopsis:
      'orgsync serve-scim --port P --token T [--tenant ID] [--store DIR|FILE.json | --config RUNTIME.json] [--host 127.0.0.1]',
    summary:
      'inbound SCIM 2.0 endpoint for identity providers (token may come from ORGSYNC_SCIM_TOKEN); with --config, data in the runtime database and writes trigger the runtime tenant',
  },
  studio: {
    synopsis: 'orgsync studio --snapshot S.json [--previous P.json] --rules R.json [--port P] [--now DATE]',
    summary: 'rules editor with a live plan preview on localhost (docs/studio.md)',
  },
  connectors: {
    synopsis: 'orgsync connectors',
    summary: 'list vendors and their options',
  },
  migrate: {
    synopsis: 'orgsync migrate [--config FILE.json]',
    summary: 'create or upgrade the runtime store schema (SQLite file by default, PostgreSQL per --config)',
  },
  tenants: {
    synopsis:
      'orgsync tenants add ID --connector C [--options JSON|FILE] [--credentials FILE] [--rules FILE] [--every 1h] | list | show ID | remove ID | rekey',
    summary: "manage the runtime's tenants (credentials encrypted at rest with ORGSYNC_KEYS)",
    details:
      'Runtime commands take --config FILE.json (or ORGSYNC_RUNTIME_CONFIG); without it the embedded SQLite file ./orgsync-runtime.db is used. See docs/runtime.md.',
  },
  run: {
    synopsis: 'orgsync run [--config FILE.json] [--handlers ./handlers.mjs] [--once]',
    summary: 'run the scheduler and tenant jobs (a worker): incremental sync, diff, plan, apply',
  },
  approve: {
    synopsis: 'orgsync approve TENANT PLAN_ID [--by NAME]',
    summary: 'release a plan the runtime halted at a safety threshold',
  },
  status: {
    synopsis: 'orgsync status [--json]',
    summary: 'per tenant: last sync, next run, lag, last error kind, pending approvals, rate budget used',
  },
  events: {
    synopsis:
      'orgsync events TENANT [--after OFFSET] [--limit N] | --dead-letter [TENANT] [--all] [--json] | --redeliver ID',
    summary: "the tenant's event log from an offset (JSON lines); dead-lettered deliveries and their redelivery",
  },
  endpoints: {
    synopsis:
      'orgsync endpoints add ID --url https://... [--tenant T] [--from now|start] [--max-attempts N] [--secret-file F] | list | remove ID',
    summary: "deliver tenants' event logs to your HTTPS endpoint, signed (HMAC-SHA256), retried, dead-lettered",
    details:
      'The signing secret is generated and printed once unless --secret-file is given; it is stored encrypted with ORGSYNC_KEYS. See docs/runtime.md (Event delivery).',
  },
  demo: {
    synopsis: 'orgsync demo [--vendor ID] [--size N] [--quiet] | orgsync demo --runtime',
    summary:
      'the whole pipeline on a local simulator with sample data (nothing written); --runtime: tenants, schedule, events, plan, apply',
  },
  help: {
    synopsis: 'orgsync help [COMMAND]',
    summary: "this text, or one command's",
  },
};

export function usage(): string {
  const rows = Object.values(COMMANDS).map((c) => `  ${c.synopsis}\n      ${c.summary}`);
  return [
    'Usage: orgsync <command> [arguments] [--option VALUE ...]',
    '',
    'Commands:',
    ...rows,
    '',
    'Global options: --help (on any command), --version.',
    'Exit codes: 0 ok, 1 the operation failed, 2 usage or configuration error, 3 apply halted by a safety stop,',
    '130 interrupted (Ctrl-C; 143 for SIGTERM).',
    'Snapshot options may come from ORGSYNC_<VENDOR>_<OPTION> environment variables or --config FILE.json.',
    'Docs: docs/cli.md and docs/getting-started.md in the package.',
    '',
  ].join('\n');
}

/** Help of one command, or undefined for a command this table does not know. */
export function commandHelp(command: string): string | undefined {
  const c = COMMANDS[command];
  if (!c) return undefined;
  return `Usage: ${c.synopsis}\n\n${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.\n${c.details ? `\n${c.details}\n` : ''}`;
}

/** The installed package's version (package.json next to dist/ or src/). */
export function version(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const f = path.join(dir, 'package.json');
    if (existsSync(f)) {
      try {
        const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'orgsync' && pkg.version) return pkg.version;
      } catch {
        /* keep looking */
      }
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
