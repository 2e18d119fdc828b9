/**
 * What the rehearsal compares before and after an execution: the cluster's data volumes (every volume
 * tagged with its Environment, renamed ones included), the snapshots the library made, the lock.
 */
import { DescribeSnapshotsCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { ClientSet } from './aws-clients';
import { ExecutionReport, SnapshotSummary, VolumeSummary } from './types';

export interface ClusterInventory {
  readonly volumes: VolumeSummary[];
  readonly snapshots: SnapshotSummary[];
  readonly lockHolder: string | undefined;
  readonly lockParameterName: string;
}

const tagsOf = (tags: Array<{ Key?: string; Value?: string }> | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

export async function inventory(clients: ClientSet, regions: string[], environment: string, lockParameterName: string): Promise<ClusterInventory> {
  const volumes: VolumeSummary[] = [];
  const snapshots: SnapshotSummary[] = [];
  for (const region of regions) {
    const ec2 = clients.ec2ForRegion(region);
    let token: string | undefined;
    do {
      const page = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag:Environment', Values: [environment] }], NextToken: token }));
      for (const v of page.Volumes ?? []) {
        const tags = tagsOf(v.Tags);
        volumes.push({
          volumeId: v.VolumeId as string, region, availabilityZone: v.AvailabilityZone ?? '', name: tags.Name, state: v.State,
          ...(v.SnapshotId && { snapshotId: v.SnapshotId }),
          volumeType: v.VolumeType, sizeGiB: v.Size, iops: v.Iops, throughput: v.Throughput, encrypted: v.Encrypted,
          ...(v.KmsKeyId && { kmsKeyId: v.KmsKeyId }), tags,
        });
      }
      token = page.NextToken;
    } while (token);
    const snaps = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    for (const s of snaps.Snapshots ?? []) {
      const tags = tagsOf(s.Tags);
      if (!Object.keys(tags).some((k) => k.startsWith('neo4j-upgrade:'))) continue;
      snapshots.push({
        snapshotId: s.SnapshotId as string, region, volumeId: s.VolumeId, purpose: tags['neo4j-upgrade:purpose'], state: s.State, tags,
      });
    }
  }
  let lockHolder: string | undefined;
  if (lockParameterName) {
    const lock = await clients.ssm.send(new GetParameterCommand({ Name: lockParameterName })).catch(() => undefined);
    if (lock?.Parameter?.Value) {
      try {
        lockHolder = String((JSON.parse(lock.Parameter.Value) as { executionArn?: string }).executionArn ?? lock.Parameter.Value);
      } catch {
        lockHolder = lock.Parameter.Value;
      }
    }
  }
  return { volumes, snapshots, lockHolder, lockParameterName };
}

export function diffInventories(before: ClusterInventory, after: ClusterInventory, dataVolumeName: string, executionArn: string): {
  volumes: Pick<ExecutionReport['volumes'], 'renamed' | 'created' | 'deleted'>;
  snapshots: ExecutionReport['snapshots'];
  lock: ExecutionReport['lock'];
} {
  const beforeVolumes = new Map(before.volumes.map((v) => [v.volumeId, v]));
  const afterVolumes = new Map(after.volumes.map((v) => [v.volumeId, v]));
  const created = after.volumes.filter((v) => !beforeVolumes.has(v.volumeId));
  const deleted = before.volumes.filter((v) => !afterVolumes.has(v.volumeId));
  const renamed = after.volumes.filter((v) => beforeVolumes.has(v.volumeId) && beforeVolumes.get(v.volumeId)?.name !== v.name);
  const beforeSnaps = new Set(before.snapshots.map((s) => s.snapshotId));
  const afterSnaps = new Set(after.snapshots.map((s) => s.snapshotId));
  const mine = after.snapshots.filter((s) => !beforeSnaps.has(s.snapshotId));
  const isCopy = (s: SnapshotSummary) => s.tags['neo4j-upgrade:source-snapshot'] !== undefined;
  void dataVolumeName;
  return {
    volumes: { renamed, created, deleted },
    snapshots: {
      preUpgrade: mine.filter((s) => s.purpose === 'pre-upgrade' && !isCopy(s)),
      clones: mine.filter((s) => s.purpose === 'clone-source' || isCopy(s)),
      postUpgrade: mine.filter((s) => s.purpose === 'post-upgrade' && !isCopy(s)),
      other: mine.filter((s) => !['pre-upgrade', 'clone-source', 'post-upgrade'].includes(s.purpose ?? '') && !isCopy(s)),
      deleted: before.snapshots.filter((s) => !afterSnaps.has(s.snapshotId)),
    },
    lock: {
      parameterName: after.lockParameterName,
      heldAtEnd: after.lockHolder !== undefined && (after.lockHolder === executionArn || after.lockHolder !== before.lockHolder),
      ...(after.lockHolder && { holder: after.lockHolder }),
    },
  };
}
