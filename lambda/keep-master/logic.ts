import { AutoScalingClient, SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { isLeaving } from '../shared/cluster-members';
import { Logger } from '../shared/log';
import { MasterTaskInput, mainGroupAroundMaster } from '../shared/master-input';

export type KeepMasterInput = MasterTaskInput;

export interface KeepMasterOutput {
  readonly masterInstanceId: string;
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
 * and nothing is changed.
 */
export async function logic(deps: KeepMasterDeps, input: KeepMasterInput): Promise<KeepMasterOutput> {
  const { masterId, others: rest } = await mainGroupAroundMaster(deps, input, 'protection not changed');
  const group = input.cluster.mainAutoScalingGroupName;
  const others = rest.filter((m) => !isLeaving(m.lifecycleState)).map((m) => m.instanceId);
  await setProtection(deps, group, [masterId], true);
  await setProtection(deps, group, others, false);
  deps.log.info('scale-in protection set', { group, protected: masterId, unprotected: others });
  return { masterInstanceId: masterId, protected: [masterId], unprotected: others };
}
