import { IRoleOrderedTarget } from './role-ordered-target';
import { RoleOrder } from './role-order';

/**
 * What the role-ordered handlers know about the cluster, baked at synth and passed as `$.cluster`
 * (lambda/shared/role-ordered-context.ts reads it).
 */
export class RoleOrderedTaskContext {
  /** The context of `target` upgraded in `order`. */
  public static of(target: IRoleOrderedTarget, order: RoleOrder): { [key: string]: unknown } {
    return {
      stackName: target.stackName,
      parameterNames: {},
      groups: target.nodeGroups.map((g) => ({ role: g.role, ...(g.ecsServiceName !== undefined && { serviceName: g.ecsServiceName }) })),
      ecsClusterName: target.ecsClusterName,
      dataVolumeName: target.dataVolumeName,
      environmentName: target.environmentName,
      credentialsSecretArn: target.clusterCredentials.secretArn,
      roleOrder: order.steps.map((s) => ({ role: s.role, gate: s.gate.id, underMaintenance: s.underMaintenance ?? false })),
      servers: target.servers.map((s) => ({ role: s.role, serverId: s.serverId, serviceName: s.ecsServiceName, endpoint: s.endpoint })),
    };
  }

  private constructor() {}
}
