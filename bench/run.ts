/**
 * `npm run bench [-- --lag-only | --validator-only] [validator options]`: the detection-lag bench
 * (bench/detection-lag.bench.ts, two rehearsals, about 15 minutes) and the validator bench
 * (bench/validator.bench.ts, which gets every other argument), one after the other, each in its own process.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const args = process.argv.slice(2);
const lagOnly = args.includes('--lag-only');
const validatorOnly = args.includes('--validator-only');
const rest = args.filter((a) => a !== '--lag-only' && a !== '--validator-only');
const tsNode = path.join(__dirname, '..', 'node_modules', '.bin', 'ts-node');

function run(file: string, extra: string[]): number {
  const r = spawnSync(tsNode, [path.join(__dirname, file), ...extra], { stdio: 'inherit' });
  return r.status ?? 1;
}

let failed = 0;
if (!validatorOnly) failed += run('detection-lag.bench.ts', []);
if (!lagOnly) failed += run('validator.bench.ts', rest);
process.exit(failed > 0 ? 1 : 0);
