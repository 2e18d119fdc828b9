import { DescribeInstancesCommand, EC2Client, Volume } from '@aws-sdk/client-ec2';
import { ClusterContext } from '../shared/context';
import { attachedInstanceId, findDataVolumes } from '../shared/data-volumes';
import { InvalidInputError } from '../shared/errors';
import { show } from '../shared/input-checks';

/** Tag of a data volume naming its server (slot); lib/cluster/server-layout.ts SERVER_TAG (no CDK in a handler). */
export const SERVER_TAG = 'neo4j-upgrades:server';
/** Where a retired slot's volume keeps its number: it no longer names a slot, so nothing claims it as one. */
export const RETIRED_SERVER_TAG = 'neo4j-upgrades:retired-server';

const IMAGE_ROLE = /^server([1-9][0-9]?)Image$/;

/** One ECS service slot of a cluster in the per-server layout with a spare slot. */
export interface Slot {
  readonly serverNumber: number;
  readonly imageRole: string;
  readonly desiredCountRole: string;
  readonly familyRole?: string;
  /** The stack's desired count of the slot's service: 1 runs it, 0 is the spare. */
  readonly running: boolean;
  /** Its effective image: Server<N>Image, or DockerImage while that is empty. */
  readonly image: string;
  /** Its effective settings family, where the slot has a family parameter. */
  readonly family?: string;
  /** The claimable data volume tagged with its number, and the instance it is attached to. */
  readonly volumeId?: string;
  readonly instanceId?: string;
  readonly privateIpAddress?: string;
}

/**
 * The cluster's slots, in slot order, from the stack's parameters and the data volumes' server tags.
 * Refuses (InvalidInputError) a cluster without `server<N>DesiredCount` roles: it has no spare slot.
 */
export async function slotTable(ec2: EC2Client, cluster: ClusterContext, params: Record<string, string>): Promise<Slot[]> {
  const names = cluster.parameterNames as unknown as Record<string, string | undefined>;
  const numbers = Object.keys(names).map((role) => Number(IMAGE_ROLE.exec(role)?.[1])).filter(Number.isInteger).sort((a, b) => a - b);
  if (numbers.length === 0 || numbers.some((n) => names[`server${n}DesiredCount`] === undefined)) {
    throw new InvalidInputError('cluster.parameterNames needs server<N>Image and server<N>DesiredCount roles for every slot: ' +
      `the cluster has no spare slot (Neo4jCluster spareServerSlots: 1), got ${show(Object.keys(names))}`);
  }
  const byNumber = await attachedServerVolumes(ec2, cluster);
  const dockerImage = params[cluster.parameterNames.dockerImage];
  const versionFamily = cluster.parameterNames.versionFamily ? params[cluster.parameterNames.versionFamily] : undefined;
  return numbers.map((n) => {
    const familyRole = names[`server${n}VersionFamily`] ? `server${n}VersionFamily` : undefined;
    return {
      serverNumber: n,
      imageRole: `server${n}Image`,
      desiredCountRole: `server${n}DesiredCount`,
      ...(familyRole && { familyRole, family: params[names[familyRole]!] || versionFamily }),
      running: params[names[`server${n}DesiredCount`]!] !== '0',
      image: params[names[`server${n}Image`]!] || dockerImage,
      ...byNumber.get(n),
    };
  });
}

interface SlotVolume { volumeId: string; instanceId?: string; privateIpAddress?: string }

async function attachedServerVolumes(ec2: EC2Client, cluster: ClusterContext): Promise<Map<number, SlotVolume>> {
  const volumes = await findDataVolumes(ec2, cluster, [{ Name: 'tag-key', Values: [SERVER_TAG] }]);
  const found = new Map<number, Volume>();
  for (const v of volumes) {
    const n = Number(v.Tags?.find((t) => t.Key === SERVER_TAG)?.Value);
    // Two volumes with one number: the smaller id keeps it (claim-server-number.sh's rule); volumes come sorted.
    if (Number.isInteger(n) && !found.has(n)) found.set(n, v);
  }
  const ids = [...found.values()].map(attachedInstanceId).filter((id): id is string => id !== undefined);
  const ips = new Map<string, string | undefined>();
  if (ids.length > 0) {
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    for (const i of (described.Reservations ?? []).flatMap((r) => r.Instances ?? [])) ips.set(i.InstanceId!, i.PrivateIpAddress);
  }
  return new Map([...found].map(([n, v]) => {
    const instanceId = attachedInstanceId(v);
    const ip = instanceId ? ips.get(instanceId) : undefined;
    return [n, { volumeId: v.VolumeId!, ...(instanceId && { instanceId }), ...(ip && { privateIpAddress: ip }) }];
  }));
}
