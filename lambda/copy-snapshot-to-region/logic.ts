import { CopySnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ClusterContext, TAG_KEYS } from '../shared/context';
import { TagMap, tagFilters, tagMap, tagSpecifications } from '../shared/ec2-tags';
import { InvalidInputError } from '../shared/errors';
import { optionalString, requireCluster, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { completedSnapshot, findSnapshots, requireClusterSnapshot, reusableSnapshot } from '../shared/snapshot-lookup';
import { carriedTags } from '../shared/volume-provisioning';

export interface CopySnapshotToRegionInput {
  readonly cluster: ClusterContext;
  readonly executionId: string;
  readonly sourceSnapshotId: string;
  /** Default: the home region. */
  readonly sourceRegion?: string;
  readonly destinationRegion: string;
  /** KMS key in the destination region for an encrypted snapshot with a customer key. */
  readonly kmsKeyId?: string;
}

export interface CopySnapshotToRegionOutput {
  readonly region: string;
  /** The copy, in `region`. Wait for it with snapshots-complete { snapshotIds: [it], region }. */
  readonly snapshotId: string;
  readonly sourceSnapshotId: string;
  readonly sourceRegion: string;
  /** True when an earlier run of this execution had already started the copy. */
  readonly reused: boolean;
}

export interface CopySnapshotToRegionDeps {
  readonly region: string;
  readonly ec2ForRegion: (region: string) => EC2Client;
  readonly log: Logger;
}

/** The tags that identify "this execution's copy of that snapshot" in the destination region. */
export function copyIdentity(executionId: string, sourceSnapshotId: string): TagMap {
  return { [TAG_KEYS.execution]: executionId, [TAG_KEYS.sourceSnapshot]: sourceSnapshotId };
}

/**
 * Copies a completed snapshot of this cluster's data (normally the master's `clone-source` snapshot)
 * to another region, keeping our provenance tags and adding source snapshot/region. A source that is
 * still pending => StillInProgressError; failed => SnapshotFailedError; missing or of another
 * cluster => PreconditionFailedError.
 *
 * Idempotent without a ClientToken: CopySnapshot has no ClientToken parameter in the EC2 API (nor
 * in SDK v3's CopySnapshotRequest), so the destination region is first searched for a snapshot
 * tagged with this execution and source snapshot; the copy's tags are set atomically by
 * TagSpecifications, so a copy started by an earlier, interrupted run is always found. A copy in
 * state `error` is kept and a new one started.
 */
export async function logic(deps: CopySnapshotToRegionDeps, input: CopySnapshotToRegionInput): Promise<CopySnapshotToRegionOutput> {
  const cluster = requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  const executionId = requireString(input.executionId, 'executionId');
  const sourceSnapshotId = requireString(input.sourceSnapshotId, 'sourceSnapshotId');
  const sourceRegion = optionalString(input.sourceRegion, 'sourceRegion') ?? deps.region;
  const region = requireString(input.destinationRegion, 'destinationRegion');
  const kmsKeyId = optionalString(input.kmsKeyId, 'kmsKeyId');
  if (region === sourceRegion) throw new InvalidInputError(`destinationRegion ${region} is the source region`);

  const source = await completedSnapshot(deps.ec2ForRegion(sourceRegion), sourceSnapshotId, sourceRegion);
  requireClusterSnapshot(source, cluster);
  const destination = deps.ec2ForRegion(region);
  const identity = copyIdentity(executionId, sourceSnapshotId);
  const existing = reusableSnapshot(await findSnapshots(destination, tagFilters(identity)));
  if (existing) {
    deps.log.info('snapshot copy reused', { region, snapshotId: existing.SnapshotId, sourceSnapshotId });
    return { region, snapshotId: existing.SnapshotId ?? '', sourceSnapshotId, sourceRegion, reused: true };
  }

  // Provenance and the source volume's provisioning and own tags travel with the copy (its clones need them).
  const sourceTags = tagMap(source.Tags);
  const inherited = {
    ...carriedTags(sourceTags),
    ...Object.fromEntries(Object.entries(sourceTags).filter(([k]) => k === TAG_KEYS.name || k === TAG_KEYS.cluster || k.startsWith('neo4j-upgrade:'))),
  };
  const copy = await destination.send(new CopySnapshotCommand({
    SourceRegion: sourceRegion,
    SourceSnapshotId: sourceSnapshotId,
    Description: `Copy of ${sourceSnapshotId} from ${sourceRegion}`,
    ...(kmsKeyId ? { Encrypted: true, KmsKeyId: kmsKeyId } : {}),
    TagSpecifications: tagSpecifications('snapshot', { ...inherited, ...identity, [TAG_KEYS.sourceRegion]: sourceRegion }),
  }));
  deps.log.info('snapshot copy started', { region, snapshotId: copy.SnapshotId, sourceSnapshotId, sourceRegion });
  return { region, snapshotId: copy.SnapshotId ?? '', sourceSnapshotId, sourceRegion, reused: false };
}
