import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { InvalidInputError } from '../shared/errors';
import { requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { forwardTo, readListenerForward } from './listener-forward';
import { readSwitchRecord, switchRecordName, writeSwitchRecord } from './switch-record';
import { Weights, requireTargetGroups, requireWeights, sameWeights } from './weights';

export interface TrafficSwitchDeps {
  readonly elb: ElasticLoadBalancingV2Client;
  readonly ssm: SSMClient;
  readonly log: Logger;
}

export const SWITCH_ACTIONS = ['switch', 'rollback'] as const;
export type SwitchAction = (typeof SWITCH_ACTIONS)[number];

export interface TrafficSwitchInput {
  readonly action: SwitchAction;
  /** The client endpoint's listener. */
  readonly listenerArn: string;
  /** The endpoint's target group per colour, e.g. `{ blue: arn, green: arn }`. */
  readonly targetGroups: Record<string, string>;
  /** `switch`: percent of new connections per colour, summing to 100 (left-out colours get 0). */
  readonly weights?: Record<string, number>;
  /** The record of the weights before the switch lives under this path. */
  readonly lockParameterName: string;
  /** The execution switching: its rollback restores what the listener had before its first step. */
  readonly executionId: string;
}

export interface TrafficSwitchOutput {
  readonly action: SwitchAction;
  /** The listener's weights before this call. */
  readonly previous: Weights;
  /** The listener's weights after it. */
  readonly weights: Weights;
  /** Whether this call modified the listener (false on a repeat). */
  readonly changed: boolean;
}

/**
 * Moves the client endpoint's listener to the given weights (`switch`, a whole switch or one step of a
 * gradual one), or back to the weights it had before this execution's first step (`rollback`). The first
 * step records those weights under the lock parameter path before it modifies anything, so a failure
 * between the two leaves a record and no change. Both actions are idempotent: a listener already at the
 * wanted weights is not modified; a rollback without a switch of this execution changes nothing.
 */
export async function logic(deps: TrafficSwitchDeps, input: TrafficSwitchInput): Promise<TrafficSwitchOutput> {
  if (!SWITCH_ACTIONS.includes(input?.action)) throw new InvalidInputError(`action must be one of ${SWITCH_ACTIONS.join(', ')}, got ${show(input?.action)}`);
  const listenerArn = requireString(input.listenerArn, 'listenerArn');
  const groups = requireTargetGroups(input.targetGroups);
  const wanted = input.action === 'switch' ? requireWeights(input.weights, groups) : undefined;
  const lockParameterName = requireString(input.lockParameterName, 'lockParameterName');
  if (!lockParameterName.startsWith('/')) throw new InvalidInputError(`lockParameterName must be a path starting with /, got ${show(lockParameterName)}`);
  const executionId = requireString(input.executionId, 'executionId');

  const current = await readListenerForward(deps.elb, listenerArn, groups);
  const recordName = switchRecordName(lockParameterName);
  const record = await readSwitchRecord(deps.ssm, recordName, executionId, listenerArn);
  let target: Weights;
  if (wanted) {
    if (!record) {
      await writeSwitchRecord(deps.ssm, recordName, { executionId, listenerArn, before: current.weights });
      deps.log.info('weights before the switch recorded', { recordName, before: current.weights });
    }
    target = wanted;
  } else {
    if (!record) deps.log.info('no switch of this execution recorded: nothing to roll back', { recordName, executionId });
    target = record?.before ?? current.weights;
  }
  const changed = !sameWeights(current.weights, target);
  if (changed) {
    await forwardTo(deps.elb, listenerArn, groups, target);
    deps.log.info('listener forward moved', { listenerArn, action: input.action, from: current.weights, to: target });
  }
  return { action: input.action, previous: current.weights, weights: target, changed };
}
