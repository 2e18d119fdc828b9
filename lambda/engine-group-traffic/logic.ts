import {
  DeregisterTargetsCommand, DescribeTargetGroupAttributesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  RegisterTargetsCommand, TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EngineFleetContext, EngineFleetNode } from '../shared/engine-fleet-context';
import { NodeTarget, nodeTargets } from '../shared/engine-targets';
import { InvalidInputError, PreconditionFailedError, StillInProgressError, TargetsUnhealthyError } from '../shared/errors';
import { requireArray, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';

export interface EngineGroupTrafficDeps {
  readonly elb: ElasticLoadBalancingV2Client;
  readonly ecs: ECSClient;
  readonly log: Logger;
}

export const TRAFFIC_ACTIONS = ['isolate', 'drained', 'integrate'] as const;
export type TrafficAction = (typeof TRAFFIC_ACTIONS)[number];

export interface EngineGroupTrafficInput {
  readonly cluster: EngineFleetContext;
  /** The group's id (or `fleet` on the rollback path) and its nodes. */
  readonly groupId: string;
  readonly nodes: readonly EngineFleetNode[];
  readonly action: TrafficAction;
  /**
   * `integrate` over the whole fleet (the rollback): also deregister the targets no running node task has
   * any more (tasks the rollback replaced while they served).
   */
  readonly pruneStale?: boolean;
}

export interface EngineGroupTrafficOutput {
  readonly groupId: string;
  readonly action: TrafficAction;
  readonly targets: string[];
  /** The target group's deregistration delay (isolate). */
  readonly deregistrationDelaySeconds?: number;
}

/**
 * Seed 002 steps 2.1 and 2.3 against the ALB target group: `isolate` deregisters the group's targets (only
 * while another node serves healthy), `drained` waits until none of them is draining any more (the
 * deregistration delay, in-flight requests finishing), `integrate` registers the group's current tasks and
 * waits until every one is healthy (with `pruneStale`, over the whole fleet, also deregisters the targets of
 * tasks that no longer run). Each is idempotent and polled (StillInProgressError / TargetsUnhealthyError).
 */
export async function logic(deps: EngineGroupTrafficDeps, input: EngineGroupTrafficInput): Promise<EngineGroupTrafficOutput> {
  if (!TRAFFIC_ACTIONS.includes(input?.action)) throw new InvalidInputError(`action must be one of ${TRAFFIC_ACTIONS.join(', ')}, got ${show(input?.action)}`);
  const cluster = input.cluster;
  const tg = requireString(cluster?.targetGroupArn, 'cluster.targetGroupArn');
  const groupId = requireString(input.groupId, 'groupId');
  const nodes = requireArray<EngineFleetNode>(input.nodes, 'nodes', 1);
  const targets = await nodeTargets(deps.ecs, cluster, nodes);
  const ids = targets.map((t) => t.id);
  const out = (extra: Partial<EngineGroupTrafficOutput> = {}): EngineGroupTrafficOutput => ({ groupId, action: input.action, targets: ids, ...extra });
  const health = await describeHealth(deps.elb, tg);

  if (input.action === 'isolate') {
    const mine = new Set(ids);
    const othersHealthy = health.filter((h) => !mine.has(h.Target?.Id ?? '') && h.TargetHealth?.State === 'healthy');
    const registered = health.filter((h) => mine.has(h.Target?.Id ?? '') && h.TargetHealth?.State !== 'draining');
    if (registered.length > 0 && othersHealthy.length === 0) {
      throw new PreconditionFailedError(`isolating ${groupId} would leave no healthy target in ${tg}: the other nodes must serve first`);
    }
    if (registered.length > 0) {
      await deps.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: registered.map((h) => ({ Id: h.Target!.Id!, Port: h.Target!.Port })) }));
      deps.log.info('targets deregistered', { groupId, targets: registered.map((h) => h.Target?.Id) });
    }
    return out({ deregistrationDelaySeconds: await deregistrationDelay(deps.elb, tg) });
  }

  if (input.action === 'drained') {
    const draining = health.filter((h) => ids.includes(h.Target?.Id ?? '') && h.TargetHealth?.State === 'draining');
    if (draining.length > 0) throw new StillInProgressError(`${groupId}: ${draining.length} target(s) still draining (${draining.map((h) => h.Target?.Id).join(', ')})`);
    return out();
  }

  if (input.pruneStale) {
    if (nodes.length !== (cluster.nodes ?? []).length) throw new InvalidInputError(`pruneStale needs every node of the fleet, got ${nodes.length} of ${(cluster.nodes ?? []).length}`);
    const stale = health.filter((h) => !ids.includes(h.Target?.Id ?? '') && h.TargetHealth?.State !== 'draining');
    if (stale.length > 0) {
      await deps.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: stale.map((h) => ({ Id: h.Target!.Id!, Port: h.Target!.Port })) }));
      deps.log.info('stale targets deregistered', { targets: stale.map((h) => h.Target?.Id) });
    }
  }
  const missing = nodes.filter((n) => !targets.some((t) => t.nodeId === n.nodeId));
  if (missing.length > 0) throw new StillInProgressError(`${groupId}: no running task yet for ${missing.map((n) => n.nodeId).join(', ')}`);
  const unregistered = targets.filter((t) => !health.some((h) => h.Target?.Id === t.id && h.TargetHealth?.State !== 'draining'));
  if (unregistered.length > 0) await register(deps, tg, unregistered);
  const states = (await describeHealth(deps.elb, tg, targets)).map((h) => `${h.Target?.Id}=${h.TargetHealth?.State}`);
  const unhealthy = states.filter((s) => !s.endsWith('=healthy'));
  if (unhealthy.length > 0) throw new TargetsUnhealthyError(`${groupId}: not every target is healthy yet (${unhealthy.join(', ')})`);
  return out();
}

async function register(deps: EngineGroupTrafficDeps, tg: string, targets: NodeTarget[]): Promise<void> {
  await deps.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: targets.map((t) => ({ Id: t.id, Port: t.port })) }));
  deps.log.info('targets registered', { targets: targets.map((t) => `${t.nodeId}:${t.id}`) });
}

async function describeHealth(elb: ElasticLoadBalancingV2Client, tg: string, targets?: NodeTarget[]): Promise<TargetHealthDescription[]> {
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg, ...(targets && { Targets: targets.map((t) => ({ Id: t.id, Port: t.port })) }) }));
  return out.TargetHealthDescriptions ?? [];
}

async function deregistrationDelay(elb: ElasticLoadBalancingV2Client, tg: string): Promise<number> {
  const attrs = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg }))).Attributes ?? [];
  return Number(attrs.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? 300);
}
