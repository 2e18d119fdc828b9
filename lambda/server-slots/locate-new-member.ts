import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { StillInProgressError } from '../shared/errors';
import { Slot } from './slot-table';

export interface NewMember {
  readonly serverNumber: number;
  readonly instanceId: string;
  readonly volumeId: string;
  /** The Bolt address the member advertises (its instance's private IP), as SHOW SERVERS lists it. */
  readonly serverAddress: string;
}

/**
 * The new member of a slot once its instance claimed the slot's volume and is InService in the main group:
 * until then StillInProgressError (the state machine's poll). Reads only.
 */
export async function locateNewMember(autoScaling: AutoScalingClient, slot: Slot, groupName: string, boltPort: number): Promise<NewMember> {
  if (!slot.volumeId || !slot.instanceId || !slot.privateIpAddress) {
    throw new StillInProgressError(`slot ${slot.serverNumber}: no instance has claimed its data volume yet`);
  }
  const found = await autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [slot.instanceId] }));
  const instance = found.AutoScalingInstances?.find((i) => i.AutoScalingGroupName === groupName);
  if (instance?.LifecycleState !== 'InService') {
    throw new StillInProgressError(`slot ${slot.serverNumber}: instance ${slot.instanceId} is ${instance?.LifecycleState ?? `not in ${groupName}`}, not InService`);
  }
  return { serverNumber: slot.serverNumber, instanceId: slot.instanceId, volumeId: slot.volumeId, serverAddress: `${slot.privateIpAddress}:${boltPort}` };
}
