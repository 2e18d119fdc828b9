import { AutoScalingClient, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describeGroups, isLeaving } from '../shared/cluster-members';
import { PreconditionFailedError } from '../shared/errors';
import { Logger } from '../shared/log';
import { MasterTaskInput, mainGroupAroundMaster } from '../shared/master-input';

export type TerminateNonMasterInput = MasterTaskInput;

export interface TerminateNonMasterOutput {
  readonly masterInstanceId: string;
  /** Termination requested by this run. */
  readonly terminated: string[];
  /** Already terminating, detaching or gone: skipped. */
  readonly skipped: string[];
}

export interface TerminateNonMasterDeps {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly log: Logger;
}

function isGone(err: unknown): boolean {
  const e = err as Error;
  return e.name === 'ValidationError' && /not found|no managed instance/i.test(e.message);
}

/**
 * The explicit way to shrink the main group to its master, for when scale-in protection is not to
 * be relied on: TerminateInstanceInAutoScalingGroup(ShouldDecrementDesiredCapacity=true) for every
 * other instance of the main group, so the group's DesiredCapacity ends at 1 without the group
 * choosing. Afterwards the stack update (MaxSize=1, DesiredCapacity=1) changes nothing more; check
 * with verify-master-kept.
 *
 * Idempotent: instances already Terminating/Detaching, or no longer in the group, are skipped (an
 * instance that disappears between the listing and the call counts as skipped). Refuses, changing
 * nothing, if the master is not InService or the group's MinSize is above 1 (decrementing would
 * fail part way).
 */
export async function logic(deps: TerminateNonMasterDeps, input: TerminateNonMasterInput): Promise<TerminateNonMasterOutput> {
  const { masterId, others } = await mainGroupAroundMaster(deps, input, 'nothing terminated');
  const groupName = input.cluster.mainAutoScalingGroupName;
  const group = (await describeGroups(deps.autoScaling, [groupName])).get(groupName);
  const minSize = group?.MinSize ?? 0;
  const toTerminate = others.filter((m) => !isLeaving(m.lifecycleState)).map((m) => m.instanceId);
  const skipped = others.filter((m) => isLeaving(m.lifecycleState)).map((m) => m.instanceId);
  if (toTerminate.length > 0 && minSize > 1) {
    throw new PreconditionFailedError(`${groupName} has MinSize ${minSize}: cannot decrement its capacity to 1; nothing terminated`);
  }
  const terminated: string[] = [];
  for (const id of toTerminate) {
    try {
      await deps.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }));
      terminated.push(id);
    } catch (err) {
      if (!isGone(err)) throw err;
      skipped.push(id);
    }
  }
  deps.log.info('non-master instances terminated', { group: groupName, master: masterId, terminated, skipped });
  return { masterInstanceId: masterId, terminated, skipped };
}
