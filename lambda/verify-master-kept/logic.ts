import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describeGroups, listClusterInstances } from '../shared/cluster-members';
import { PreconditionFailedError, StillInProgressError } from '../shared/errors';
import { MasterTaskInput, validateMasterTaskInput } from '../shared/master-input';

export type VerifyMasterKeptInput = MasterTaskInput;

export interface VerifyMasterKeptOutput {
  readonly masterInstanceId: string;
  readonly desiredCapacity: number;
}

export interface VerifyMasterKeptDeps {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
}

/**
 * After the main group was scaled down to 1: passes only when the master is the one InService
 * instance left.
 * - master not InService => PreconditionFailedError (the master was lost; not retryable).
 * - other instances still InService while the group's DesiredCapacity is below the InService count
 *   => StillInProgressError (the scale-in has not happened yet; Retry polls).
 * - other instances InService and DesiredCapacity does not ask to remove them => PreconditionFailedError.
 */
export async function logic(deps: VerifyMasterKeptDeps, input: VerifyMasterKeptInput): Promise<VerifyMasterKeptOutput> {
  const masterId = validateMasterTaskInput(input);
  const groupName = input.cluster.mainAutoScalingGroupName;
  const inService = await listClusterInstances(deps, input.cluster, { groups: ['main'] });
  const group = (await describeGroups(deps.autoScaling, [groupName])).get(groupName);
  const desired = group?.DesiredCapacity ?? 0;
  const ids = inService.map((i) => i.instanceId);
  if (!ids.includes(masterId)) {
    throw new PreconditionFailedError(`master ${masterId} is no longer InService in ${groupName}; InService: ${ids.join(', ') || 'none'}`);
  }
  const others = ids.filter((id) => id !== masterId);
  if (others.length > 0) {
    const message = `${groupName} still has InService instances besides master ${masterId}: ${others.join(', ')} (DesiredCapacity ${desired})`;
    if (desired < ids.length) throw new StillInProgressError(message);
    throw new PreconditionFailedError(message);
  }
  return { masterInstanceId: masterId, desiredCapacity: desired };
}
