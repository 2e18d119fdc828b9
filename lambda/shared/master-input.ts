import { ClusterInstance, MembersDeps, listClusterInstances } from './cluster-members';
import { ClusterContext } from './context';
import { InvalidInputError, PreconditionFailedError } from './errors';
import { requireCluster, requireString } from './input-checks';

/** Input of the tasks that act on the main group around its master. */
export interface MasterTaskInput {
  readonly cluster: ClusterContext;
  /** From resolve-master's output. */
  readonly masterInstanceId: string;
}

export function validateMasterTaskInput(input: MasterTaskInput): string {
  requireCluster(input?.cluster, ['dataVolumeName', 'environmentName', 'mainAutoScalingGroupName']);
  const id = requireString(input.masterInstanceId, 'masterInstanceId');
  if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new InvalidInputError(`masterInstanceId is not an instance id: ${JSON.stringify(id)}`);
  return id;
}

/**
 * Validates the input and lists the main group's instances in every lifecycle state, split into the
 * master and the others. The master must be InService, else PreconditionFailedError naming what
 * `refusal` says was not done.
 */
export async function mainGroupAroundMaster(
  deps: MembersDeps, input: MasterTaskInput, refusal: string,
): Promise<{ masterId: string; others: ClusterInstance[] }> {
  const masterId = validateMasterTaskInput(input);
  const members = await listClusterInstances(deps, input.cluster, { groups: ['main'], lifecycleStates: null });
  const master = members.find((m) => m.instanceId === masterId);
  if (!master || master.lifecycleState !== 'InService') {
    throw new PreconditionFailedError(
      `master ${masterId} is not InService in ${input.cluster.mainAutoScalingGroupName} (${master?.lifecycleState ?? 'not a member'}); ${refusal}`,
    );
  }
  return { masterId, others: members.filter((m) => m.instanceId !== masterId) };
}
