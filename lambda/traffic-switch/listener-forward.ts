import {
  Action, DescribeListenersCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand, ProtocolEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { TargetGroups, Weights } from './weights';

/** A listener's protocol and its default forward action as percents by colour. */
export interface ListenerForward {
  readonly protocol: string;
  readonly weights: Weights;
}

/** Protocols of Network Load Balancer listeners, whose forward action takes a single target group. */
const NETWORK_PROTOCOLS: string[] = [ProtocolEnum.TCP, ProtocolEnum.TLS, ProtocolEnum.UDP, ProtocolEnum.TCP_UDP];

export async function readListenerForward(elb: ElasticLoadBalancingV2Client, listenerArn: string, groups: TargetGroups): Promise<ListenerForward> {
  const listener = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners?.[0];
  if (!listener) throw new PreconditionFailedError(`listener ${listenerArn} not found`);
  const actions = listener.DefaultActions ?? [];
  if (actions.length !== 1 || actions[0].Type !== 'forward') {
    throw new PreconditionFailedError(`listener ${listenerArn} must have one forward default action, has ${actions.map((a) => a.Type).join(', ') || 'none'}`);
  }
  const tuples = actions[0].ForwardConfig?.TargetGroups?.length
    ? actions[0].ForwardConfig.TargetGroups.map((t) => ({ arn: t.TargetGroupArn ?? '', weight: t.Weight ?? 1 }))
    : [{ arn: actions[0].TargetGroupArn ?? '', weight: 1 }];
  const colourOf = new Map(Object.entries(groups).map(([colour, arn]) => [arn, colour]));
  const total = tuples.reduce((a, t) => a + t.weight, 0);
  const weights: Weights = Object.fromEntries(Object.keys(groups).map((c) => [c, 0]));
  for (const t of tuples) {
    const colour = colourOf.get(t.arn);
    if (colour === undefined) throw new InvalidInputError(`targetGroups does not name ${t.arn}, which listener ${listenerArn} forwards to`);
    weights[colour] = total === 0 ? 0 : Math.round((t.weight * 100) / total);
  }
  return { protocol: listener.Protocol ?? '', weights };
}

/**
 * A Network Load Balancer listener forwards to one target group only (ELBv2 refuses a weighted forward
 * there; moto does not), so its switch is all-or-nothing.
 */
export function checkWeightsFit(protocol: string, weights: Weights): void {
  const serving = Object.entries(weights).filter(([, w]) => w > 0);
  if (NETWORK_PROTOCOLS.includes(protocol) && serving.length > 1) {
    throw new InvalidInputError(`weights ${JSON.stringify(weights)} split a ${protocol} listener: a Network Load Balancer forwards to a single target group (100 to one colour)`);
  }
}

export async function forwardTo(elb: ElasticLoadBalancingV2Client, listenerArn: string, groups: TargetGroups, weights: Weights): Promise<void> {
  await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [forwardAction(groups, weights)] }));
}

function forwardAction(groups: TargetGroups, weights: Weights): Action {
  const serving = Object.keys(groups).filter((c) => weights[c] > 0);
  if (serving.length === 1) return { Type: 'forward', TargetGroupArn: groups[serving[0]] };
  return { Type: 'forward', ForwardConfig: { TargetGroups: serving.map((c) => ({ TargetGroupArn: groups[c], Weight: weights[c] })) } };
}
