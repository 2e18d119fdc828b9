import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ClusterInstance, listClusterInstances } from '../shared/cluster-members';
import { ClusterContext } from '../shared/context';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { optionalString, requireCluster } from '../shared/input-checks';

export interface ResolveMasterInput {
  readonly cluster: ClusterContext;
  /** The master as the health gate reports it: its instance id, or its private IP (or both). */
  readonly masterInstanceId?: string;
  /** IPv4, or the EC2 private DNS name that encodes it (`ip-10-0-1-10.ec2.internal`). */
  readonly masterPrivateIp?: string;
}

export interface ResolveMasterOutput {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly privateIpAddress: string | null;
  /** The data volume (Name+Environment tags) attached to the master. */
  readonly volumeId: string;
  readonly autoScalingGroupName: string;
}

export interface ResolveMasterDeps {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const EC2_PRIVATE_DNS = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(\.[a-z0-9.-]+)?$/;

/** The IPv4 address an IP or EC2 private DNS name stands for, or undefined. */
export function privateIpOf(host: string): string | undefined {
  const m = IPV4.exec(host) ?? EC2_PRIVATE_DNS.exec(host);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) ? octets.join('.') : undefined;
}

function validate(input: ResolveMasterInput): { id?: string; ip?: string } {
  requireCluster(input?.cluster, ['dataVolumeName', 'environmentName', 'mainAutoScalingGroupName', 'slaveAutoScalingGroupName']);
  const id = optionalString(input.masterInstanceId, 'masterInstanceId');
  const host = optionalString(input.masterPrivateIp, 'masterPrivateIp');
  if (!id && !host) throw new InvalidInputError('masterInstanceId or masterPrivateIp is required');
  if (id && !INSTANCE_ID.test(id)) throw new InvalidInputError(`masterInstanceId is not an instance id: ${JSON.stringify(id)}`);
  const ip = host === undefined ? undefined : privateIpOf(host);
  if (host !== undefined && ip === undefined) {
    throw new InvalidInputError(`masterPrivateIp is not an IPv4 address or EC2 private DNS name: ${JSON.stringify(host)}`);
  }
  return { id, ip };
}

/** The InService main-group instance the input names; PreconditionFailedError if there is none. */
export async function findMaster(deps: ResolveMasterDeps, cluster: ClusterContext, id?: string, ip?: string): Promise<ClusterInstance> {
  const main = await listClusterInstances(deps, cluster, { groups: ['main'] });
  const matches = main.filter((i) => (!id || i.instanceId === id) && (!ip || i.privateIpAddress === ip));
  if (matches.length !== 1) {
    const wanted = [id, ip].filter(Boolean).join(' / ');
    const members = main.map((i) => `${i.instanceId} (${i.privateIpAddress ?? 'no IP'})`).join(', ') || 'none';
    throw new PreconditionFailedError(
      `master ${wanted} is not an InService instance of ${cluster.mainAutoScalingGroupName}; InService: ${members}`,
    );
  }
  return matches[0];
}

/**
 * Resolves the master (by instance id or private IP) to its instance, AZ and the data volume
 * attached to it. The master must be InService in the main group and have exactly one data volume
 * attached; otherwise PreconditionFailedError (nothing safe to do with an unknown master).
 */
export async function logic(deps: ResolveMasterDeps, input: ResolveMasterInput): Promise<ResolveMasterOutput> {
  const { id, ip } = validate(input);
  const master = await findMaster(deps, input.cluster, id, ip);
  if (master.dataVolumeIds.length !== 1) {
    throw new PreconditionFailedError(
      `master ${master.instanceId} has ${master.dataVolumeIds.length} data volumes attached (${master.dataVolumeIds.join(', ') || 'none'}); expected exactly one tagged Name=${input.cluster.dataVolumeName}, Environment=${input.cluster.environmentName}`,
    );
  }
  return {
    instanceId: master.instanceId,
    availabilityZone: master.availabilityZone,
    privateIpAddress: master.privateIpAddress,
    volumeId: master.dataVolumeIds[0],
    autoScalingGroupName: master.autoScalingGroupName,
  };
}
