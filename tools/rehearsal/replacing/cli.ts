#!/usr/bin/env node
/**
 * The rehearsal of the roll with replaceable resources from the command line:
 * `npx ts-node --transpile-only tools/rehearsal/replacing/cli.ts [--family 4.4] [--fault never-joins | --faults all | --faults <regex of run names>] [--out <dir>]`.
 * `--family 4.4`: the cluster is a Neo4j 4.4 causal cluster (default: 5.x), for the happy path, the world fault and the fault matrix.
 * Prints the per-replacement report and how it ended, or with --faults the fault matrix
 * (replacing-fault-matrix.ts) and a RESULT line; exit 0: as expected (the happy path succeeded, with
 * --fault never-joins rolled back with nothing old retired, with --faults every run as expected); 1: not (the
 * problems are printed); 2: bad arguments; 3: the harness failed.
 */
import { rehearseReplacing, ReplacingFault } from './index';
import { rehearseReplacingFaults } from './replacing-fault-matrix';
import { ReplacingFamily } from './replacing-world';

const args = process.argv.slice(2);
let outDir: string | undefined;
let fault: ReplacingFault | undefined;
let faults: RegExp | undefined;
let family: ReplacingFamily | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) { outDir = args[++i]; continue; }
  if (args[i] === '--fault' && args[i + 1] === 'never-joins') { fault = args[++i] as ReplacingFault; continue; }
  if (args[i] === '--family' && ['4.4', '5'].includes(args[i + 1])) { family = args[++i] as ReplacingFamily; continue; }
  if (args[i] === '--faults' && args[i + 1]) { faults = args[++i] === 'all' ? /./ : new RegExp(args[i]); continue; }
  console.error(`usage: cli.ts [--family 4.4] [--fault never-joins | --faults all | --faults <regex>] [--out <dir>] (unknown or incomplete: ${args[i]})`);
  process.exit(2);
}
const run: Promise<{ ok: boolean }> = faults
  ? rehearseReplacingFaults({ ...(outDir && { outDir }), ...(family && { family }), filter: (runs) => runs.filter((r) => faults!.test(r.name)) })
  : rehearseReplacing({ ...(outDir && { outDir }), ...(fault && { fault }), ...(family && { family }) });
run.then(
  (r) => { process.exitCode = r.ok ? 0 : 1; },
  (e: Error) => { console.error(`replacing rehearsal failed: ${e.stack ?? e.message}`); process.exitCode = 3; },
);
