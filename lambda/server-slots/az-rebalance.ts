import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { PreconditionFailedError } from '../shared/errors';

/**
 * Refuses (before any change) a main group whose AZRebalance process runs: the surge and a chosen
 * termination leave its AZs unbalanced, and a rebalance would then terminate a member at random.
 * `Neo4jCluster` `spareServerSlots: 1` suspends it at deployment.
 */
export async function requireAzRebalanceSuspended(autoScaling: AutoScalingClient, groupName: string): Promise<void> {
  const found = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  const group = found.AutoScalingGroups?.[0];
  if (!group) throw new PreconditionFailedError(`the main group ${groupName} does not exist`);
  if (!(group.SuspendedProcesses ?? []).some((p) => p.ProcessName === 'AZRebalance')) {
    throw new PreconditionFailedError(`the main group ${groupName} runs AZRebalance: it must be suspended (Neo4jCluster spareServerSlots: 1 does it), ` +
      'or a rebalance after a replacement would terminate a member at random');
  }
}
