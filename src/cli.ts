#!/usr/bin/env node
import { main } from './cli/main.js';

// A closed pipe (`orgsync diff a b | head`) ends the command quietly, like other Unix tools:
// nothing more can be shown, so exit 0 without a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`orgsync: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
