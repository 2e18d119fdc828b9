import { CreateSnapshotCommand, EC2Client, Snapshot, Volume } from '@aws-sdk/client-ec2';
import { ClusterContext, TAG_KEYS } from '../shared/context';
import { describeOwner, identityTag } from '../shared/cluster-ownership';
import { findDataVolumes } from '../shared/data-volumes';
import { TagMap, tagFilters, tagMap, tagSpecifications } from '../shared/ec2-tags';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { shortExecutionId } from '../shared/execution-id';
import { requireCluster, requireString, requireStringArray } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { findSnapshots, reusableSnapshot } from '../shared/snapshot-lookup';
import { sourceVolumeTags } from '../shared/volume-provisioning';

export const SNAPSHOT_PURPOSES = ['pre-upgrade', 'post-upgrade', 'clone-source'] as const;
export type SnapshotPurpose = (typeof SNAPSHOT_PURPOSES)[number];

export interface SnapshotVolumesInput {
  readonly cluster: ClusterContext;
  /** Step Functions execution id (`$$.Execution.Id`). */
  readonly executionId: string;
  readonly purpose: SnapshotPurpose;
  /** Only these volumes (each must be one of the cluster's data volumes); default all of them. */
  readonly volumeIds?: string[];
}

/** What a restore needs to recreate the volume: the snapshot, where it lived, how it was provisioned. */
export interface VolumeSnapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly availabilityZone: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly iops?: number;
  readonly throughput?: number;
  /** True when an earlier run of this step (same execution, purpose, volume) made it. */
  readonly reused: boolean;
}

export interface SnapshotVolumesOutput {
  readonly purpose: SnapshotPurpose;
  readonly snapshots: VolumeSnapshot[];
}

export interface SnapshotVolumesDeps {
  readonly ec2: EC2Client;
  readonly log: Logger;
}

/** The tags that identify "the snapshot of this volume for this purpose in this execution". */
export function snapshotIdentity(executionId: string, purpose: SnapshotPurpose, volumeId: string): TagMap {
  return { [TAG_KEYS.execution]: executionId, [TAG_KEYS.purpose]: purpose, [TAG_KEYS.sourceVolume]: volumeId };
}

function snapshotTags(input: SnapshotVolumesInput, volume: Volume): TagMap {
  const tags = tagMap(volume.Tags);
  return {
    ...sourceVolumeTags(volume),
    [TAG_KEYS.name]: `${input.cluster.dataVolumeName}-${input.purpose}-${shortExecutionId(input.executionId)}`,
    ...snapshotIdentity(input.executionId, input.purpose, volume.VolumeId ?? ''),
    [TAG_KEYS.sourceAvailabilityZone]: volume.AvailabilityZone ?? '',
    [TAG_KEYS.sourceName]: tags[TAG_KEYS.name] ?? '',
    [TAG_KEYS.sourceEnvironment]: tags[TAG_KEYS.environment] ?? '',
    ...identityTag(input.cluster),
  };
}

function validate(input: SnapshotVolumesInput): string[] | undefined {
  requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  requireString(input.executionId, 'executionId');
  if (!SNAPSHOT_PURPOSES.includes(input.purpose)) {
    throw new InvalidInputError(`purpose must be one of ${SNAPSHOT_PURPOSES.join(', ')}, got ${JSON.stringify(input.purpose)}`);
  }
  return input.volumeIds === undefined ? undefined : requireStringArray(input.volumeIds, 'volumeIds', 1);
}

/**
 * Snapshots every data volume of the cluster (Name+Environment tags; attached and available), or
 * only `volumeIds`. Each snapshot is tagged with execution, purpose, source volume, source AZ, the
 * volume's Name/Environment, how it was provisioned (type, IOPS, throughput, size, KMS key) and the
 * volume's own tags, so a restore or a clone recreates it as it was, and where.
 *
 * Idempotent: a snapshot already tagged with the same execution+purpose+source volume is reused
 * (unless it is in state `error`: then a new one is made and the failed one kept). CreateSnapshot
 * has no ClientToken; tags are applied atomically at creation, so a rerun always finds the first.
 * Never deletes anything.
 */
export async function logic(deps: SnapshotVolumesDeps, input: SnapshotVolumesInput): Promise<SnapshotVolumesOutput> {
  const only = validate(input);
  const all = await findDataVolumes(deps.ec2, input.cluster);
  const volumes = only ? all.filter((v) => only.includes(v.VolumeId ?? '')) : all;
  const unknown = (only ?? []).filter((id) => !all.some((v) => v.VolumeId === id));
  if (unknown.length > 0) {
    throw new PreconditionFailedError(
      `volumeIds ${unknown.join(', ')} are not data volumes of the cluster (Name=${input.cluster.dataVolumeName}, Environment=${input.cluster.environmentName})`,
    );
  }
  if (volumes.length === 0) {
    throw new PreconditionFailedError(
      `no data volumes tagged Name=${input.cluster.dataVolumeName}, Environment=${input.cluster.environmentName}, ${describeOwner(input.cluster)}: nothing to snapshot`,
    );
  }

  const snapshots: VolumeSnapshot[] = [];
  for (const volume of volumes) {
    const volumeId = volume.VolumeId ?? '';
    const existing = reusableSnapshot(await findSnapshots(deps.ec2, tagFilters(snapshotIdentity(input.executionId, input.purpose, volumeId))));
    let snapshot: Snapshot | undefined = existing;
    if (!snapshot) {
      snapshot = await deps.ec2.send(new CreateSnapshotCommand({
        VolumeId: volumeId,
        Description: `${input.purpose} snapshot of ${volumeId} (${input.cluster.dataVolumeName}/${input.cluster.environmentName})`,
        TagSpecifications: tagSpecifications('snapshot', snapshotTags(input, volume)),
      }));
    }
    deps.log.info(existing ? 'snapshot reused' : 'snapshot created', { volumeId, snapshotId: snapshot.SnapshotId });
    snapshots.push({
      snapshotId: snapshot.SnapshotId ?? '',
      volumeId,
      availabilityZone: volume.AvailabilityZone ?? '',
      sizeGiB: volume.Size ?? snapshot.VolumeSize ?? 0,
      volumeType: volume.VolumeType ?? 'gp3',
      ...(volume.Iops !== undefined ? { iops: volume.Iops } : {}),
      ...(volume.Throughput !== undefined ? { throughput: volume.Throughput } : {}),
      reused: existing !== undefined,
    });
  }
  return { purpose: input.purpose, snapshots };
}
