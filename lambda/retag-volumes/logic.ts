import { EC2Client } from '@aws-sdk/client-ec2';
import { ClusterContext } from '../shared/context';
import { describeOwner } from '../shared/cluster-ownership';
import { findDataVolumes } from '../shared/data-volumes';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { optionalString, requireCluster, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { RenamedVolume, renameVolumes } from '../shared/volume-rename';

export const DEFAULT_OLD_SUFFIX = '-old';

export interface RetagVolumesInput {
  readonly cluster: ClusterContext;
  readonly executionId: string;
  /** The master's data volume (resolve-master's `volumeId`): the one volume kept in the pool. */
  readonly masterVolumeId: string;
  /** Appended to the data volume name; default `-old`. */
  readonly suffix?: string;
}

export interface RetagVolumesOutput {
  readonly keptVolumeId: string;
  readonly newName: string;
  /** Every volume this execution renamed (on this run or an earlier one), each once. */
  readonly renamed: RenamedVolume[];
}

export interface RetagVolumesDeps {
  readonly ec2: EC2Client;
  readonly log: Logger;
}

const TAG_VALUE_MAX = 256;

function validate(input: RetagVolumesInput): { suffix: string } {
  const cluster = requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  requireString(input.executionId, 'executionId');
  const suffix = optionalString(input.suffix, 'suffix') ?? DEFAULT_OLD_SUFFIX;
  if ((cluster.dataVolumeName + suffix).length > TAG_VALUE_MAX) {
    throw new InvalidInputError(`suffix ${JSON.stringify(suffix)} makes the Name tag longer than ${TAG_VALUE_MAX} characters`);
  }
  return { suffix };
}

/**
 * Seed step 5: takes every data volume except the master's out of the claim pool by renaming
 * Name=<dataVolumeName> to `<dataVolumeName><suffix>` (default `-old`), tagging the previous name
 * and the execution (renamed-by). Nodes booting later no longer claim them; the old data is kept.
 *
 * Refuses (PreconditionFailedError, nothing changed) when `masterVolumeId` is missing or is not one
 * of the cluster's claimable data volumes: without it every volume would be renamed, the master's too.
 * Idempotent: a rerun renames what is still claimable (none, after a complete run) and reports the
 * volumes renamed by this execution before as `alreadyRenamed`, once each.
 */
export async function logic(deps: RetagVolumesDeps, input: RetagVolumesInput): Promise<RetagVolumesOutput> {
  const { suffix } = validate(input);
  const { cluster, executionId, masterVolumeId } = input;
  if (typeof masterVolumeId !== 'string' || masterVolumeId === '') {
    throw new PreconditionFailedError('masterVolumeId is missing: refusing to rename data volumes without knowing which one the master keeps');
  }
  const volumes = await findDataVolumes(deps.ec2, cluster);
  if (!volumes.some((v) => v.VolumeId === masterVolumeId)) {
    throw new PreconditionFailedError(
      `masterVolumeId ${masterVolumeId} is not one of the cluster's data volumes (Name=${cluster.dataVolumeName}, Environment=${cluster.environmentName}, ${describeOwner(cluster)}): ${volumes.map((v) => v.VolumeId).join(', ') || 'none'}`,
    );
  }
  const newName = cluster.dataVolumeName + suffix;
  const renamed = await renameVolumes(deps.ec2, cluster, volumes.filter((v) => v.VolumeId !== masterVolumeId), newName, executionId);
  deps.log.info('data volumes renamed', { newName, kept: masterVolumeId, renamed: renamed.map((r) => r.volumeId) });
  return { keptVolumeId: masterVolumeId, newName, renamed };
}
