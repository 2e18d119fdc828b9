#!/usr/bin/env node
/**
 * The rolling rehearsal from the command line: `npx ts-node --transpile-only tools/rehearsal/rolling/cli.ts [--faults all | --faults <regex of run names>] [--out <dir>] [--from <version>] [--to <version>]`
 * (--from/--to: the roll without faults, e.g. `--from 5.26.30 --to 2026.08.1`, which builds the cluster on discovery v2).
 * Prints the per-server report, or with --faults the fault matrix (rolling-fault-matrix.ts) and a RESULT line;
 * exit 0: as expected; 1: not (the problems are printed); 2: bad arguments; 3: the harness failed.
 */
import { rehearseRolling } from './index';
import { rehearseRollingFaults } from './rolling-fault-matrix';

const args = process.argv.slice(2);
let outDir: string | undefined;
let faults: RegExp | undefined;
const versions: { from?: string; to?: string } = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) { outDir = args[++i]; continue; }
  if ((args[i] === '--from' || args[i] === '--to') && /^\d+\.\d+\.\d+$/.test(args[i + 1] ?? '')) { versions[args[i].slice(2) as 'from' | 'to'] = args[++i]; continue; }
  if (args[i] === '--faults' && args[i + 1]) { faults = args[++i] === 'all' ? /./ : new RegExp(args[i]); continue; }
  console.error(`usage: cli.ts [--faults all | --faults <regex>] [--out <dir>] [--from <x.y.z>] [--to <x.y.z>] (unknown or incomplete: ${args[i]})`);
  process.exit(2);
}
const run: Promise<{ ok: boolean }> = faults
  ? rehearseRollingFaults({ ...(outDir && { outDir }), filter: (runs) => runs.filter((r) => faults!.test(r.name)) })
  : rehearseRolling({ ...(outDir && { outDir }), ...versions });
run.then(
  (r) => { process.exitCode = r.ok ? 0 : 1; },
  (e: Error) => { console.error(`rolling rehearsal failed: ${e.stack ?? e.message}`); process.exitCode = 3; },
);
