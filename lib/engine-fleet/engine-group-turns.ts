import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../private/state-document';
import { OperatorApproval } from '../toolkit/blocks/operator-approval';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { pollingPlan, PollingPlan } from '../toolkit/retry-policy';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { EngineCheck } from './engine-check';
import { groupItemSelector, groupTrafficStep } from './group-traffic-step';

/** Props of {@link EngineGroupTurns}. */
export interface EngineGroupTurnsProps {
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** The budget of the wait for the deregistration delay (in-flight requests draining). */
  readonly drain: PollingPlan;
  /** The engine-level check after the group's health check; none when undefined. */
  readonly engineCheck?: EngineCheck;
}

/**
 * Seed 002 step 2, every group of the plan (`$.plan.groups`, in order) one at a time (a Map with
 * MaxConcurrency 1): out of the target group and drained, its services on the new image, back in and
 * healthy (the gate before the next group; with an engine check, the new tasks are first asked directly whether
 * the engine serves and its job executor runs, before they take traffic), then the operator's approval when the plan asks for one.
 * Any failure leaves the Map for the context's failure handler.
 */
export class EngineGroupTurns extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: EngineGroupTurnsProps) {
    super(scope, id);
    const ctx = props.context;
    const isolate = groupTrafficStep(this, ctx, 'Group: out of the load balancer', 'isolate', props.polling.services);
    const drained = groupTrafficStep(this, ctx, 'Group: wait out the deregistration delay', 'drained', props.drain);
    const upgrade = ctx.step(this, 'Group: its services on the new image', UpgradeHandler.ENGINE_GROUP_IMAGE, {
      'cluster.$': statePath('cluster'), action: 'upgrade', 'group.$': '$.group', 'fromImage.$': '$.plan.fromImage', 'toImage.$': '$.plan.toImage',
      'executionArn.$': '$$.Execution.Id', 'ledgerPrefix.$': statePath('settings.lockParameterName'),
    }, { resultPath: '$.results.group.upgrade', poll: props.polling.services, noCatch: true });
    const integrate = groupTrafficStep(this, ctx, 'Group: back in the load balancer and healthy', 'integrate', props.polling.gate, ['TargetsUnhealthyError']);
    const approval = new OperatorApproval(this, 'Approval', { context: ctx.failingTo(new sfn.Fail(this, 'Group: not approved', {
      errorPath: '$.error.Error', causePath: '$.error.Cause',
    })), key: 'group', title: 'Group' });
    const check = props.engineCheck && ctx.step(this, 'Group: engine check (answers, job executor runs)', UpgradeHandler.ENGINE_CHECK, {
      'cluster.$': statePath('cluster'), 'groupId.$': '$.group.groupId', 'nodes.$': '$.group.nodes', checkPath: props.engineCheck.path,
    }, {
      resultPath: '$.results.group.engineCheck', noCatch: true, pollAlsoOn: ['EngineCheckFailedError'],
      poll: pollingPlan({ timeout: props.engineCheck.timeout, interval: Duration.seconds(5), maxDelay: Duration.seconds(15) }),
    });
    // The check asks the new tasks directly, before they are registered again: a group failing it never serves.
    isolate.next(drained).next(upgrade);
    (check ? upgrade.next(check) : upgrade).next(integrate).next(approval);

    const map = new sfn.Map(this, 'Node groups one at a time', {
      itemsPath: '$.plan.groups',
      maxConcurrency: 1,
      itemSelector: groupItemSelector(),
      resultPath: sfn.JsonPath.DISCARD,
    });
    map.itemProcessor(isolate);
    ctx.catchMap(map);
    this.startState = map;
    this.endStates = [map];
  }
}
