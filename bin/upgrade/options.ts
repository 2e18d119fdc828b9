/**
 * The options of `neo4j-ecs-upgrades upgrade <verb>`. Parsed with node:util only: `--help` must not load
 * any AWS SDK client.
 */
import { parseArgs } from 'node:util';

/** A mistake on the command line: the usage follows the message, exit status 2. */
export class UsageError extends Error {}

/** The operation was refused or the execution did not succeed: exit status 1, nothing changed by the CLI. */
export class RefusedError extends Error {}

export const UPGRADE_OPTIONS = {
  'stack': { type: 'string' },
  'state-machine': { type: 'string' },
  'execution': { type: 'string' },
  'region': { type: 'string' },
  'input': { type: 'string' },
  'input-file': { type: 'string' },
  'image': { type: 'string' },
  'target-version': { type: 'string' },
  'from-version': { type: 'string' },
  'target-capacity': { type: 'string' },
  'slave-capacity': { type: 'string' },
  'clone-region': { type: 'string', multiple: true },
  'approval-mode': { type: 'string' },
  'approval-timeout': { type: 'string' },
  'lock-ttl': { type: 'string' },
  'allow-same-version': { type: 'boolean' },
  'comment': { type: 'string' },
  'name': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'by': { type: 'string' },
  'reason': { type: 'string' },
  'interval': { type: 'string' },
  'timeout': { type: 'string' },
  'until-approval': { type: 'boolean' },
  'limit': { type: 'string' },
  'json': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

export function parseUpgradeArgs(args: string[]) {
  try {
    return parseArgs({ args, options: UPGRADE_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export type UpgradeValues = ReturnType<typeof parseUpgradeArgs>['values'];

/** A whole number >= min from option `name`, or undefined when not given. */
export function integerOption(values: UpgradeValues, name: keyof UpgradeValues, min: number): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min) {
    throw new UsageError(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}
