import { AutoScalingClient, AutoScalingGroup, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, Instance } from '@aws-sdk/client-ec2';
import { ClusterContext } from './context';
import { findDataVolumes } from './data-volumes';
import { PreconditionFailedError } from './errors';

export type GroupRole = 'main' | 'slave';

/** One instance of the cluster's Auto Scaling groups, as the volume and membership tasks see it. */
export interface ClusterInstance {
  readonly instanceId: string;
  readonly group: GroupRole;
  readonly autoScalingGroupName: string;
  readonly availabilityZone: string;
  readonly privateIpAddress: string | null;
  /** Auto Scaling lifecycle state: InService, Pending, Terminating, ... */
  readonly lifecycleState: string;
  readonly protectedFromScaleIn: boolean;
  /** Claimed data volumes (Name+Environment tags) attached to it: normally exactly one. */
  readonly dataVolumeIds: string[];
}

export interface MembersDeps {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
}

type GroupCluster = Pick<ClusterContext, 'mainAutoScalingGroupName' | 'slaveAutoScalingGroupName'>;
type Cluster = GroupCluster & Pick<ClusterContext, 'dataVolumeName' | 'environmentName'>;

/** Auto Scaling lifecycle states in which an instance is on its way out of its group. */
export function isLeaving(lifecycleState: string): boolean {
  return /^(Terminat|Detach|Warmed:Terminat)/.test(lifecycleState);
}

export function groupName(cluster: GroupCluster, role: GroupRole): string {
  return role === 'main' ? cluster.mainAutoScalingGroupName : cluster.slaveAutoScalingGroupName;
}

/** The named groups; a group that does not exist is a PreconditionFailedError naming it. */
export async function describeGroups(autoScaling: AutoScalingClient, names: readonly string[]): Promise<Map<string, AutoScalingGroup>> {
  const unique = [...new Set(names)];
  const found = new Map<string, AutoScalingGroup>();
  let token: string | undefined;
  do {
    const page = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: unique, NextToken: token }));
    for (const g of page.AutoScalingGroups ?? []) found.set(g.AutoScalingGroupName ?? '', g);
    token = page.NextToken;
  } while (token);
  const missing = unique.filter((n) => !found.has(n));
  if (missing.length > 0) {
    throw new PreconditionFailedError(`Auto Scaling group(s) not found: ${missing.join(', ')}`);
  }
  return found;
}

async function describeInstances(ec2: EC2Client, ids: readonly string[]): Promise<Map<string, Instance>> {
  const byId = new Map<string, Instance>();
  if (ids.length === 0) return byId;
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids], NextToken: token }));
    for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) byId.set(i.InstanceId ?? '', i);
    token = page.NextToken;
  } while (token);
  return byId;
}

export interface ListOptions {
  /** Which groups; default both. */
  readonly groups?: readonly GroupRole[];
  /** Which lifecycle states to keep; default only InService. `null` keeps all. */
  readonly lifecycleStates?: readonly string[] | null;
}

/**
 * The instances of the cluster's groups with AZ, private IP and attached data volumes, sorted by
 * group (main first) then instance id.
 */
export async function listClusterInstances(deps: MembersDeps, cluster: Cluster, options: ListOptions = {}): Promise<ClusterInstance[]> {
  const roles = options.groups ?? (['main', 'slave'] as const);
  const states = options.lifecycleStates === undefined ? ['InService'] : options.lifecycleStates;
  const groups = await describeGroups(deps.autoScaling, roles.map((r) => groupName(cluster, r)));
  const members = roles.flatMap((role) => {
    const name = groupName(cluster, role);
    return (groups.get(name)?.Instances ?? [])
      .filter((i) => states === null || states.includes(i.LifecycleState ?? ''))
      .map((i) => ({ role, name, asgInstance: i }));
  });
  const ids = members.map((m) => m.asgInstance.InstanceId ?? '');
  const instances = await describeInstances(deps.ec2, ids);
  const volumes = ids.length === 0 ? [] : await findDataVolumes(deps.ec2, cluster, [{ Name: 'attachment.instance-id', Values: ids }]);
  return members.map(({ role, name, asgInstance }): ClusterInstance => {
    const id = asgInstance.InstanceId ?? '';
    const ec2Instance = instances.get(id);
    return {
      instanceId: id,
      group: role,
      autoScalingGroupName: name,
      availabilityZone: asgInstance.AvailabilityZone ?? ec2Instance?.Placement?.AvailabilityZone ?? '',
      privateIpAddress: ec2Instance?.PrivateIpAddress ?? null,
      lifecycleState: asgInstance.LifecycleState ?? 'Unknown',
      protectedFromScaleIn: asgInstance.ProtectedFromScaleIn ?? false,
      dataVolumeIds: volumes
        .filter((v) => (v.Attachments ?? []).some((a) => a.InstanceId === id))
        .map((v) => v.VolumeId ?? ''),
    };
  }).sort((a, b) => (a.group === b.group ? a.instanceId.localeCompare(b.instanceId) : a.group === 'main' ? -1 : 1));
}
