import {
  Action, DescribeListenersCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { TargetGroups, Weights } from './weights';

/** A listener's protocol and its default forward action as percents by colour. */
export interface ListenerForward {
  readonly protocol: string;
  readonly weights: Weights;
}

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

export async function forwardTo(elb: ElasticLoadBalancingV2Client, listenerArn: string, groups: TargetGroups, weights: Weights): Promise<void> {
  await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [forwardAction(groups, weights)] }));
}

/**
 * One serving colour: a plain forward. Several: a weighted forward, the percents as weights (Application
 * Load Balancers take 0-999, Network Load Balancers too since November 2025's weighted target groups).
 */
function forwardAction(groups: TargetGroups, weights: Weights): Action {
  const serving = Object.keys(groups).filter((c) => weights[c] > 0);
  if (serving.length === 1) return { Type: 'forward', TargetGroupArn: groups[serving[0]] };
  return { Type: 'forward', ForwardConfig: { TargetGroups: serving.map((c) => ({ TargetGroupArn: groups[c], Weight: weights[c] })) } };
}
