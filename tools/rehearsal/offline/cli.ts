#!/usr/bin/env node
/**
 * The offline rehearsal from the command line:
 * `npx ts-node --transpile-only tools/rehearsal/offline/cli.ts [--faults all | --faults <regex of run names>] [--out <dir>]`.
 * Without --faults: the upgrade end to end (index.ts); with it: the fault matrix (offline-fault-matrix.ts) and a RESULT line.
 * Exit 0: as expected; 1: not (the problems are printed); 2: bad arguments; 3: the harness failed.
 */
import { rehearseOffline } from './index';
import { rehearseOfflineFaults } from './offline-fault-matrix';

const args = process.argv.slice(2);
let outDir: string | undefined;
let faults: RegExp | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) { outDir = args[++i]; continue; }
  if (args[i] === '--faults' && args[i + 1]) { faults = args[++i] === 'all' ? /./ : new RegExp(args[i]); continue; }
  console.error(`usage: cli.ts [--faults all | --faults <regex>] [--out <dir>] (unknown or incomplete: ${args[i]})`);
  process.exit(2);
}
const run: Promise<{ ok: boolean }> = faults
  ? rehearseOfflineFaults({ ...(outDir && { outDir }), filter: (runs) => runs.filter((r) => faults!.test(r.name)) })
  : rehearseOffline({ ...(outDir && { outDir }) });
run.then(
  (r) => { process.exitCode = r.ok ? 0 : 1; },
  (e: Error) => { console.error(`offline rehearsal failed: ${e.stack ?? e.message}`); process.exitCode = 3; },
);
