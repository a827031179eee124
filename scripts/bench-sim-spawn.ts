/**
 * Start `bench-sim-process.ts` (a vendor simulator in its own process, as a vendor is another machine)
 * and wait until it listens. Used by the memory benchmark and the runtime benchmark.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface SimulatorProcess {
  /** The connector options that point at the simulator (base URL, credentials of the sample company). */
  options: Record<string, unknown>;
  /** Stop the simulator and wait for its process to exit. */
  close(): Promise<void>;
}

export async function spawnSimulator(vendor: string, size: number, today?: string): Promise<SimulatorProcess> {
  const script = fileURLToPath(new URL('./bench-sim-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, vendor, String(size), ...(today ? [today] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator process exited (${code}) before it listened`)));
  });
  const { options } = JSON.parse(line) as { url: string; options: Record<string, unknown> };
  return {
    options,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      await exited;
    },
  };
}
