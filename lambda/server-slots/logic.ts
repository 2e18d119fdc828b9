import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { optionalString, requireCluster, requireInteger, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireStage } from '../shared/name-checks';
import { RollTargetInput, targetFamily, targetImage } from '../shared/roll-target';
import { requireAzRebalanceSuspended } from './az-rebalance';
import { NewMember, locateNewMember } from './locate-new-member';
import { PlannedReplacement, SlotUpdate, planReplacements } from './plan-replacements';
import { ReleasedSlot, releaseSlot } from './release-slot';
import { Slot, slotTable } from './slot-table';

export interface ServerSlotsDeps {
  readonly cfn: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly log: Logger;
}

export type ServerSlotsAction = 'plan' | 'locate-new-member' | 'release-slot';
const ACTIONS: readonly ServerSlotsAction[] = ['plan', 'locate-new-member', 'release-slot'];
/** What a released slot's volume is renamed to: retired after a replacement, or failed (an undone surge). */
const SUFFIXES = ['-old', '-failed'];
/** Neo4j's Bolt port (lib/cluster/neo4j-ports.ts; no CDK in a handler): the members advertise it. */
const BOLT_PORT = 7687;

/** plan's target (RollTargetInput): `image` (and `versionFamily`) forward, `previousParameters` to replace back. */
export interface ServerSlotsInput extends RollTargetInput {
  /** A cluster in the per-server layout with a spare slot (roles server<N>Image and server<N>DesiredCount). */
  readonly cluster: ClusterContext;
  readonly action: ServerSlotsAction;
  /** plan: the leader's host (a cluster gate's leaderHost): it is replaced last. */
  readonly leaderHost?: string;
  /** plan: names the updates (`<stage>-server<N>-surge` ...). */
  readonly stage?: string;
  /** locate-new-member, release-slot: the slot. */
  readonly serverNumber?: number;
  /** release-slot: `-old` (retired) or `-failed` (an undone surge). */
  readonly suffix?: string;
  /** release-slot: the execution renaming the volume (tagged on it). */
  readonly executionId?: string;
}

export interface ServerSlotsPlan {
  readonly image: string;
  /** The main group's DesiredCapacity outside a surge: the number of running slots. */
  readonly desiredCapacity: number;
  /** The replacements in order (a Map of concurrency 1 runs them). */
  readonly replacements: PlannedReplacement[];
  /** The closing update: DockerImage (and VersionFamily) set, every slot's image (and family) cleared (no task changes). */
  readonly closing: SlotUpdate;
}

export type ServerSlotsOutput = ServerSlotsPlan | NewMember | ReleasedSlot;

/**
 * Replaceable resources, the ECS side (docs/rolling-upgrade.md "Replaceable resources"): `plan` (reads only),
 * `locate-new-member` (reads only; StillInProgressError until the slot's instance is in service) and
 * `release-slot` (renames the slot's volume and terminates its instance, decrementing the group; idempotent).
 * Every input is checked before any AWS call.
 */
export async function logic(deps: ServerSlotsDeps, input: ServerSlotsInput): Promise<ServerSlotsOutput> {
  const cluster = requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  const action = input.action;
  if (!ACTIONS.includes(action)) throw new InvalidInputError(`action must be one of ${ACTIONS.join(', ')}, got ${show(action)}`);
  if (action === 'plan') {
    const leaderHost = optionalString(input.leaderHost, 'leaderHost');
    const stage = requireStage(input.stage, 'stage');
    if (stage.length > 40) throw new InvalidInputError(`stage must be at most 40 characters (it is suffixed with -server<N>-undo-capacity), got ${show(stage)}`);
    const params = stackParameters(await describeStack(deps.cfn, cluster.stackName));
    await requireAzRebalanceSuspended(deps.autoScaling, cluster.mainAutoScalingGroupName);
    const image = targetImage(input, cluster, params);
    const slots = await slotTable(deps.ec2, cluster, params);
    const family = targetFamily(input, cluster, params, slots.every((s) => s.familyRole !== undefined));
    const names = cluster.parameterNames;
    const desiredCapacity = Number(params[names.desiredCapacity]);
    const replacements = planReplacements({
      slots, image, family, leaderHost, stage, desiredCapacity, maxSize: Number(params[names.maxSize]), boltPort: BOLT_PORT,
    });
    const finalParameters = {
      dockerImage: image,
      ...(family !== undefined && names.versionFamily !== undefined && { versionFamily: family }),
      ...Object.fromEntries(slots.flatMap((s) => [[s.imageRole, ''], ...(s.familyRole && family !== undefined ? [[s.familyRole, '']] : [])])),
    };
    deps.log.info('replacements planned', { image, replacements: replacements.map((r) => [r.oldServerNumber, r.slotNumber]) });
    return { image, desiredCapacity, replacements, closing: { stage: `${stage}-final`, parameters: finalParameters } };
  }
  const serverNumber = requireInteger(input.serverNumber, 'serverNumber', 1);
  const suffix = action === 'release-slot' ? requireString(input.suffix, 'suffix') : '';
  if (action === 'release-slot' && !SUFFIXES.includes(suffix)) throw new InvalidInputError(`suffix must be one of ${SUFFIXES.join(', ')}, got ${show(suffix)}`);
  const executionId = action === 'release-slot' ? requireString(input.executionId, 'executionId') : '';
  const slots = await slotTable(deps.ec2, cluster, stackParameters(await describeStack(deps.cfn, cluster.stackName)));
  const slot: Slot | undefined = slots.find((s) => s.serverNumber === serverNumber);
  if (!slot) throw new InvalidInputError(`serverNumber ${serverNumber} is no slot of this cluster (slots ${slots.map((s) => s.serverNumber).join(', ')})`);
  if (action === 'locate-new-member') return locateNewMember(deps.autoScaling, slot, cluster.mainAutoScalingGroupName, BOLT_PORT);
  const released = await releaseSlot(deps, cluster, slot, suffix, executionId, slots);
  deps.log.info('slot released', { ...released });
  return released;
}
