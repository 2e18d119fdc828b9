#!/usr/bin/env node
/**
 * The rehearsal of the roll with replaceable resources from the command line:
 * `npx ts-node --transpile-only tools/rehearsal/replacing/cli.ts [--fault never-joins] [--out <dir>]`.
 * Prints the per-replacement report and how it ended; exit 0: as expected (the happy path succeeded, or with
 * --fault never-joins rolled back with nothing old retired); 1: not (the problems are printed); 2: bad
 * arguments; 3: the harness failed.
 */
import { rehearseReplacing, ReplacingFault } from './index';

const args = process.argv.slice(2);
let outDir: string | undefined;
let fault: ReplacingFault | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) { outDir = args[++i]; continue; }
  if (args[i] === '--fault' && args[i + 1] === 'never-joins') { fault = args[++i] as ReplacingFault; continue; }
  console.error(`usage: cli.ts [--fault never-joins] [--out <dir>] (unknown or incomplete: ${args[i]})`);
  process.exit(2);
}
rehearseReplacing({ ...(outDir && { outDir }), ...(fault && { fault }) }).then(
  (r) => { process.exitCode = r.ok ? 0 : 1; },
  (e: Error) => { console.error(`replacing rehearsal failed: ${e.stack ?? e.message}`); process.exitCode = 3; },
);
