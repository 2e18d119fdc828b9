import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { EngineFleetContext, EngineFleetNode } from './engine-fleet-context';
import { PreconditionFailedError } from './errors';

/** One node's running task as a load balancer target (IP target on the engine port). */
export interface NodeTarget {
  readonly nodeId: string;
  readonly id: string;
  readonly port: number;
}

/**
 * The IP targets of the nodes' running tasks (awsvpc: the task's ENI address). A service's tasks are found
 * by its deployments: ECS starts them with `startedBy` set to the deployment id.
 */
export async function nodeTargets(ecs: ECSClient, cluster: EngineFleetContext, nodes: readonly EngineFleetNode[]): Promise<NodeTarget[]> {
  const targets: NodeTarget[] = [];
  for (const node of nodes) {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: cluster.ecsClusterName, services: [node.serviceName] }))).services?.[0];
    if (!service) throw new PreconditionFailedError(`ECS service ${node.serviceName} of ${node.nodeId} does not exist in ${cluster.ecsClusterName}`);
    const arns: string[] = [];
    for (const deployment of service.deployments ?? []) {
      if (!deployment.id) continue;
      arns.push(...(await ecs.send(new ListTasksCommand({ cluster: cluster.ecsClusterName, startedBy: deployment.id, desiredStatus: 'RUNNING' }))).taskArns ?? []);
    }
    if (arns.length === 0) continue;
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: cluster.ecsClusterName, tasks: arns }))).tasks ?? [];
    for (const task of tasks.filter((t) => t.lastStatus === 'RUNNING')) {
      const ip = task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value;
      if (ip) targets.push({ nodeId: node.nodeId, id: ip, port: cluster.enginePort });
    }
  }
  return targets;
}
