#!/usr/bin/env node
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`orgsync: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
