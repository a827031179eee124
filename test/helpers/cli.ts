import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { applySampleChanges, type SampleOrg } from '../../src/simulator/sample-org.js';

/** An Io that captures stdout and stderr, for calling the CLI in-process. */
export function captureIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env };
  return { io, text: () => out.join(''), errText: () => err.join('') };
}

/** Write a BambooHR snapshot of a running simulator to `file` through the CLI. */
export async function cliSnapshot(running: RunningSimulator, file: string): Promise<void> {
  const o = running.options;
  expect(
    await main(
      [
        'snapshot',
        'bamboohr',
        '--subdomain',
        String(o['subdomain']),
        '--api-key',
        String(o['apiKey']),
        '--base-url',
        String(o['baseUrl']),
        '--out',
        file,
        '--quiet',
      ],
      captureIo().io,
    ),
  ).toBe(0);
}

/** A BambooHR simulator and two snapshot files, before and after the sample HR changes. */
export async function snapshotPair(
  org: SampleOrg,
  prefix: string,
): Promise<{ running: RunningSimulator; dir: string; close(): Promise<void> }> {
  const running = await simulators['bamboohr']!.start(org);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  await cliSnapshot(running, path.join(dir, 'old.json'));
  running.update(applySampleChanges(org));
  await cliSnapshot(running, path.join(dir, 'new.json'));
  return {
    running,
    dir,
    close: async () => {
      await running.sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
