import {
  AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand, TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ClusterContext, TAG_KEYS } from '../shared/context';
import { attachedInstanceId, findVolumes } from '../shared/data-volumes';
import { tagFilters } from '../shared/ec2-tags';
import { RenamedVolume, renameVolumes } from '../shared/volume-rename';
import { RETIRED_SERVER_TAG, SERVER_TAG, Slot } from './slot-table';

export interface ReleasedSlot {
  /** An undone surge whose instance had not claimed the slot's volume yet: the group's instances holding no slot, terminated. */
  readonly unclaimedInstanceIds?: string[];
  readonly serverNumber: number;
  /** The slot's volume, renamed `<name><suffix>` (now or by an earlier run of this execution); absent: it had none. */
  readonly volume?: RenamedVolume;
  /** The instance terminated with the group's desired capacity decremented (now or earlier); absent: none was left. */
  readonly instanceId?: string;
  readonly instanceAlreadyLeaving: boolean;
}

/**
 * Frees a slot whose service is stopped: its data volume leaves the claim pool (renamed `<name><suffix>`, the
 * server tag moved to `neo4j-upgrades:retired-server`; never deleted), then its instance is terminated with
 * TerminateInstanceInAutoScalingGroup --should-decrement-desired-capacity (never a random scale-in). The
 * volume goes first so no booting instance can claim it. Idempotent: a volume this execution renamed already
 * is found by its tags, an instance already Terminating or gone is left alone.
 */
export async function releaseSlot(
  deps: { ec2: EC2Client; autoScaling: AutoScalingClient },
  cluster: ClusterContext, slot: Slot, suffix: string, executionId: string, slots: readonly Slot[],
): Promise<ReleasedSlot> {
  const newName = cluster.dataVolumeName + suffix;
  let volume: RenamedVolume | undefined;
  let instanceId = slot.instanceId;
  if (slot.volumeId) {
    const current = await findVolumes(deps.ec2, [{ Name: 'volume-id', Values: [slot.volumeId] }]);
    // renameVolumes also returns the volumes this execution renamed before (a slot released forward, then back):
    // this release's is the slot's own.
    volume = (await renameVolumes(deps.ec2, cluster, current, newName, executionId)).find((v) => v.volumeId === slot.volumeId);
  } else {
    // An earlier run may have stopped between the rename and the tag move: either tag names the slot. A slot
    // released twice by one execution (replaced forward, then back) has two: the one created last is this release's.
    const earlier = (await findVolumes(deps.ec2, tagFilters({ [TAG_KEYS.name]: newName, [TAG_KEYS.renamedBy]: executionId })))
      .filter((v) => v.Tags?.some((t) => (t.Key === RETIRED_SERVER_TAG || t.Key === SERVER_TAG) && t.Value === String(slot.serverNumber)))
      .sort((a, b) => (b.CreateTime?.getTime() ?? 0) - (a.CreateTime?.getTime() ?? 0));
    if (earlier[0]) {
      instanceId = attachedInstanceId(earlier[0]);
      volume = {
        volumeId: earlier[0].VolumeId!, availabilityZone: earlier[0].AvailabilityZone ?? '', previousName: cluster.dataVolumeName,
        newName, attachedInstanceId: instanceId ?? null, alreadyRenamed: true,
      };
    }
  }
  if (volume) {
    await deps.ec2.send(new CreateTagsCommand({ Resources: [volume.volumeId], Tags: [{ Key: RETIRED_SERVER_TAG, Value: String(slot.serverNumber) }] }));
    await deps.ec2.send(new DeleteTagsCommand({ Resources: [volume.volumeId], Tags: [{ Key: SERVER_TAG }] }));
  }
  if (!volume && suffix === '-failed') {
    // The surge's instance may not have claimed the slot's volume yet: left running, the group's DesiredCapacity
    // set back by parameter would then scale in an instance at random.
    const unclaimed = await unclaimedInstances(deps.autoScaling, cluster.mainAutoScalingGroupName, slots);
    for (const id of unclaimed) {
      await deps.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }));
    }
    return { serverNumber: slot.serverNumber, unclaimedInstanceIds: unclaimed, instanceAlreadyLeaving: unclaimed.length === 0 };
  }
  let leaving = true;
  if (instanceId) {
    const found = await deps.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
    const member = found.AutoScalingInstances?.find((i) => i.AutoScalingGroupName === cluster.mainAutoScalingGroupName);
    if (member && !/^Terminat/.test(member.LifecycleState ?? '')) {
      await deps.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: true }));
      leaving = false;
    }
  }
  return { serverNumber: slot.serverNumber, ...(volume && { volume }), ...(instanceId && { instanceId }), instanceAlreadyLeaving: leaving };
}

/** The group's instances (not leaving) that hold no slot's volume. */
async function unclaimedInstances(autoScaling: AutoScalingClient, groupName: string, slots: readonly Slot[]): Promise<string[]> {
  const found = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  const claimed = new Set(slots.map((s) => s.instanceId).filter((id): id is string => id !== undefined));
  return (found.AutoScalingGroups?.[0]?.Instances ?? [])
    .filter((i) => !/^Terminat/.test(i.LifecycleState ?? '') && !claimed.has(i.InstanceId ?? ''))
    .map((i) => i.InstanceId!);
}
