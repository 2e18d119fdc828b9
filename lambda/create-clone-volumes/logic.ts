import { CreateVolumeCommand, EC2Client, Volume } from '@aws-sdk/client-ec2';
import { clientToken } from '../shared/client-token';
import { ClusterContext, TAG_KEYS } from '../shared/context';
import { claimTags, findVolumes } from '../shared/data-volumes';
import { tagFilters, tagMap, tagSpecifications } from '../shared/ec2-tags';
import { InvalidInputError } from '../shared/errors';
import { optionalString, requireCluster, requireInteger, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { completedSnapshot, requireClusterSnapshot } from '../shared/snapshot-lookup';
import { carriedTags, recreateParams } from '../shared/volume-provisioning';

/** One target of plan-clone-targets, with the snapshot to use in its region. */
export interface CreateCloneVolumesInput {
  readonly cluster: ClusterContext;
  readonly executionId: string;
  /** Default: the home region. */
  readonly region?: string;
  readonly availabilityZone: string;
  /** In `region`: the clone-source snapshot at home, its copy elsewhere. */
  readonly snapshotId: string;
  readonly count: number;
  /** Default: the source volume's type, IOPS and throughput (snapshot tags), else gp3. */
  readonly volumeType?: string;
  readonly iops?: number;
  readonly throughput?: number;
}

export interface CreateCloneVolumesOutput {
  readonly region: string;
  readonly availabilityZone: string;
  readonly snapshotId: string;
  /** Indexes 0..count-1, in order. */
  readonly volumeIds: string[];
  readonly created: string[];
  readonly reused: string[];
}

export interface CreateCloneVolumesDeps {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly ec2ForRegion: (region: string) => EC2Client;
  readonly log: Logger;
}

function validate(input: CreateCloneVolumesInput, homeRegion: string) {
  requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  requireString(input.executionId, 'executionId');
  const region = optionalString(input.region, 'region') ?? homeRegion;
  const az = requireString(input.availabilityZone, 'availabilityZone');
  if (!az.startsWith(region)) throw new InvalidInputError(`availabilityZone ${az} is not in region ${region}`);
  requireString(input.snapshotId, 'snapshotId');
  requireInteger(input.count, 'count', 0);
  if (input.iops !== undefined) requireInteger(input.iops, 'iops', 1);
  if (input.throughput !== undefined) requireInteger(input.throughput, 'throughput', 1);
  return { region, az };
}

/**
 * Seed step 6: creates `count` volumes in one AZ from the master's migrated snapshot, tagged with the
 * claim tags (Name=<dataVolumeName>, Environment) so the nodes that boot there claim a copy instead
 * of starting empty, plus clone-of, execution and clone-index. Each is provisioned like the source
 * volume (type, IOPS, throughput, size, encryption and key: see recreateParams) and keeps its own tags.
 *
 * Idempotent twice over: each index has a ClientToken derived from (execution, region, AZ, snapshot,
 * index), so a retried CreateVolume returns the first volume; and before creating, volumes already
 * tagged with this execution + clone-of in the AZ are looked up by clone-index (whatever their Name
 * is now: a clone renamed later is still not recreated), so only missing indexes are created.
 * The snapshot must be completed (else StillInProgressError) and be of this cluster's data.
 */
export async function logic(deps: CreateCloneVolumesDeps, input: CreateCloneVolumesInput): Promise<CreateCloneVolumesOutput> {
  const { region, az } = validate(input, deps.region);
  const { cluster, executionId, snapshotId, count } = input;
  const ec2 = region === deps.region ? deps.ec2 : deps.ec2ForRegion(region);
  const snapshot = await completedSnapshot(ec2, snapshotId, region);
  requireClusterSnapshot(snapshot, cluster);

  const identity = { [TAG_KEYS.execution]: executionId, [TAG_KEYS.cloneOf]: snapshotId };
  const existing = await findVolumes(ec2, [...tagFilters(identity), { Name: 'availability-zone', Values: [az] }]);
  const byIndex = new Map<number, Volume>();
  for (const v of existing) {
    const index = Number(tagMap(v.Tags)[TAG_KEYS.cloneIndex]);
    if (Number.isInteger(index) && !byIndex.has(index)) byIndex.set(index, v);
  }

  const provisioning = recreateParams(snapshot, input);
  const ownTags = carriedTags(tagMap(snapshot.Tags));
  const volumeIds: string[] = [];
  const created: string[] = [];
  const reused: string[] = [];
  for (let index = 0; index < count; index++) {
    const found = byIndex.get(index);
    if (found) {
      volumeIds.push(found.VolumeId ?? '');
      reused.push(found.VolumeId ?? '');
      continue;
    }
    const volume = await ec2.send(new CreateVolumeCommand({
      AvailabilityZone: az,
      SnapshotId: snapshotId,
      ...provisioning,
      ClientToken: clientToken(executionId, region, az, snapshotId, String(index)),
      TagSpecifications: tagSpecifications('volume', {
        ...ownTags,
        ...claimTags(cluster),
        ...identity,
        [TAG_KEYS.cloneIndex]: String(index),
      }),
    }));
    volumeIds.push(volume.VolumeId ?? '');
    created.push(volume.VolumeId ?? '');
  }
  deps.log.info('clone volumes', { region, availabilityZone: az, snapshotId, created, reused });
  return { region, availabilityZone: az, snapshotId, volumeIds, created, reused };
}
