import { DescribeVolumesCommand, EC2Client, Filter, Volume } from '@aws-sdk/client-ec2';
import { ClusterContext, TAG_KEYS } from './context';
import { TagMap, tagFilters } from './ec2-tags';

/** The tags a node looks for at boot to claim a data volume in its AZ. */
export function claimTags(cluster: Pick<ClusterContext, 'dataVolumeName' | 'environmentName'>): TagMap {
  return { [TAG_KEYS.name]: cluster.dataVolumeName, [TAG_KEYS.environment]: cluster.environmentName };
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
 * The cluster's claimable data volumes (Name=<dataVolumeName> and Environment=<environmentName>),
 * attached or available, sorted by id. A volume renamed out of the pool (e.g. `<name>-old`) is not one.
 */
export async function findDataVolumes(
  ec2: EC2Client,
  cluster: Pick<ClusterContext, 'dataVolumeName' | 'environmentName'>,
  extraFilters: Filter[] = [],
): Promise<Volume[]> {
  const volumes = await findVolumes(ec2, [...tagFilters(claimTags(cluster)), ...extraFilters]);
  return volumes.sort((a, b) => (a.VolumeId ?? '').localeCompare(b.VolumeId ?? ''));
}

/** The instance a volume is attached to, if any. */
export function attachedInstanceId(volume: Volume): string | undefined {
  return volume.Attachments?.find((a) => a.State === 'attached' || a.State === 'attaching')?.InstanceId;
}
