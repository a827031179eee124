/**
 * Throwaway Redis and PostgreSQL servers for the fault tests, on free loopback ports, in temp
 * directories: restarting them hurts nobody (the machine's shared 6379 / 5432 are never touched).
 * PostgreSQL refuses to run as root: as root, initdb/pg_ctl run as the `postgres` user (runuser).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reachable } from './helpers.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitFor(port: number, up: boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while ((await reachable(port)) !== up) {
    if (Date.now() > end) throw new Error(`port ${port} did not go ${up ? 'up' : 'down'} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface OwnRedis {
  port: number;
  /** kill -9 and start again on the same port (no persistence: the data is gone, as after a crash). */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function which(bin: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export async function startRedis(): Promise<OwnRedis> {
  const bin = which('redis-server');
  if (!bin) throw new Error('redis-server not found');
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(port, true);
  };
  await start();
  return {
    port,
    async restart(downMs = 1000) {
      child.kill('SIGKILL');
      await waitFor(port, false);
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      child.kill('SIGKILL');
      await waitFor(port, false).catch(() => undefined);
    },
  };
}

export interface OwnPostgres {
  port: number;
  url: string;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back shortly after. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function pgBin(name: string): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return which(name);
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(path.join(root, v, 'bin', name))) return path.join(root, v, 'bin', name);
  return which(name);
}

export async function startPostgres(): Promise<OwnPostgres> {
  const initdb = pgBin('initdb');
  const pgCtl = pgBin('pg_ctl');
  if (!initdb || !pgCtl) throw new Error('initdb/pg_ctl not found (PostgreSQL server binaries)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-pg-'));
  const data = path.join(dir, 'data');
  chmodSync(dir, 0o755);
  let uid = -1;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root and there is no postgres user to run initdb as');
    uid = Number(id.stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const run = (bin: string, args: string[]) => {
    const r = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8', cwd: dir })
      : spawnSync(bin, args, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0)
      throw new Error(`${path.basename(bin)} ${args[0]} failed: ${(r.stderr || r.stdout).slice(0, 500)}`);
  };
  run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB`;
  const ctl = (...args: string[]) =>
    run(pgCtl, ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', '-t', '60', ...args]);
  ctl('start');
  await waitFor(port, true);
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart() {
      ctl('restart', '-m', 'fast');
      await waitFor(port, true);
    },
    async stop() {
      try {
        ctl('stop', '-m', 'immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
