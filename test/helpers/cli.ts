import type { Io } from '../../src/cli/main.js';

/** An Io that captures stdout and stderr, for calling the CLI in-process. */
export function captureIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env };
  return { io, text: () => out.join(''), errText: () => err.join('') };
}
