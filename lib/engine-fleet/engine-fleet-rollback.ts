import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { groupItemSelector, groupTrafficStep } from './group-traffic-step';
import { RELEASE_LOCK } from '../private/procedure-payloads';
import { publishThenRolledBack } from '../private/rolled-back-end';
import { statePath } from '../private/state-document';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { PollingPlan } from '../toolkit/retry-policy';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';

/** Props of {@link EngineFleetRollback}. */
export interface EngineFleetRollbackProps {
  readonly handlers: UpgradeHandlers;
  readonly polling: ProcedurePolling;
  /** The budget of the wait for the deregistration delay (the same as the upgrade turns'). */
  readonly drain: PollingPlan;
}

/**
 * Where every failure after the lock goes: the groups this execution touched back on the old image, one
 * group at a time and each the way it was upgraded (out of the load balancer and drained, its services on
 * the old image, back in and healthy), so the fleet keeps serving on the others; the schema stays (old
 * engines work on the new schema, seed 002's guarantee). Then every node back in the target group and
 * healthy, the lock released, the result published with the groups returned. A failure inside keeps the
 * lock for an operator.
 */
export class EngineFleetRollback extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: EngineFleetRollbackProps) {
    super(scope, id);
    const lockKept = new sfn.Fail(this, 'Rollback failed: lock kept for an operator', { error: 'RollbackFailed', causePath: 'States.JsonToString($)' });
    const ctx = new StageContext(lockKept, props.handlers);
    const imagePayload = {
      'cluster.$': statePath('cluster'), 'fromImage.$': '$.plan.fromImage', 'toImage.$': '$.plan.toImage',
      'executionArn.$': '$$.Execution.Id', 'ledgerPrefix.$': statePath('settings.lockParameterName'),
    };
    const touched = ctx.step(this, 'Rollback: the groups this execution touched', UpgradeHandler.ENGINE_GROUP_IMAGE, {
      ...imagePayload, action: 'touched', 'groups.$': '$.plan.groups',
    }, { resultPath: '$.progress.rollback' });

    const isolate = groupTrafficStep(this, ctx, 'Rollback group: out of the load balancer', 'isolate', props.polling.services);
    const drained = groupTrafficStep(this, ctx, 'Rollback group: wait out the deregistration delay', 'drained', props.drain);
    const back = ctx.step(this, 'Rollback group: its services on the old image', UpgradeHandler.ENGINE_GROUP_IMAGE, {
      ...imagePayload, action: 'rollback', 'groups.$': 'States.Array($.group)',
    }, { resultPath: '$.results.group.rollback', poll: props.polling.services, noCatch: true });
    const integrate = groupTrafficStep(this, ctx, 'Rollback group: back in the load balancer and healthy', 'integrate', props.polling.gate, ['TargetsUnhealthyError']);
    isolate.next(drained).next(back).next(integrate);
    const groups = new sfn.Map(this, 'Rollback: touched groups back on the old image, one at a time', {
      itemsPath: '$.progress.rollback.Payload.toReturn', maxConcurrency: 1, itemSelector: groupItemSelector(), resultPath: sfn.JsonPath.DISCARD,
    });
    groups.itemProcessor(isolate);
    ctx.catchMap(groups);

    // Nodes of a group the failure caught before its record (taken out of the load balancer, image unchanged) go back too.
    const traffic = ctx.step(this, 'Rollback: every node back in the load balancer and healthy', UpgradeHandler.ENGINE_GROUP_TRAFFIC, {
      'cluster.$': statePath('cluster'), groupId: 'fleet', 'nodes.$': '$.cluster.nodes', action: 'integrate', pruneStale: true,
    }, { resultPath: '$.results.rollback.traffic', poll: props.polling.gate, pollAlsoOn: ['TargetsUnhealthyError'] });
    const release = ctx.step(this, 'Rollback: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.rollback.lock' });
    touched.next(groups).next(traffic).next(release).next(publishThenRolledBack(this, ctx, { originalErrorPath: '$.error' }));
    this.startState = touched;
  }
}
