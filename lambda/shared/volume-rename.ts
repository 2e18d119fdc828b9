import { CreateTagsCommand, EC2Client, Volume } from '@aws-sdk/client-ec2';
import { identityTag } from './cluster-ownership';
import { TAG_KEYS } from './context';
import { VolumePool, attachedInstanceId, findVolumes } from './data-volumes';
import { TagMap, tagFilters, toTags } from './ec2-tags';

/** A data volume taken out of the claim pool by renaming it (never deleted). */
export interface RenamedVolume {
  readonly volumeId: string;
  readonly availabilityZone: string;
  readonly previousName: string;
  readonly newName: string;
  /** Instance it was attached to when renamed, if any. */
  readonly attachedInstanceId: string | null;
  /** True when an earlier run of the same execution had already renamed it. */
  readonly alreadyRenamed: boolean;
}

type Cluster = VolumePool;

/** The tags a rename by `executionId` leaves on a volume (an adopted, untagged volume gets the identity too). */
export function renameTags(cluster: Cluster, newName: string, executionId: string): TagMap {
  return {
    [TAG_KEYS.name]: newName,
    [TAG_KEYS.environment]: cluster.environmentName,
    [TAG_KEYS.previousName]: cluster.dataVolumeName,
    [TAG_KEYS.renamedBy]: executionId,
    ...identityTag(cluster),
  };
}

function describe(volume: Volume, cluster: Cluster, newName: string, alreadyRenamed: boolean): RenamedVolume {
  return {
    volumeId: volume.VolumeId ?? '',
    availabilityZone: volume.AvailabilityZone ?? '',
    previousName: cluster.dataVolumeName,
    newName,
    attachedInstanceId: attachedInstanceId(volume) ?? null,
    alreadyRenamed,
  };
}

/**
 * Renames `volumes` (claimable data volumes) to `newName`, tagging previous name and the execution,
 * and returns them together with the volumes this execution had already renamed to `newName` on an
 * earlier run (each volume once, sorted by id). Environment is kept. Nothing is deleted.
 */
export async function renameVolumes(
  ec2: EC2Client, cluster: Cluster, volumes: readonly Volume[], newName: string, executionId: string,
): Promise<RenamedVolume[]> {
  const tags = renameTags(cluster, newName, executionId);
  const earlier = await findVolumes(ec2, tagFilters(tags));
  const ids = volumes.map((v) => v.VolumeId ?? '');
  for (let i = 0; i < ids.length; i += 500) {
    await ec2.send(new CreateTagsCommand({ Resources: ids.slice(i, i + 500), Tags: toTags(tags) }));
  }
  return [
    ...volumes.map((v) => describe(v, cluster, newName, false)),
    ...earlier.filter((v) => !ids.includes(v.VolumeId ?? '')).map((v) => describe(v, cluster, newName, true)),
  ].sort((a, b) => a.volumeId.localeCompare(b.volumeId));
}
