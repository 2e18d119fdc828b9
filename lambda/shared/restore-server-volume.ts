import { CreateVolumeCommand, EC2Client, VolumeType } from '@aws-sdk/client-ec2';
import { TAG_KEYS } from './context';
import { findVolumes } from './data-volumes';
import { tagFilters, tagSpecifications } from './ec2-tags';
import { PreconditionFailedError } from './errors';
import { shortExecutionId } from './execution-id';
import { RoleOrderedContext, SERVER_TAG } from './role-ordered-context';
import { renameVolumes } from './volume-rename';
import type { VolumeSnapshot } from '../snapshot-volumes/logic';

/** A pre-upgrade snapshot as snapshot-volumes lists it. */
export type PreUpgradeSnapshot = Omit<VolumeSnapshot, 'reused'>;

/**
 * The server's data volume back from its pre-upgrade snapshot: a new volume from the snapshot, tagged as the
 * server's claimable volume, and the upgraded one renamed out of the pool (`<name>-upgraded-<execution>`),
 * never deleted. Idempotent: a volume this execution already restored for the server is reused.
 */
export async function restoreServerVolume(
  ec2: EC2Client, cluster: RoleOrderedContext, serverId: string, upgradedVolumeId: string, snapshots: readonly PreUpgradeSnapshot[], executionArn: string,
): Promise<string> {
  const snapshot = snapshots.find((s) => s.volumeId === upgradedVolumeId);
  if (!snapshot) throw new PreconditionFailedError(`no pre-upgrade snapshot of ${serverId}'s volume ${upgradedVolumeId}: it cannot be restored`);
  const identity = { [TAG_KEYS.restoredFrom]: snapshot.snapshotId, [TAG_KEYS.execution]: executionArn, [SERVER_TAG]: serverId };
  const [earlier] = await findVolumes(ec2, tagFilters(identity));
  const current = await findVolumes(ec2, [{ Name: 'volume-id', Values: [upgradedVolumeId] }]);
  await renameVolumes(ec2, cluster, current, `${cluster.dataVolumeName}-upgraded-${shortExecutionId(executionArn)}`, executionArn);
  if (earlier?.VolumeId) return earlier.VolumeId;
  const created = await ec2.send(new CreateVolumeCommand({
    SnapshotId: snapshot.snapshotId, AvailabilityZone: snapshot.availabilityZone, VolumeType: snapshot.volumeType as VolumeType,
    ...(snapshot.iops !== undefined && { Iops: snapshot.iops }), ...(snapshot.throughput !== undefined && { Throughput: snapshot.throughput }),
    TagSpecifications: tagSpecifications('volume', {
      [TAG_KEYS.name]: cluster.dataVolumeName, [TAG_KEYS.environment]: cluster.environmentName, ...identity,
    }),
  }));
  return created.VolumeId ?? '';
}
