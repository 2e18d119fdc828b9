#!/usr/bin/env node
/**
 * npx ts-node --transpile-only tools/rehearsal/camunda/cli.ts [--faults all | --faults <regex of run names>] [--out <dir>]
 * The schema-first rolling upgrade (issue 11) rehearsed with real Camunda engines, a real PostgreSQL and a
 * real HAProxy against moto_server. Prints the report's figures; with --faults, the fault matrix instead of
 * the guard and the happy path (one world for every run), ending with a RESULT line.
 * Exits 0 when everything ended as expected, 1 when not, 2 on bad arguments, 3 when the harness failed.
 */
import { useProjectTools } from '../../project-tools';
import { CamundaFaultRun } from './camunda-faults';
import { rehearseCamunda } from './index';

const argv = process.argv.slice(2);
const options: { faults?: boolean | ((runs: CamundaFaultRun[]) => CamundaFaultRun[]); outDir?: string } = {};
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--faults' && argv[i + 1] === 'all') { options.faults = true; i++; continue; }
  if (argv[i] === '--faults' && argv[i + 1]) {
    const only = new RegExp(argv[++i]);
    options.faults = (runs) => runs.filter((r) => only.test(r.name));
    continue;
  }
  if (argv[i] === '--out' && argv[i + 1]) { options.outDir = argv[++i]; continue; }
  console.error(`unknown argument ${argv[i]}\nusage: cli.ts [--faults all | --faults <regex>] [--out <dir>]`);
  process.exit(2);
}
useProjectTools();
rehearseCamunda(options).then(
  (report) => process.exit(report.ok ? 0 : 1),
  (e: Error) => {
    console.error(`camunda rehearsal harness failed: ${e.stack ?? e.message}`);
    process.exit(3);
  },
);
