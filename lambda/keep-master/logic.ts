import { AutoScalingClient, SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { isLeaving, listClusterInstances } from '../shared/cluster-members';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { requireCluster } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { MasterTaskInput, mainGroupAroundMaster } from '../shared/master-input';

export type KeepMasterInput =
  | (MasterTaskInput & { readonly release?: false })
  /**
   * Release mode: protection OFF for every instance of the main group. Run it before scaling the
   * groups to 0 on the restore path (a protected master survives a scale to 0) and when the upgrade
   * is done (so later scale-ins are not bound to the old master).
   */
  | { readonly cluster: ClusterContext; readonly release: true };

export interface KeepMasterOutput {
  /** null in release mode. */
  readonly masterInstanceId: string | null;
  /** Scale-in protection is now ON for these (the master). */
  readonly protected: string[];
  /** Scale-in protection is now OFF for these (every other instance of the main group). */
  readonly unprotected: string[];
}

export interface KeepMasterDeps {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly log: Logger;
}

const BATCH = 50; // SetInstanceProtection takes at most 50 instance ids

async function setProtection(deps: KeepMasterDeps, group: string, ids: string[], on: boolean): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    await deps.autoScaling.send(new SetInstanceProtectionCommand({
      AutoScalingGroupName: group,
      InstanceIds: ids.slice(i, i + BATCH),
      ProtectedFromScaleIn: on,
    }));
  }
}

/**
 * Makes the master the instance a scale-in keeps: scale-in protection ON for the master and OFF for
 * every other instance of the main group (SetInstanceProtection). Run before lowering the group's
 * DesiredCapacity to 1, then check with verify-master-kept. Setting a protection twice is the same
 * as once (idempotent). The master must be InService in the main group, else PreconditionFailedError
 * and nothing is changed. With `release: true`, protection goes OFF for the whole main group.
 */
export async function logic(deps: KeepMasterDeps, input: KeepMasterInput): Promise<KeepMasterOutput> {
  if (input?.release !== undefined && typeof input.release !== 'boolean') {
    throw new InvalidInputError(`release must be a boolean, got ${JSON.stringify(input.release)}`);
  }
  if (input?.release) return release(deps, input.cluster);
  const { masterId, others: rest } = await mainGroupAroundMaster(deps, input, 'protection not changed');
  const group = input.cluster.mainAutoScalingGroupName;
  const others = rest.filter((m) => !isLeaving(m.lifecycleState)).map((m) => m.instanceId);
  await setProtection(deps, group, [masterId], true);
  await setProtection(deps, group, others, false);
  deps.log.info('scale-in protection set', { group, protected: masterId, unprotected: others });
  return { masterInstanceId: masterId, protected: [masterId], unprotected: others };
}

async function release(deps: KeepMasterDeps, clusterInput: ClusterContext): Promise<KeepMasterOutput> {
  const cluster = requireCluster(clusterInput, ['dataVolumeName', 'environmentName', 'mainAutoScalingGroupName']);
  const group = cluster.mainAutoScalingGroupName;
  const members = await listClusterInstances(deps, cluster, { groups: ['main'], lifecycleStates: null });
  const ids = members.filter((m) => !isLeaving(m.lifecycleState)).map((m) => m.instanceId);
  await setProtection(deps, group, ids, false);
  deps.log.info('scale-in protection released', { group, unprotected: ids });
  return { masterInstanceId: null, protected: [], unprotected: ids };
}
