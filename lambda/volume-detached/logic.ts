import { EC2Client } from '@aws-sdk/client-ec2';
import { ClusterContext } from '../shared/context';
import { attachedInstanceId, findDataVolumes } from '../shared/data-volumes';
import { PreconditionFailedError, StillInProgressError } from '../shared/errors';
import { requireCluster, requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';

export interface VolumeDetachedInput {
  readonly cluster: ClusterContext;
  /** A data volume of the cluster whose server is being stopped. */
  readonly volumeId: string;
}

export interface VolumeDetachedOutput {
  readonly volumeId: string;
  readonly availabilityZone: string;
}

export interface VolumeDetachedDeps {
  readonly ec2: EC2Client;
  readonly log: Logger;
}

/**
 * Passes once the data volume is detached (`available`): its server has stopped and the store is at rest,
 * so a snapshot of it is a clean copy. StillInProgressError while it is attached or detaching (Retry
 * polls, bounded); PreconditionFailedError when it is not one of the cluster's claimable data volumes.
 * Reads only.
 */
export async function logic(deps: VolumeDetachedDeps, input: VolumeDetachedInput): Promise<VolumeDetachedOutput> {
  const cluster = requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  const volumeId = requireString(input.volumeId, 'volumeId');
  const volume = (await findDataVolumes(deps.ec2, cluster)).find((v) => v.VolumeId === volumeId);
  if (!volume) throw new PreconditionFailedError(`volume ${volumeId} is not one of the cluster's data volumes (Name=${cluster.dataVolumeName})`);
  const instance = attachedInstanceId(volume);
  if (volume.State !== 'available' || instance) {
    throw new StillInProgressError(`volume ${volumeId} is ${volume.State}${instance ? ` (attached to ${instance})` : ''}: its server has not stopped yet`);
  }
  deps.log.info('volume detached', { volumeId });
  return { volumeId, availabilityZone: volume.AvailabilityZone ?? '' };
}
