import { ECSClient } from '@aws-sdk/client-ecs';
import { EcsServerActions } from './ecs-server-actions';
import { EngineFleetContext, EngineFleetNode } from './engine-fleet-context';
import { RoleOrderedServer } from './role-ordered-context';
import { ServerActions } from './server-actions';

/** An engine node as the ECS service actions see a server: its own service of desired count 1. */
export function nodeAsServer(node: EngineFleetNode): RoleOrderedServer {
  return { role: 'engine', serverId: node.nodeId, serviceName: node.serviceName, endpoint: '' };
}

/** The ECS service actions on the fleet's engine container. */
export function engineServiceActions(ecs: ECSClient, cluster: EngineFleetContext): ServerActions {
  return new EcsServerActions(ecs, cluster?.ecsClusterName ?? '', cluster?.engineContainerName);
}
