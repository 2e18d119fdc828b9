import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AutoUpgradeFailedError, InvalidInputError, PreconditionFailedError, ServerStartFailedError, StillInProgressError } from '../shared/errors';
import { shortExecutionId } from '../shared/execution-id';
import { requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { PlannedServer, RoleOrderedContext } from '../shared/role-ordered-context';
import { ServerActions, upgradeRunId } from '../shared/server-actions';
import { LedgerEntry, LedgerState, readLedger, writeLedger } from '../shared/server-ledger';
import { serverVolumeId } from '../shared/server-volume';

export interface ArangoServerActionDeps {
  readonly actions: ServerActions;
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
  readonly now: () => Date;
  readonly log: Logger;
}

export const SERVER_ACTIONS = ['stop', 'auto-upgrade', 'start'] as const;
export type ServerActionName = (typeof SERVER_ACTIONS)[number];

export interface ArangoServerActionInput {
  readonly cluster: RoleOrderedContext;
  readonly server: PlannedServer;
  readonly action: ServerActionName;
  readonly toImage: string;
  readonly executionArn: string;
  /** The lock parameter: the ledger lives under its path. */
  readonly ledgerPrefix: string;
}

export interface ArangoServerActionOutput {
  readonly serverId: string;
  readonly action: ServerActionName;
  readonly state: LedgerState;
  readonly exitCode?: number;
}

const EXIT_NAMES: Record<number, string> = { 1: 'EXIT_FAILED', 10: 'EXIT_UPGRADE_FAILED', 11: 'EXIT_UPGRADE_REQUIRED', 12: 'EXIT_DOWNGRADE_REQUIRED', 22: 'EXIT_COULD_NOT_LOCK' };
const exitName = (code: number) => `${code} (${EXIT_NAMES[code] ?? 'arangod exit code'})`;

/**
 * One process action of seed 003 on one server, recorded in the ledger before it changes anything (so the
 * rollback knows the server went down, or that its store may have been rewritten). Polled: answers
 * StillInProgressError until the action has happened. Idempotent: a repeated call finds its own earlier work.
 */
export async function logic(deps: ArangoServerActionDeps, input: ArangoServerActionInput): Promise<ArangoServerActionOutput> {
  if (!SERVER_ACTIONS.includes(input?.action)) throw new InvalidInputError(`action must be one of ${SERVER_ACTIONS.join(', ')}, got ${show(input?.action)}`);
  const server = input.server;
  requireString(server?.serverId, 'server.serverId');
  requireString(input.toImage, 'toImage');
  requireString(input.executionArn, 'executionArn');
  requireString(input.ledgerPrefix, 'ledgerPrefix');
  const entry = await readLedger(deps.ssm, input.ledgerPrefix, server.serverId, input.executionArn);
  const record = async (state: LedgerState, base: Omit<LedgerEntry, 'state' | 'at'>) => {
    await writeLedger(deps.ssm, input.ledgerPrefix, { ...base, state, at: deps.now().toISOString() });
    deps.log.info('server state', { serverId: server.serverId, state });
  };
  const out = (state: LedgerState, exitCode?: number): ArangoServerActionOutput => ({
    serverId: server.serverId, action: input.action, state, ...(exitCode !== undefined && { exitCode }),
  });

  if (input.action === 'stop') {
    const base = entry ?? {
      executionArn: input.executionArn, serverId: server.serverId,
      fromImage: await deps.actions.currentImage(server), volumeId: await serverVolumeId(deps.ec2, input.cluster, server.serverId),
    };
    if (!entry) await record('stopping', base);
    if (entry && entry.state !== 'stopping' && entry.state !== 'stopped') return out(entry.state);
    const run = await deps.actions.stop(server);
    if (!run.done) throw new StillInProgressError(`${server.serverId} is stopping: ${run.detail ?? ''}`);
    await record('stopped', base);
    return out('stopped');
  }
  if (!entry) throw new PreconditionFailedError(`${server.serverId} has no ledger entry of this execution: it was not stopped by it`);

  if (input.action === 'auto-upgrade') {
    // The same answer as the call that recorded it: store-upgraded means the run exited 0.
    if (entry.state === 'store-upgraded' || entry.state === 'started') return out(entry.state, entry.state === 'store-upgraded' ? 0 : undefined);
    if (entry.state !== 'stopped' && entry.state !== 'upgrading') throw new PreconditionFailedError(`${server.serverId} is ${entry.state}, not stopped: no upgrade run`);
    // Recorded before the run: from here on the store may be rewritten, and the rollback restores its snapshot.
    if (entry.state === 'stopped') await record('upgrading', entry);
    const runId = upgradeRunId(shortExecutionId(input.executionArn), server.serverId);
    const run = await deps.actions.runAutoUpgrade(server, input.toImage, runId);
    if (!run.done) throw new StillInProgressError(`${server.serverId}: upgrade run in progress (${run.detail ?? ''})`);
    if (run.exitCode !== 0) {
      const ended = run.exitCode === undefined ? 'ended without an exit code (its container never ran)' : `exited ${exitName(run.exitCode)}`;
      throw new AutoUpgradeFailedError(`${server.serverId}: the run with --database.auto-upgrade=true of ${input.toImage} ${ended}${run.detail ? `: ${run.detail}` : ''}`);
    }
    await record('store-upgraded', entry);
    return out('store-upgraded', 0);
  }

  if (entry.state === 'started') return out('started');
  if (entry.state !== 'store-upgraded') throw new PreconditionFailedError(`${server.serverId} is ${entry.state}: its store was not upgraded, it is not started on ${input.toImage}`);
  const run = await deps.actions.start(server, input.toImage);
  if (run.exitCode !== undefined && run.exitCode !== 0) {
    throw new ServerStartFailedError(`${server.serverId} refused to start on ${input.toImage}: exit ${exitName(run.exitCode)}`);
  }
  if (!run.done) throw new StillInProgressError(`${server.serverId} is starting on ${input.toImage}: ${run.detail ?? ''}`);
  await record('started', entry);
  return out('started');
}
