import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ServerStartFailedError, StillInProgressError } from '../shared/errors';
import { requireArray, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { PlannedServer, RoleOrderedContext } from '../shared/role-ordered-context';
import { PreUpgradeSnapshot, restoreServerVolume } from '../shared/restore-server-volume';
import { ServerActions } from '../shared/server-actions';
import { STORE_MAY_BE_UPGRADED, readLedger, writeLedger } from '../shared/server-ledger';

export interface ArangoRollbackServersDeps {
  readonly actions: ServerActions;
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface ArangoRollbackServersInput {
  readonly cluster: RoleOrderedContext;
  /** The plan's servers (`$.plan.servers`); absent when the plan was never made: nothing went down. */
  readonly servers?: PlannedServer[];
  /** The pre-upgrade snapshots (snapshot-volumes' list). */
  readonly snapshots?: PreUpgradeSnapshot[];
  readonly executionArn: string;
  readonly ledgerPrefix: string;
}

export interface RolledBackServer {
  readonly serverId: string;
  /** `restarted`: stopped but its store untouched; `restored`: its store came back from the snapshot. */
  readonly how: 'restarted' | 'restored' | 'already';
  readonly image: string;
  readonly restoredVolumeId?: string;
}

/**
 * Puts back every server this execution took down, last first: one whose store an upgrade run may have
 * rewritten is stopped, gets its data volume back from its pre-upgrade snapshot (the upgraded one kept,
 * renamed) and starts on its old image; one that was only stopped starts on its old image. Servers the
 * execution never touched stay as they are. Polled (StillInProgressError) and idempotent through the ledger.
 */
export async function logic(deps: ArangoRollbackServersDeps, input: ArangoRollbackServersInput): Promise<{ servers: RolledBackServer[] }> {
  requireString(input?.executionArn, 'executionArn');
  requireString(input.ledgerPrefix, 'ledgerPrefix');
  const servers = input.servers === undefined ? [] : requireArray<PlannedServer>(input.servers, 'servers');
  const done: RolledBackServer[] = [];
  for (const server of [...servers].reverse()) {
    const entry = await readLedger(deps.ssm, input.ledgerPrefix, server.serverId, input.executionArn);
    if (!entry) continue;
    if (entry.state === 'rolled-back') {
      done.push({ serverId: server.serverId, how: 'already', image: entry.fromImage });
      continue;
    }
    let restoredVolumeId: string | undefined;
    if (STORE_MAY_BE_UPGRADED.includes(entry.state)) {
      const stopped = await deps.actions.stop(server);
      if (!stopped.done) throw new StillInProgressError(`rollback: ${server.serverId} is stopping: ${stopped.detail ?? ''}`);
      restoredVolumeId = await restoreServerVolume(deps.ec2, input.cluster, server.serverId, entry.volumeId, input.snapshots ?? [], input.executionArn);
    }
    const run = await deps.actions.start(server, entry.fromImage);
    if (run.exitCode !== undefined && run.exitCode !== 0) {
      throw new ServerStartFailedError(`rollback: ${server.serverId} refused to start on ${entry.fromImage} (exit ${run.exitCode})`);
    }
    if (!run.done) throw new StillInProgressError(`rollback: ${server.serverId} is starting on ${entry.fromImage}: ${run.detail ?? ''}`);
    await writeLedger(deps.ssm, input.ledgerPrefix, { ...entry, state: 'rolled-back', at: deps.now().toISOString() });
    const how = restoredVolumeId ? 'restored' : 'restarted';
    deps.log.info('server rolled back', { serverId: server.serverId, how, image: entry.fromImage, restoredVolumeId });
    done.push({ serverId: server.serverId, how, image: entry.fromImage, ...(restoredVolumeId && { restoredVolumeId }) });
  }
  return { servers: done };
}
