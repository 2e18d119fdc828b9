import { DataVolumePool, UpgradeNodeGroup } from '../toolkit/upgrade-target';
import { Neo4jClusterParameterNames } from './cluster-parameters';

/** The Neo4j-specific fields a generic upgrade target is derived from. */
interface Neo4jTargetFields {
  readonly parameterNames: Neo4jClusterParameterNames;
  readonly mainAutoScalingGroupName: string;
  readonly slaveAutoScalingGroupName: string;
  readonly mainServiceName: string;
  readonly slaveServiceName: string;
  readonly dataVolumeName: string;
  readonly environmentName: string;
  readonly dataVolumeKey?: DataVolumePool['encryptionKey'];
  readonly clusterIdentity?: string;
  readonly adoptUntaggedVolumes?: boolean;
}

/** Node group roles of a Neo4j cluster: the main HA members and the slave-only node. */
export const NEO4J_GROUP_ROLES = { main: 'main', slave: 'slave' } as const;

/** The two groups of a Neo4j cluster as generic node groups. */
export function neo4jNodeGroups(t: Neo4jTargetFields): UpgradeNodeGroup[] {
  return [
    { role: NEO4J_GROUP_ROLES.main, autoScalingGroupName: t.mainAutoScalingGroupName, ecsServiceName: t.mainServiceName },
    { role: NEO4J_GROUP_ROLES.slave, autoScalingGroupName: t.slaveAutoScalingGroupName, ecsServiceName: t.slaveServiceName },
  ];
}

/** The cluster's parameter names as a role -> name map (only the ones the stack has). */
export function neo4jStackParameters(t: Neo4jTargetFields): { [role: string]: string } {
  return Object.fromEntries(Object.entries(t.parameterNames).filter(([, name]) => typeof name === 'string'));
}

export function neo4jDataVolumes(t: Neo4jTargetFields): DataVolumePool {
  return {
    name: t.dataVolumeName,
    environmentName: t.environmentName,
    ...(t.clusterIdentity !== undefined && { clusterIdentity: t.clusterIdentity }),
    ...(t.adoptUntaggedVolumes && { adoptUntagged: true }),
    ...(t.dataVolumeKey && { encryptionKey: t.dataVolumeKey }),
  };
}
