import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { EngineFleetContext, EngineFleetNode } from './engine-fleet-context';

/** One node's running task as a load balancer target (IP target on the engine port). */
export interface NodeTarget {
  readonly nodeId: string;
  readonly id: string;
  readonly port: number;
}

/** The IP targets of the nodes' running tasks (awsvpc: the task's ENI address). */
export async function nodeTargets(ecs: ECSClient, cluster: EngineFleetContext, nodes: readonly EngineFleetNode[]): Promise<NodeTarget[]> {
  const targets: NodeTarget[] = [];
  for (const node of nodes) {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: cluster.ecsClusterName, serviceName: node.serviceName, desiredStatus: 'RUNNING' }))).taskArns ?? [];
    if (arns.length === 0) continue;
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: cluster.ecsClusterName, tasks: arns }))).tasks ?? [];
    for (const task of tasks) {
      const ip = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value;
      if (ip) targets.push({ nodeId: node.nodeId, id: ip, port: cluster.enginePort });
    }
  }
  return targets;
}
