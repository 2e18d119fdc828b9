import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ClusterInstance, listClusterInstances } from '../shared/cluster-members';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { requireCluster } from '../shared/input-checks';

export interface ClusterInstancesInput {
  readonly cluster: ClusterContext;
  /** Whether the slave-only node is a cluster member now (SlaveMode not SINGLE). Default true. */
  readonly slaveIsMember?: boolean;
}

export interface ClusterInstancesOutput {
  /** InService instances of the main HA group. */
  readonly main: ClusterInstance[];
  /** InService instances of the slave-only group. */
  readonly slave: ClusterInstance[];
  /** main.length + slave.length, for Choice states. */
  readonly count: number;
  /** The instances that are cluster members: main, plus slave when `slaveIsMember`. */
  readonly members: number;
}

export interface ClusterInstancesDeps {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
}

/**
 * Lists the InService instances of the main and slave-only groups with AZ, private IP, scale-in
 * protection and the data volume(s) attached (Name+Environment tags). Read-only. Used as the
 * cluster's expected membership (the local rehearsal simulates Neo4j membership from it) and by
 * the volume steps.
 */
export async function logic(deps: ClusterInstancesDeps, input: ClusterInstancesInput): Promise<ClusterInstancesOutput> {
  if (input?.slaveIsMember !== undefined && typeof input.slaveIsMember !== 'boolean') {
    throw new InvalidInputError(`slaveIsMember must be a boolean, got ${JSON.stringify(input.slaveIsMember)}`);
  }
  const cluster = requireCluster(input?.cluster, ['dataVolumeName', 'environmentName', 'mainAutoScalingGroupName', 'slaveAutoScalingGroupName']);
  const instances = await listClusterInstances(deps, cluster);
  const main = instances.filter((i) => i.group === 'main');
  const slave = instances.filter((i) => i.group === 'slave');
  const members = main.length + (input.slaveIsMember === false ? 0 : slave.length);
  return { main, slave, count: instances.length, members };
}
