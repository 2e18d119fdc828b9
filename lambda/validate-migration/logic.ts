import { SSMClient } from '@aws-sdk/client-ssm';
import { PROCEDURE_LIMITS, jsonBytes } from '../../lib/private/procedure-limits';
import { BaselineTooLargeError, loadBaselineFromSsm, storeBaselineInSsm } from '../../validator/baseline-store';
import { captureSnapshot } from '../../validator/capture';
import type { Difference, ValidationReport } from '../../validator/report';
import { compareSnapshots } from '../../validator/report';
import type { PartitionSpec, Snapshot } from '../../validator/snapshot';
import { combineSnapshots } from '../../validator/snapshot';
import type { NormalizedKeys } from '../../validator/stable-key';
import { normalizeKeys } from '../../validator/stable-key';
import { redactUri } from '../../validator/connect';
import { compareWithBaseline } from '../../validator/validate';
import { isAwsError } from '../shared/aws-error';
import { DatabaseDeps, DatabaseTarget, isBoltUri, withDatabase } from '../shared/database-session';
import { InvalidInputError, PreconditionFailedError, ValidationMismatchError } from '../shared/errors';
import { optionalString, requireInteger, requireString } from '../shared/input-checks';
import type { Logger } from '../shared/log';

/**
 * Migration validation stage:
 * - `capture-baseline`: captures the database (or combines `partials` from `capture-partition` runs) and
 *   stores the baseline JSON in an SSM parameter (Standard up to 4 KB, Advanced up to 8 KB, gzip beyond;
 *   too large: PreconditionFailedError naming the size).
 * - `capture-partition`: captures partition `index` of `count` and returns it (for a Map state; a
 *   later `capture-baseline` or `compare` with `partials` adds them up).
 * - `compare`: compares the database (or the combined `partials`) with the stored baseline; any
 *   difference is a ValidationMismatchError (not retryable: the state machine rolls back).
 */
export interface ValidateMigrationDeps extends DatabaseDeps {
  readonly ssm: SSMClient;
  readonly log: Logger;
}

export type ValidateMigrationMode = 'capture-baseline' | 'capture-partition' | 'compare';

export interface ValidateMigrationInput {
  readonly mode: ValidateMigrationMode;
  /** Where boltUri and credentialsSecretArn come from when not given directly. */
  readonly cluster?: { readonly boltUri?: string; readonly credentialsSecretArn?: string };
  readonly boltUri?: string;
  readonly credentialsSecretArn?: string;
  readonly database?: string;
  /** SSM parameter of the baseline (capture-baseline, compare). */
  readonly baselineParameterName?: string;
  /** Stable key properties per label (capture only; compare uses the baseline's). */
  readonly keys?: Record<string, string | string[]>;
  /** Quick mode: counts, schema and a sample instead of full checksums. */
  readonly quick?: boolean;
  readonly sampleSize?: number;
  /** capture-partition: which partition. */
  readonly partition?: { readonly index: number; readonly count: number; readonly strategy?: PartitionSpec['strategy'] };
  /** capture-baseline / compare: the outputs of capture-partition runs instead of a live capture. */
  readonly partials?: readonly Snapshot[];
}

export type ValidateMigrationOutput =
  | {
      readonly mode: 'capture-baseline';
      readonly parameterName: string;
      readonly tier: 'Standard' | 'Advanced';
      readonly encoding: 'json' | 'gzip+base64';
      readonly sizeBytes: number;
      readonly nodes: number;
      readonly relationships: number;
    }
  | { readonly mode: 'capture-partition'; readonly partition: PartitionSpec; readonly snapshot: Snapshot }
  | { readonly mode: 'compare'; readonly ok: true; readonly checks: readonly string[]; readonly nodes: number; readonly relationships: number };

const MODES: readonly ValidateMigrationMode[] = ['capture-baseline', 'capture-partition', 'compare'];
/** Differences listed in the error message (Step Functions keeps the Cause, up to 32 KB). */
const MAX_LISTED = 25;

interface Checked {
  mode: ValidateMigrationMode;
  boltUri?: string;
  secretArn?: string;
  database?: string;
  parameterName?: string;
  keys: NormalizedKeys;
  quick: boolean;
  sampleSize?: number;
  partition?: PartitionSpec;
  partials?: readonly Snapshot[];
}

/** Everything is checked before anything is read or written. */
export function checkInput(input: ValidateMigrationInput): Checked {
  if (typeof input !== 'object' || input === null) throw new InvalidInputError(`input must be an object, got ${JSON.stringify(input)}`);
  if (!MODES.includes(input.mode)) throw new InvalidInputError(`mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(input.mode)}`);
  const partials = input.partials;
  if (partials !== undefined && (!Array.isArray(partials) || partials.length === 0 || input.mode === 'capture-partition')) {
    throw new InvalidInputError(`partials must be a non-empty array, and only for capture-baseline or compare; got ${JSON.stringify(partials)?.slice(0, 200)}`);
  }
  const live = partials === undefined;
  const boltUri = live ? requireString(input.boltUri ?? input.cluster?.boltUri, 'boltUri (or cluster.boltUri)') : undefined;
  if (boltUri !== undefined && !isBoltUri(boltUri)) {
    throw new InvalidInputError(`boltUri must be a bolt:// or neo4j:// URI, got ${JSON.stringify(redactUri(boltUri))}`);
  }
  const secretArn = live ? requireString(input.credentialsSecretArn ?? input.cluster?.credentialsSecretArn, 'credentialsSecretArn (or cluster.credentialsSecretArn)') : undefined;
  const parameterName = input.mode === 'capture-partition' ? optionalString(input.baselineParameterName, 'baselineParameterName') : requireString(input.baselineParameterName, 'baselineParameterName');
  let keys: NormalizedKeys;
  try {
    keys = normalizeKeys(input.keys);
  } catch (err) {
    throw new InvalidInputError((err as Error).message, { cause: err });
  }
  let partition: PartitionSpec | undefined;
  if (input.mode === 'capture-partition') {
    const p = input.partition;
    if (typeof p !== 'object' || p === null) throw new InvalidInputError(`partition must be {index, count}, got ${JSON.stringify(p)}`);
    const count = requireInteger(p.count, 'partition.count', 1);
    const index = requireInteger(p.index, 'partition.index', 0);
    if (index >= count) throw new InvalidInputError(`partition.index must be < partition.count, got ${index} of ${count}`);
    const strategy = p.strategy ?? 'key-hash';
    if (strategy !== 'key-hash' && strategy !== 'internal-id') throw new InvalidInputError(`partition.strategy must be key-hash or internal-id, got ${JSON.stringify(strategy)}`);
    if (input.quick) throw new InvalidInputError('quick mode cannot be partitioned');
    partition = { index, count, strategy };
  } else if (input.partition !== undefined) {
    throw new InvalidInputError('partition is only for mode capture-partition');
  }
  const sampleSize = input.sampleSize === undefined ? undefined : requireInteger(input.sampleSize, 'sampleSize', 0);
  return {
    mode: input.mode,
    boltUri,
    secretArn,
    database: optionalString(input.database, 'database'),
    parameterName,
    keys,
    quick: input.quick === true,
    sampleSize,
    partition,
    partials,
  };
}

export async function logic(deps: ValidateMigrationDeps, input: ValidateMigrationInput): Promise<ValidateMigrationOutput> {
  const c = checkInput(input);
  switch (c.mode) {
    case 'capture-partition': {
      const snapshot = await withDatabase(deps, target(c), (driver) =>
        captureSnapshot(driver, { database: c.database, uri: c.boltUri, keys: c.keys, partition: c.partition }),
      );
      checkPartialFitsTheState(snapshot, c.partition!);
      return { mode: 'capture-partition', partition: c.partition!, snapshot };
    }
    case 'capture-baseline': {
      const snapshot = c.partials
        ? combine(c.partials)
        : await withDatabase(deps, target(c), (driver) =>
            captureSnapshot(driver, {
              database: c.database,
              uri: c.boltUri,
              keys: c.keys,
              mode: c.quick ? 'quick' : 'full',
              sampleSize: c.sampleSize,
            }),
          );
      let stored;
      try {
        stored = await storeBaselineInSsm(deps.ssm, c.parameterName!, snapshot, 'neo4j migration baseline (counts, checksums, schema)');
      } catch (err) {
        if (err instanceof BaselineTooLargeError) throw new PreconditionFailedError(err.message, { cause: err });
        throw err;
      }
      deps.log.info('baseline stored', { parameterName: c.parameterName, tier: stored.tier, encoding: stored.encoding, sizeBytes: stored.sizeBytes, jsonBytes: stored.jsonBytes });
      return {
        mode: 'capture-baseline',
        parameterName: c.parameterName!,
        tier: stored.tier,
        encoding: stored.encoding,
        sizeBytes: stored.sizeBytes,
        nodes: snapshot.nodes.total,
        relationships: snapshot.relationships.total,
      };
    }
    case 'compare': {
      const baseline = await loadBaseline(deps, c.parameterName!);
      const report = c.partials
        ? compareSnapshots(baseline, combine(c.partials))
        : await withDatabase(deps, target(c), (driver) => compareWithBaseline(baseline, driver, { database: c.database, uri: c.boltUri }));
      if (!report.ok) {
        deps.log.error('validation mismatch', { differences: report.differences.slice(0, 200), total: report.differences.length });
        throw new ValidationMismatchError(mismatchMessage(report));
      }
      return { mode: 'compare', ok: true, checks: report.checks, nodes: report.found.nodes, relationships: report.found.relationships };
    }
  }
}

/**
 * The partition snapshots of one pass are collected in the state machine's state until a last call
 * combines them; partitions hold the same groups, so `count` times this one's size is what they add up
 * to. Refused (catchable, before the list could break the 256 KiB state limit, which no Catch takes)
 * when that is over the budget.
 */
export function checkPartialFitsTheState(snapshot: Snapshot, partition: PartitionSpec): void {
  const bytes = jsonBytes(snapshot);
  const budget = PROCEDURE_LIMITS.validationPartialsBytes;
  if (bytes * partition.count > budget) {
    throw new PreconditionFailedError(
      `partition ${partition.index} of ${partition.count}: its snapshot is ${bytes} bytes, so ${partition.count} partitions ` +
      `would add about ${bytes * partition.count} bytes to the state (at most ${budget}): use fewer validationPartitions`,
    );
  }
}

/** `N difference(s) from baseline: what at where (expected X, found Y); ...` */
export function mismatchMessage(report: ValidationReport): string {
  const listed = report.differences.slice(0, MAX_LISTED).map(describe).join('; ');
  const more = report.differences.length > MAX_LISTED ? `; and ${report.differences.length - MAX_LISTED} more` : '';
  return `${report.differences.length} difference(s) from the baseline: ${listed}${more}`;
}

function describe(d: Difference): string {
  return `${d.what} at ${d.where} (expected ${d.expected ?? 'none'}, found ${d.found ?? 'none'})`;
}

function combine(partials: readonly Snapshot[]): Snapshot {
  try {
    return combineSnapshots(partials);
  } catch (err) {
    throw new InvalidInputError(`partials: ${(err as Error).message}`, { cause: err });
  }
}

async function loadBaseline(deps: ValidateMigrationDeps, name: string): Promise<Snapshot> {
  try {
    return await loadBaselineFromSsm(deps.ssm, name);
  } catch (err) {
    if (isAwsError(err, 'ParameterNotFound')) throw new PreconditionFailedError(`baseline parameter ${name} does not exist: capture a baseline first`, { cause: err });
    if (err instanceof Error && /^SSM parameter/.test(err.message)) throw new PreconditionFailedError(err.message, { cause: err });
    throw err;
  }
}

function target(c: Checked): DatabaseTarget {
  return { boltUri: c.boltUri!, secretArn: c.secretArn! };
}
