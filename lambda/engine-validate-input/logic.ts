import { camundaStep, pinnedCamundaVersion } from '../shared/camunda-upgrade-path';
import { EngineFleetContext, EngineFleetGroup, EngineFleetNode, EngineFleetPlan } from '../shared/engine-fleet-context';
import { nodeAsServer } from '../shared/engine-node-services';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { requireArray, requireInteger, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { ServerActions } from '../shared/server-actions';

export interface EngineValidateInputDeps {
  readonly actions: ServerActions;
  readonly log: Logger;
}

export interface EngineValidateInputInput {
  readonly cluster: EngineFleetContext;
  /** The operator's execution input. */
  readonly request: Record<string, unknown>;
  /** From the construct's props; the request overrides them. */
  readonly defaults?: Record<string, unknown>;
}

const FIELDS = ['toImage', 'lockTtlSeconds', 'approvalMode', 'approvalSeconds'];
const APPROVAL_MODES = ['none', 'between-groups'];

/**
 * Preflight of a schema-first rolling upgrade, before any change: the request's image is pinned, the fleet
 * runs one image on every node, and the step from its version is one seed 002 allows (minor +1 at most, no
 * downgrade, patches free); every group leaves a node in service. Returns the plan.
 */
export async function logic(deps: EngineValidateInputDeps, input: EngineValidateInputInput): Promise<EngineFleetPlan> {
  const request = { ...(input?.defaults ?? {}), ...(input?.request ?? {}) };
  for (const key of Object.keys(input?.request ?? {})) {
    if (!FIELDS.includes(key)) throw new InvalidInputError(`unknown input field ${show(key)} (known: ${FIELDS.join(', ')})`);
  }
  const toImage = requireString(request.toImage, 'toImage');
  const to = pinnedCamundaVersion(toImage, 'toImage');
  const lockTtlSeconds = requireInteger(request.lockTtlSeconds ?? 6 * 3600, 'lockTtlSeconds', 60);
  const approvalMode = request.approvalMode ?? 'none';
  if (typeof approvalMode !== 'string' || !APPROVAL_MODES.includes(approvalMode)) {
    throw new InvalidInputError(`approvalMode must be one of ${APPROVAL_MODES.join(', ')}, got ${show(approvalMode)}`);
  }
  const approvalSeconds = requireInteger(request.approvalSeconds ?? 86400, 'approvalSeconds', 60);
  const cluster = input.cluster;
  const nodes = requireArray<EngineFleetNode>(cluster?.nodes, 'cluster.nodes', 2);
  const groups = requireArray<EngineFleetGroup>(cluster?.nodeGroups, 'cluster.nodeGroups', 2);
  for (const [i, g] of groups.entries()) {
    if (requireArray(g?.nodes, `cluster.nodeGroups[${i}].nodes`, 1).length >= nodes.length) {
      throw new InvalidInputError(`cluster.nodeGroups[${i}] holds ${g.nodes.length} of ${nodes.length} nodes: it would leave no node in service`);
    }
  }

  const images = new Map<string, string[]>();
  for (const node of nodes) {
    const image = await deps.actions.currentImage(nodeAsServer(node));
    images.set(image, [...(images.get(image) ?? []), node.nodeId]);
  }
  if (images.size !== 1) {
    const mixed = [...images].map(([image, ids]) => `${image} (${ids.join(', ')})`).join('; ');
    throw new PreconditionFailedError(`the fleet runs more than one image: ${mixed}; bring every node to one image first`);
  }
  const fromImage = [...images.keys()][0];
  const from = pinnedCamundaVersion(fromImage, 'the fleet\'s current image');
  const step = camundaStep(from, to);
  const plan: EngineFleetPlan = {
    stackName: cluster.stackName, fromImage, toImage,
    fromVersion: `${from.major}.${from.minor}.${from.patch}`, toVersion: `${to.major}.${to.minor}.${to.patch}`,
    schemaStep: step === 'minor', groups, lockTtlSeconds, approvalMode, timeouts: { approvalSeconds },
    warnings: step === 'minor' ? ['No feature of the new minor may be used until every group runs it (seed 002).'] : [],
  };
  deps.log.info('plan', { fromVersion: plan.fromVersion, toVersion: plan.toVersion, schemaStep: plan.schemaStep, groups: groups.length });
  return plan;
}
