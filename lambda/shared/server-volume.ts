import { EC2Client } from '@aws-sdk/client-ec2';
import { findDataVolumes } from './data-volumes';
import { PreconditionFailedError } from './errors';
import { tagFilters } from './ec2-tags';
import { RoleOrderedContext, SERVER_TAG } from './role-ordered-context';

/** The server's claimable data volume (pool Name and Environment, and `upgrade:server=<id>`). */
export async function serverVolumeId(ec2: EC2Client, cluster: RoleOrderedContext, serverId: string): Promise<string> {
  const volumes = await findDataVolumes(ec2, cluster, tagFilters({ [SERVER_TAG]: serverId }));
  if (volumes.length !== 1) {
    throw new PreconditionFailedError(`server ${serverId} must have exactly one data volume tagged Name=${cluster.dataVolumeName}, `
      + `Environment=${cluster.environmentName}, ${SERVER_TAG}=${serverId}; found ${volumes.length}`);
  }
  return volumes[0].VolumeId ?? '';
}
