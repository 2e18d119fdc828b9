import { SFNClient } from '@aws-sdk/client-sfn';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { consumeAbortRequest } from '../shared/abort-request';
import { isAwsError } from '../shared/aws-error';
import { ClusterContext } from '../shared/context';
import { InvalidInputError, LockHeldError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireParameterName } from '../shared/name-checks';
import { JsonParameter, readJsonParameter } from '../shared/ssm-json';
import { DEFAULT_LOCK_TTL_SECONDS } from '../shared/lock-defaults';
import { holderStatus } from './holder-status';

export interface UpgradeLockDeps {
  readonly ssm: SSMClient;
  /** Asks whether the holder still runs (DescribeExecution). */
  readonly sfn: SFNClient;
  readonly log: Logger;
  /** Clock, injectable for tests. Default: the system clock. */
  readonly now?: () => Date;
}

export interface UpgradeLockInput {
  readonly cluster: ClusterContext;
  readonly action: 'acquire' | 'release';
  /** SSM parameter that is the lock, e.g. `/neo4j-upgrades/<stack>/lock`. */
  readonly parameterName: string;
  /** `$$.Execution.Id`: the holder. */
  readonly executionArn: string;
  /** acquire: how long the lock lives without a release. Default 172800 (2 days); plan.lockTtlSeconds. */
  readonly ttlSeconds?: number;
  /**
   * release: this execution's abort request (`<lock>/abort`) is deleted with the lock: the rollback that
   * honoured it, or the end it came too late for, has consumed it. Default: none looked at.
   */
  readonly abortParameterName?: string;
}

/** What the lock parameter holds (JSON). */
export interface LockRecord {
  readonly executionArn: string;
  /** ISO 8601; after it any execution may take the lock over. */
  readonly expiresAt: string;
  readonly acquiredAt: string;
  readonly stackName: string;
}

export type UpgradeLockOutput =
  | {
    readonly action: 'acquire';
    readonly parameterName: string;
    /**
     * created: the lock was free; already-held: this execution held it (a retry); taken-over: it had
     * expired, or its holder no longer runs.
     */
    readonly outcome: 'created' | 'already-held' | 'taken-over';
    readonly executionArn: string;
    readonly expiresAt: string;
    /** The parameter version that holds this execution's record. */
    readonly version: number;
    readonly previousHolder?: string;
  }
  | {
    readonly action: 'release';
    readonly parameterName: string;
    /** released: deleted; not-held: another execution (named in holder) holds it; absent: no lock. */
    readonly outcome: 'released' | 'not-held' | 'absent';
    readonly holder?: string;
    /** This execution's abort request was deleted (consumed). */
    readonly abortRequestConsumed?: boolean;
  };


/**
 * An upgrade lock in one SSM String parameter holding {executionArn, expiresAt, ...}.
 *
 * acquire: PutParameter with Overwrite=false creates it when free. When it exists: held by this
 * execution -> `already-held` (idempotent retry, nothing written); held by another: expired -> take-over;
 * else DescribeExecution on the holder: not RUNNING (succeeded, failed, timed out, stopped) -> take-over,
 * so a dead holder never blocks for the TTL; RUNNING -> LockHeldError naming the holder and expiry,
 * nothing written. Two holders keep the lock until it expires: one whose rollback failed (error
 * `RollbackFailed`: the cluster may be half-restored, an operator decides) and one Step Functions cannot
 * describe (unknown ARN, or of another state machine).
 *
 * Take-over without compare-and-swap: SSM numbers the versions of a parameter serially, and PutParameter
 * returns the version it wrote. A taker that saw the expired record at version n wins only if its own
 * write became version n+1, so of two takers that both saw n exactly one wins. The loser reads the
 * winner's record (`name:n+1`), writes it back if its own write is still the latest version, and throws
 * LockHeldError. Residual race: between the loser's write and its repair (two API calls), the parameter
 * names the loser; a third execution reading then fails with LockHeldError (safe), but the winner's own
 * acquire retry or release in that window would see the loser and fail or do nothing. If the loser dies
 * before repairing, the parameter names it until its expiry: nobody can start an upgrade until then, or
 * until an operator deletes the parameter (safe, not live).
 *
 * release: deletes the parameter only if this execution holds it; a lock held by another execution or
 * absent is a no-op. With `abortParameterName`, this execution's abort request is deleted too. Residual race: a take-over between the read and the delete (possible only if this
 * execution outlived its own TTL) would be deleted.
 */
export async function logic(deps: UpgradeLockDeps, input: UpgradeLockInput): Promise<UpgradeLockOutput> {
  const { parameterName, executionArn } = checkInput(input);
  return input.action === 'acquire'
    ? acquire(deps, input, parameterName, executionArn)
    : release(deps, input, parameterName, executionArn);
}

function checkInput(input: UpgradeLockInput): { parameterName: string; executionArn: string } {
  const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
  if (input?.action !== 'acquire' && input?.action !== 'release') {
    throw new InvalidInputError(`action must be "acquire" or "release", got ${show(input?.action)}`);
  }
  requireParameterName(input.parameterName, 'parameterName');
  requireString(input.executionArn, 'executionArn');
  if (input.abortParameterName !== undefined) requireParameterName(input.abortParameterName, 'abortParameterName');
  const ttl = input.ttlSeconds;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 60)) {
    throw new InvalidInputError(`ttlSeconds must be an integer >= 60, got ${show(ttl)}`);
  }
  return { parameterName: input.parameterName, executionArn: input.executionArn };
}

async function acquire(
  deps: UpgradeLockDeps, input: UpgradeLockInput, name: string, executionArn: string,
): Promise<UpgradeLockOutput> {
  const now = (deps.now ?? (() => new Date()))();
  const record: LockRecord = {
    executionArn,
    expiresAt: new Date(now.getTime() + (input.ttlSeconds ?? DEFAULT_LOCK_TTL_SECONDS) * 1000).toISOString(),
    acquiredAt: now.toISOString(),
    stackName: input.cluster?.stackName ?? '',
  };
  const value = JSON.stringify(record);
  const result = (outcome: 'created' | 'already-held' | 'taken-over', held: LockRecord, version: number, previousHolder?: string) => {
    const out: UpgradeLockOutput = {
      action: 'acquire', parameterName: name, outcome, executionArn, expiresAt: held.expiresAt, version,
      ...(previousHolder && { previousHolder }),
    };
    deps.log.info('lock acquired', out);
    return out;
  };

  // A parameter deleted between our failed create and our read is simply tried again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const created = await putIfAbsent(deps.ssm, name, value, record.stackName);
    if (created !== undefined) return result('created', record, created);

    const current = await readJsonParameter<LockRecord>(deps.ssm, name);
    if (!current) continue;
    const held = holderOf(current);
    if (!held) {
      throw new LockHeldError(`lock ${name} holds an unreadable value (${JSON.stringify(current.raw.slice(0, 200))}); ` +
        'delete the parameter if no upgrade is running');
    }
    if (held.executionArn === executionArn) return result('already-held', held, current.version);
    const why = Date.parse(held.expiresAt) > now.getTime() ? await liveHolder(deps, name, held) : 'expired';
    return takeOver(deps, name, value, current, held, why, () => result('taken-over', record, current.version + 1, held.executionArn));
  }
  throw new LockHeldError(`lock ${name} kept changing while it was being acquired; another execution is acquiring it`);
}

/**
 * An unexpired lock: LockHeldError unless its holder has ended; then why it may be taken over.
 */
async function liveHolder(deps: UpgradeLockDeps, name: string, held: LockRecord): Promise<string> {
  const holder = await holderStatus(deps.sfn, held.executionArn);
  const heldUntil = `lock ${name} is held by ${held.executionArn} until ${held.expiresAt}`;
  switch (holder.state) {
    case 'running':
      throw new LockHeldError(`${heldUntil} (it is RUNNING)`);
    case 'kept':
      throw new LockHeldError(`${heldUntil}: its rollback failed (${holder.status}), so the lock is kept until an operator `
        + 'has checked the cluster and deleted the lock parameter');
    case 'unknown':
      throw new LockHeldError(`${heldUntil}; Step Functions cannot describe that execution (${holder.reason})`);
    default:
      return `holder ${holder.status}`;
  }
}

async function takeOver(
  deps: UpgradeLockDeps, name: string, value: string, seen: JsonParameter<LockRecord>, dead: LockRecord, why: string,
  won: () => UpgradeLockOutput,
): Promise<UpgradeLockOutput> {
  deps.log.warn('lock free to take over', { parameterName: name, why, previousHolder: dead.executionArn, expiresAt: dead.expiresAt });
  const written = await deps.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  const mine = written.Version ?? 0;
  if (mine === seen.version + 1) return won();

  // Someone wrote between our read and our write: the writer of version n+1 won. Put its record back.
  const winner = await readJsonParameter<LockRecord>(deps.ssm, `${name}:${seen.version + 1}`);
  const latest = await readJsonParameter<LockRecord>(deps.ssm, name);
  if (latest?.version === mine) {
    if (winner) {
      await deps.ssm.send(new PutParameterCommand({ Name: name, Value: winner.raw, Type: 'String', Overwrite: true }));
    } else {
      await deps.ssm.send(new DeleteParameterCommand({ Name: name })).catch((err) => {
        if (!isAwsError(err, 'ParameterNotFound')) throw err;
      });
    }
  }
  const holder = winner?.value?.executionArn ?? 'another execution';
  deps.log.warn('lost a lock take-over race', { parameterName: name, winner: holder, myVersion: mine });
  throw new LockHeldError(`lock ${name} was taken over by ${holder} at the same time (this execution lost the race)`);
}

/** PutParameter Overwrite=false: the version written, or undefined when the parameter exists. */
async function putIfAbsent(ssm: SSMClient, name: string, value: string, stackName: string): Promise<number | undefined> {
  try {
    const out = await ssm.send(new PutParameterCommand({
      Name: name, Value: value, Type: 'String', Overwrite: false,
      Description: `Neo4j upgrade lock${stackName ? ` for stack ${stackName}` : ''}: JSON {executionArn, expiresAt}`,
    }));
    return out.Version ?? 1;
  } catch (err) {
    if (isAwsError(err, 'ParameterAlreadyExists')) return undefined;
    throw err;
  }
}

function holderOf(p: JsonParameter<LockRecord>): LockRecord | undefined {
  const v = p.value;
  if (typeof v !== 'object' || v === null) return undefined;
  if (typeof v.executionArn !== 'string' || typeof v.expiresAt !== 'string' || Number.isNaN(Date.parse(v.expiresAt))) {
    return undefined;
  }
  return v;
}

async function release(deps: UpgradeLockDeps, input: UpgradeLockInput, name: string, executionArn: string): Promise<UpgradeLockOutput> {
  const consumed = input.abortParameterName !== undefined && await consumeAbortRequest(deps.ssm, input.abortParameterName, executionArn);
  if (consumed) deps.log.info('abort request consumed', { parameterName: input.abortParameterName });
  const current = await readJsonParameter<LockRecord>(deps.ssm, name);
  const base = { action: 'release' as const, parameterName: name, ...(consumed && { abortRequestConsumed: true }) };
  if (!current) return { ...base, outcome: 'absent' };
  const held = holderOf(current);
  if (held?.executionArn !== executionArn) {
    deps.log.warn('lock not held by this execution; left alone', { parameterName: name, holder: held?.executionArn });
    return { ...base, outcome: 'not-held', ...(held && { holder: held.executionArn }) };
  }
  try {
    await deps.ssm.send(new DeleteParameterCommand({ Name: name }));
  } catch (err) {
    if (isAwsError(err, 'ParameterNotFound')) return { ...base, outcome: 'absent' };
    throw err;
  }
  deps.log.info('lock released', { parameterName: name });
  return { ...base, outcome: 'released', holder: executionArn };
}
