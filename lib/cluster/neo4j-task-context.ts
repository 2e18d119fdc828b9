import { INeo4jUpgradeTarget } from './neo4j-upgrade-target';

/**
 * Everything the library's handlers need to know about a Neo4j cluster, baked from the target at synth and
 * passed to every handler as `$.cluster` (lambda/shared/context.ts `ClusterContext` reads it).
 */
export class Neo4jTaskContext {
  /** The context of `cluster`, whose health gates connect to `boltUri`. */
  public static of(cluster: INeo4jUpgradeTarget, boltUri: string): { [key: string]: unknown } {
    return taskContext(cluster, boltUri);
  }

  private constructor() {}
}

function taskContext(c: INeo4jUpgradeTarget, boltUri: string): Record<string, unknown> {
  return {
    stackName: c.stackName,
    parameterNames: { ...c.stackParameters },
    groups: c.nodeGroups.map((g) => ({
      role: g.role,
      ...(g.autoScalingGroupName !== undefined && { autoScalingGroupName: g.autoScalingGroupName }),
      ...(g.ecsServiceName !== undefined && { serviceName: g.ecsServiceName }),
    })),
    dataVolumeName: c.dataVolumeName,
    environmentName: c.environmentName,
    ...(c.clusterIdentity !== undefined && { clusterIdentity: c.clusterIdentity }),
    ...(c.adoptUntaggedVolumes && { adoptUntaggedVolumes: true }),
    mainAutoScalingGroupName: c.mainAutoScalingGroupName,
    slaveAutoScalingGroupName: c.slaveAutoScalingGroupName,
    ecsClusterName: c.ecsClusterName,
    mainServiceName: c.mainServiceName,
    slaveServiceName: c.slaveServiceName,
    versionFamily: c.versionFamily.id,
    credentialsSecretArn: c.adminCredentials.secretArn,
    boltUri,
  };
}
