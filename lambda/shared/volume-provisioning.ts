import type { Snapshot, Volume, VolumeType } from '@aws-sdk/client-ec2';
import { TAG_KEYS } from './context';
import { TagMap, tagMap } from './ec2-tags';
import { PreconditionFailedError } from './errors';

export interface VolumeProvisioning {
  readonly volumeType?: string;
  readonly iops?: number;
  readonly throughput?: number;
}

const IOPS_TYPES = ['gp3', 'io1', 'io2'];
/** io1 and io2 cannot be created without a number of IOPS. */
const IOPS_REQUIRED = ['io1', 'io2'];

/**
 * CreateVolume parameters that reproduce a volume's type and performance. DescribeVolumes reports
 * Iops for gp2 too (its baseline), but CreateVolume rejects Iops for gp2/st1/sc1/standard and
 * Throughput for anything but gp3, so only the settable ones are passed. Default type: gp3.
 */
export function provisioningParams(p: VolumeProvisioning): { VolumeType: VolumeType; Iops?: number; Throughput?: number } {
  const type = (p.volumeType || 'gp3') as VolumeType;
  return {
    VolumeType: type,
    ...(p.iops !== undefined && IOPS_TYPES.includes(type) ? { Iops: p.iops } : {}),
    ...(p.throughput !== undefined && type === 'gp3' ? { Throughput: p.throughput } : {}),
  };
}

/** Tags the library owns (claim, provenance) or AWS reserves: never carried from a volume to its copies. */
function isOwnTag(key: string): boolean {
  return key === TAG_KEYS.name || key === TAG_KEYS.environment || key === TAG_KEYS.cluster
    || key.startsWith('neo4j-upgrade:') || key.startsWith('aws:');
}

/** The operator's own tags of a volume or snapshot (cost allocation, owner, ...), which its copies keep. */
export function carriedTags(tags: TagMap): TagMap {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !isOwnTag(key)));
}

/**
 * What a snapshot records of its source volume (snapshot-volumes tags it), so a volume made from the
 * snapshot, or from a copy of it in another region, is provisioned like the source: type, IOPS,
 * throughput, size and KMS key, plus the source's own tags as they are.
 */
export function sourceVolumeTags(volume: Volume): TagMap {
  const type = volume.VolumeType ?? '';
  return {
    ...carriedTags(tagMap(volume.Tags)),
    [TAG_KEYS.sourceVolumeType]: type,
    ...(volume.Iops !== undefined && IOPS_TYPES.includes(type) && { [TAG_KEYS.sourceIops]: String(volume.Iops) }),
    ...(volume.Throughput !== undefined && type === 'gp3' && { [TAG_KEYS.sourceThroughput]: String(volume.Throughput) }),
    ...(volume.Size !== undefined && { [TAG_KEYS.sourceSize]: String(volume.Size) }),
    ...(volume.Encrypted && volume.KmsKeyId && { [TAG_KEYS.sourceKmsKey]: volume.KmsKeyId }),
  };
}

export interface RecreateParams {
  readonly VolumeType: VolumeType;
  readonly Iops?: number;
  readonly Throughput?: number;
  readonly Size?: number;
  readonly Encrypted?: boolean;
  readonly KmsKeyId?: string;
}

function tagNumber(tags: TagMap, key: string): number | undefined {
  const n = Number(tags[key]);
  return tags[key] !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * CreateVolume parameters that recreate the source volume of `snapshot`: `given` (the caller's
 * explicit type/IOPS/throughput) first, then what the snapshot records. Encryption follows the
 * snapshot, with its key; a cross-region copy is encrypted with its own region's key, so the home
 * key recorded in the tags is used only for a snapshot in the home region. An io1/io2 source whose
 * IOPS are known nowhere is refused before anything is created (EC2 would refuse the volume).
 */
export function recreateParams(snapshot: Snapshot, given: VolumeProvisioning = {}): RecreateParams {
  const tags = tagMap(snapshot.Tags);
  const type = given.volumeType || tags[TAG_KEYS.sourceVolumeType] || 'gp3';
  const base = provisioningParams({
    volumeType: type,
    iops: given.iops ?? tagNumber(tags, TAG_KEYS.sourceIops),
    throughput: given.throughput ?? tagNumber(tags, TAG_KEYS.sourceThroughput),
  });
  if (IOPS_REQUIRED.includes(type) && base.Iops === undefined) {
    throw new PreconditionFailedError(
      `snapshot ${snapshot.SnapshotId} is of an ${type} volume, which needs provisioned IOPS, but neither the input nor ` +
      `its tag ${TAG_KEYS.sourceIops} says how many: give iops`,
    );
  }
  const size = tagNumber(tags, TAG_KEYS.sourceSize) ?? (snapshot.VolumeSize || undefined);
  const isCopy = tags[TAG_KEYS.sourceRegion] !== undefined;
  const key = snapshot.KmsKeyId ?? (isCopy ? undefined : tags[TAG_KEYS.sourceKmsKey]);
  return {
    ...base,
    ...(size !== undefined && { Size: size }),
    ...(snapshot.Encrypted && { Encrypted: true, ...(key && { KmsKeyId: key }) }),
  };
}
