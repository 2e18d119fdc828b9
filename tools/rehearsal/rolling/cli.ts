#!/usr/bin/env node
/**
 * The rolling rehearsal from the command line: `npx ts-node --transpile-only tools/rehearsal/rolling/cli.ts [--out <dir>]`.
 * Prints the per-server report; exit 0: as expected; 1: not (the problems are printed); 2: bad arguments; 3: the harness failed.
 */
import { rehearseRolling } from './index';

const args = process.argv.slice(2);
const out = args.indexOf('--out');
const unknown = args.filter((a, i) => a !== '--out' && args[i - 1] !== '--out');
if (unknown.length > 0 || (out >= 0 && !args[out + 1])) {
  console.error(`usage: cli.ts [--out <dir>] (unknown: ${unknown.join(' ') || '--out without a directory'})`);
  process.exit(2);
}
rehearseRolling({ ...(out >= 0 && { outDir: args[out + 1] }) }).then(
  (r) => { process.exitCode = r.ok ? 0 : 1; },
  (e: Error) => { console.error(`rolling rehearsal failed: ${e.stack ?? e.message}`); process.exitCode = 3; },
);
