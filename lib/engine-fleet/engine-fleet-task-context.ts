import { IEngineFleetTarget } from './engine-fleet-target';
import { NodeGrouping } from './node-grouping';

/**
 * What the engine-fleet handlers know about the fleet, baked at synth and passed as `$.cluster`
 * (lambda/shared/engine-fleet-context.ts reads it). The groups are fixed here: stable across retries.
 */
export class EngineFleetTaskContext {
  /** The context of `target` upgraded in groups of `grouping`. */
  public static of(target: IEngineFleetTarget, grouping: NodeGrouping): { [key: string]: unknown } {
    const node = (n: { nodeId: string; ecsServiceName: string }) => ({ nodeId: n.nodeId, serviceName: n.ecsServiceName });
    return {
      stackName: target.stackName,
      parameterNames: {},
      groups: target.nodeGroups.map((g) => ({ role: g.role, ...(g.ecsServiceName !== undefined && { serviceName: g.ecsServiceName }) })),
      ecsClusterName: target.ecsClusterName,
      fleetName: target.targetName,
      targetGroupArn: target.targetGroupArn,
      enginePort: target.enginePort,
      engineContainerName: target.engineContainerName,
      databaseSecretArn: target.databaseSecret.secretArn,
      databaseSnapshot: { kind: target.databaseSnapshot.kind, identifier: target.databaseSnapshot.identifier },
      schemaTask: {
        taskDefinition: target.schemaTask.taskDefinition,
        containerName: target.schemaTask.containerName,
        subnets: target.schemaTask.subnets.map((s) => s.subnetId),
        securityGroups: target.schemaTask.securityGroups.map((g) => g.securityGroupId),
        databaseType: target.schemaTask.databaseType ?? 'postgres',
      },
      nodes: target.nodes.map(node),
      nodeGroups: grouping.groupsOf(target.nodes).map((g, i, all) => ({ groupId: g.groupId, position: `${i + 1}/${all.length}`, nodes: g.nodes.map(node) })),
    };
  }

  private constructor() {}
}
