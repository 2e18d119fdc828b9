import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RELEASE_LOCK, resultPayload } from '../private/procedure-payloads';
import { statePath } from '../private/state-document';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';

/** Props of {@link EngineFleetRollback}. */
export interface EngineFleetRollbackProps {
  readonly handlers: UpgradeHandlers;
  readonly polling: ProcedurePolling;
}

/**
 * Where every failure after the lock goes: the groups this execution touched back on the old image (the
 * schema stays: old engines work on the new schema, seed 002's guarantee), every node back in the target
 * group and healthy, the lock released, the result published with the groups returned. A failure inside
 * keeps the lock for an operator.
 */
export class EngineFleetRollback extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: EngineFleetRollbackProps) {
    super(scope, id);
    const lockKept = new sfn.Fail(this, 'Rollback failed: lock kept for an operator', { error: 'RollbackFailed', causePath: 'States.JsonToString($)' });
    const ctx = new StageContext(lockKept, props.handlers);
    const groups = ctx.step(this, 'Rollback: upgraded groups back on the old image', UpgradeHandler.ENGINE_GROUP_IMAGE, {
      'cluster.$': statePath('cluster'), action: 'rollback', 'groups.$': '$.plan.groups', 'fromImage.$': '$.plan.fromImage', 'toImage.$': '$.plan.toImage',
      'executionArn.$': '$$.Execution.Id', 'ledgerPrefix.$': statePath('settings.lockParameterName'),
    }, { resultPath: '$.progress.rollback', poll: props.polling.services });
    const traffic = ctx.step(this, 'Rollback: every node back in the load balancer and healthy', UpgradeHandler.ENGINE_GROUP_TRAFFIC, {
      'cluster.$': statePath('cluster'), groupId: 'fleet', 'nodes.$': '$.cluster.nodes', action: 'integrate', pruneStale: true,
    }, { resultPath: '$.results.rollback.traffic', poll: props.polling.gate, pollAlsoOn: ['TargetsUnhealthyError'] });
    const release = ctx.step(this, 'Rollback: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.rollback.lock' });
    const publish = ctx.step(this, 'Rollback: publish the failure', UpgradeHandler.PUBLISH_RESULT, resultPayload('ROLLED_BACK'), { resultPath: statePath('result') });
    const failed = new sfn.Fail(this, 'Rolled back', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    groups.next(traffic).next(release).next(publish).next(failed);
    this.startState = groups;
  }
}
