#!/usr/bin/env node
/**
 * The offline rehearsal from the command line: `npx ts-node --transpile-only tools/rehearsal/offline/cli.ts [--out <dir>]`.
 * Exit 0: as expected; 1: not (the problems are printed); 2: bad arguments; 3: the harness failed.
 */
import { rehearseOffline } from './index';

const args = process.argv.slice(2);
let outDir: string | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) { outDir = args[++i]; continue; }
  console.error(`usage: cli.ts [--out <dir>] (unknown or incomplete: ${args[i]})`);
  process.exit(2);
}
rehearseOffline({ ...(outDir && { outDir }) }).then(
  (r) => { process.exitCode = r.ok ? 0 : 1; },
  (e: Error) => { console.error(`offline rehearsal failed: ${e.stack ?? e.message}`); process.exitCode = 3; },
);
