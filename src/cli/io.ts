/**
 * Where a CLI command writes and what environment it reads: `main` passes the process's by default,
 * tests pass their own. Its own module so the commands can name it without importing `main.ts`
 * (which imports them).
 */
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  /** The stream behind `stderr`, when there is one: progress draws a live line on it if it is a terminal. */
  stderrStream?: NodeJS.WriteStream;
  /** Ask the user a question (present when stdin is a terminal): `new-connector` asks for flags left out. */
  ask?: (question: string) => Promise<string>;
}
