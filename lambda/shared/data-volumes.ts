import { DescribeVolumesCommand, EC2Client, Filter, Volume } from '@aws-sdk/client-ec2';
import { ClusterOwner, identityTag, ownedBy } from './cluster-ownership';
import { ClusterContext, TAG_KEYS } from './context';
import { TagMap, tagFilters, tagMap } from './ec2-tags';

/** The cluster's volume pool: its Name and Environment tags and what makes a volume its own. */
export type VolumePool = Pick<ClusterContext, 'dataVolumeName' | 'environmentName'> & ClusterOwner;

/** The tags a node looks for at boot to claim a data volume in its AZ (with the identity, if the cluster has one). */
export function claimTags(cluster: VolumePool): TagMap {
  return { [TAG_KEYS.name]: cluster.dataVolumeName, [TAG_KEYS.environment]: cluster.environmentName, ...identityTag(cluster) };
}

/** All volumes matching the filters, every page. */
export async function findVolumes(ec2: EC2Client, filters: Filter[]): Promise<Volume[]> {
  const volumes: Volume[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeVolumesCommand({ Filters: filters, NextToken: token }));
    volumes.push(...(page.Volumes ?? []));
    token = page.NextToken;
  } while (token);
  return volumes;
}

/**
 * The cluster's claimable data volumes (Name=<dataVolumeName> and Environment=<environmentName>, and
 * its own by identity: see ownedBy), attached or available, sorted by id. A volume renamed out of the
 * pool (e.g. `<name>-old`) is not one, nor is another cluster's volume with the same Name and Environment.
 */
export async function findDataVolumes(ec2: EC2Client, cluster: VolumePool, extraFilters: Filter[] = []): Promise<Volume[]> {
  // Untagged volumes may be ours, so the identity is filtered here rather than by EC2 (it cannot match "no tag").
  const byNameAndEnvironment = { [TAG_KEYS.name]: cluster.dataVolumeName, [TAG_KEYS.environment]: cluster.environmentName };
  const volumes = await findVolumes(ec2, [...tagFilters(byNameAndEnvironment), ...extraFilters]);
  return volumes.filter((v) => ownedBy(tagMap(v.Tags), cluster)).sort((a, b) => (a.VolumeId ?? '').localeCompare(b.VolumeId ?? ''));
}

/** The instance a volume is attached to, if any. */
export function attachedInstanceId(volume: Volume): string | undefined {
  return volume.Attachments?.find((a) => a.State === 'attached' || a.State === 'attaching')?.InstanceId;
}
