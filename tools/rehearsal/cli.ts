#!/usr/bin/env node
/**
 * npx ts-node tools/rehearsal/cli.ts [--app <path>] [--input <json> | --input-file <path>] [--faults all]
 *                                    [--workers N] [--out <dir>] [--skip-happy-path]
 * The input is any JSON value, passed to the execution as given (validate-input refuses what is not an
 * object); --input-file keeps a large input out of argv (over 128 KiB there fails with E2BIG).
 * Exits 0 when everything ended as expected, 1 when not, 2 on bad arguments, 3 when the harness failed.
 */
import * as fs from 'node:fs';
import { FaultPlan, rehearse, stopRehearsals } from './index';
import { useProjectTools } from '../project-tools';

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('usage: cli.ts [--app <cdk app entry>] [--input <json> | --input-file <path>] [--faults all] [--workers N] [--out <dir>] [--skip-happy-path]');
  process.exit(2);
}

/** Any JSON value (a string, array or null included: the execution gets it as given). */
function json(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    return usage(`${what} is not JSON (${(e as Error).message}): ${text.length > 200 ? `${text.slice(0, 200)}... (${text.length} characters)` : text}`);
  }
}

function parse(argv: string[]) {
  const o: { app?: string; input?: unknown; faults?: FaultPlan; workers?: number; outDir?: string; skipHappyPath?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--app': o.app = value(); break;
      case '--input': o.input = json(a, value()); break;
      case '--input-file': {
        const file = value();
        let text = '';
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (e) {
          usage(`--input-file ${file} cannot be read: ${(e as Error).message}`);
        }
        o.input = json(`--input-file ${file}`, text);
        break;
      }
      case '--faults': {
        const v = value();
        if (v !== 'all') usage(`--faults takes "all", got ${v}`);
        o.faults = 'all';
        break;
      }
      case '--workers': o.workers = Number(value()); break;
      case '--out': o.outDir = value(); break;
      case '--skip-happy-path': o.skipHappyPath = true; break;
      case '-h': case '--help': usage();
      // falls through (usage exits)
      default: usage(`unknown argument ${a}`);
    }
  }
  return o;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`rehearsal: ${signal}, stopping moto_server and Neo4j`);
    void stopRehearsals().finally(() => process.exit(130));
  });
}

// moto_server, the aws CLI the node boot scripts call: where scripts/setup.sh installed them.
useProjectTools();
rehearse(parse(process.argv.slice(2))).then(
  (report) => process.exit(report.ok ? 0 : 1),
  (e: Error) => {
    console.error(`rehearsal harness failed: ${e.stack ?? e.message}`);
    process.exit(3);
  },
);
