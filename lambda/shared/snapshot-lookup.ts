import { DescribeSnapshotsCommand, EC2Client, Filter, Snapshot } from '@aws-sdk/client-ec2';
import { describeOwner, ownedBy } from './cluster-ownership';
import { TAG_KEYS } from './context';
import type { VolumePool } from './data-volumes';
import { tagMap } from './ec2-tags';
import { PreconditionFailedError, SnapshotFailedError, StillInProgressError } from './errors';

/** Our own snapshots (OwnerIds=self) matching the filters, every page, oldest first. */
export async function findSnapshots(ec2: EC2Client, filters: Filter[]): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: filters, NextToken: token }));
    snapshots.push(...(page.Snapshots ?? []));
    token = page.NextToken;
  } while (token);
  return snapshots.sort((a, b) => (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0));
}

/**
 * The snapshot an earlier run of the same step created, if one can still be used. One in state
 * `error` is not reused (it is kept, never deleted); the step then creates a new one.
 */
export function reusableSnapshot(snapshots: readonly Snapshot[]): Snapshot | undefined {
  return snapshots.find((s) => s.State !== 'error');
}

/**
 * Guards against seeding or restoring a cluster with another cluster's data: the snapshot must
 * carry our source-name/source-environment tags (written by snapshot-volumes, kept by copies) and
 * they must name this cluster's data volumes.
 */
export function requireClusterSnapshot(snapshot: Snapshot, cluster: VolumePool): void {
  const tags = tagMap(snapshot.Tags);
  const name = tags[TAG_KEYS.sourceName];
  const environment = tags[TAG_KEYS.sourceEnvironment];
  if (name !== cluster.dataVolumeName || environment !== cluster.environmentName) {
    throw new PreconditionFailedError(
      `snapshot ${snapshot.SnapshotId} is of ${name ?? '(no source-name tag)'}/${environment ?? '(no source-environment tag)'}, not of this cluster's ${cluster.dataVolumeName}/${cluster.environmentName}`,
    );
  }
  if (!ownedBy(tags, cluster)) {
    throw new PreconditionFailedError(
      `snapshot ${snapshot.SnapshotId} belongs to the cluster ${tags[TAG_KEYS.cluster]}, not to this one (${describeOwner(cluster)})`,
    );
  }
}

/**
 * One snapshot that a volume is about to be created from: PreconditionFailedError if it does not
 * exist, SnapshotFailedError if it failed, StillInProgressError while it is not completed.
 */
export async function completedSnapshot(ec2: EC2Client, snapshotId: string, region: string): Promise<Snapshot> {
  let found: Snapshot | undefined;
  try {
    found = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0];
  } catch (err) {
    if ((err as Error).name !== 'InvalidSnapshot.NotFound') throw err;
  }
  if (!found) throw new PreconditionFailedError(`snapshot ${snapshotId} not found in ${region}`);
  if (found.State === 'error') throw new SnapshotFailedError(`snapshot ${snapshotId} in ${region} is in state error: ${found.StateMessage ?? ''}`);
  if (found.State !== 'completed') throw new StillInProgressError(`snapshot ${snapshotId} in ${region} is ${found.State}, not completed yet`);
  return found;
}
