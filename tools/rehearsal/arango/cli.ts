#!/usr/bin/env node
/**
 * npx ts-node --transpile-only tools/rehearsal/arango/cli.ts [--faults all | --faults <regex of run names>] [--skip-happy-path] [--out <dir>]
 * The role-ordered upgrade (issue 12) rehearsed against moto_server and the ArangoDB emulator.
 * Exits 0 when everything ended as expected, 1 when not, 2 on bad arguments, 3 when the harness failed.
 */
import { useProjectTools } from '../../project-tools';
import { ArangoRunSpec, rehearseArango } from './index';

const argv = process.argv.slice(2);
const options: { faults?: boolean | ((runs: ArangoRunSpec[]) => ArangoRunSpec[]); skipHappyPath?: boolean; outDir?: string } = {};
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--faults' && argv[i + 1] === 'all') { options.faults = true; i++; continue; }
  if (argv[i] === '--faults' && argv[i + 1]) {
    const only = new RegExp(argv[++i]);
    options.faults = (runs) => runs.filter((r) => only.test(r.name));
    continue;
  }
  if (argv[i] === '--skip-happy-path') { options.skipHappyPath = true; continue; }
  if (argv[i] === '--out' && argv[i + 1]) { options.outDir = argv[++i]; continue; }
  console.error(`unknown argument ${argv[i]}\nusage: cli.ts [--faults all | --faults <regex>] [--skip-happy-path] [--out <dir>]`);
  process.exit(2);
}
useProjectTools();
rehearseArango(options).then(
  (report) => process.exit(report.ok ? 0 : 1),
  (e: Error) => {
    console.error(`arango rehearsal harness failed: ${e.stack ?? e.message}`);
    process.exit(3);
  },
);
