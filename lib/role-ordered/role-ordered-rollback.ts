import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RELEASE_LOCK } from '../private/procedure-payloads';
import { publishThenRolledBack } from '../private/rolled-back-end';
import { statePath } from '../private/state-document';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { restoreHooks } from './auxiliary-steps';
import { IRoleOrderedTarget } from './role-ordered-target';

/** Props of {@link RoleOrderedRollback}. */
export interface RoleOrderedRollbackProps {
  readonly handlers: UpgradeHandlers;
  readonly polling: ProcedurePolling;
  readonly target: IRoleOrderedTarget;
}

/**
 * Where every failure after the lock goes: maintenance off first (so it is off whatever fails next), every
 * server the execution took down back on its old image (restored from its snapshot if an upgrade run may
 * have rewritten its store; servers it never touched stay), the hooks' restores, the lock released, the
 * result published. A failure inside switches maintenance off once more, then keeps the lock for an operator.
 */
export class RoleOrderedRollback extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: RoleOrderedRollbackProps) {
    super(scope, id);
    const lockKept = new sfn.Fail(this, 'Rollback failed: lock kept for an operator', { error: 'RollbackFailed', causePath: 'States.JsonToString($)' });
    // The Catch-all of the rollback itself: maintenance must not stay on even when the rollback fails.
    const lastTry = new StageContext(lockKept, props.handlers).step(this, 'Rollback failed: supervision maintenance off', UpgradeHandler.ARANGO_MAINTENANCE,
      { 'cluster.$': statePath('cluster'), mode: 'off' }, { resultPath: '$.results.rollback.lastMaintenanceOff', poll: props.polling.gate, pollAlsoOn: ['MaintenanceUnavailableError'] });
    lastTry.next(lockKept);
    const ctx = new StageContext(lastTry, props.handlers);

    const maintenanceOff = ctx.step(this, 'Rollback: supervision maintenance off', UpgradeHandler.ARANGO_MAINTENANCE, {
      'cluster.$': statePath('cluster'), mode: 'off',
    }, { resultPath: '$.results.rollback.maintenance', poll: props.polling.gate, pollAlsoOn: ['MaintenanceUnavailableError'] });
    const servers = ctx.step(this, 'Rollback: servers taken down back on their old image', UpgradeHandler.ARANGO_ROLLBACK_SERVERS, {
      'cluster.$': statePath('cluster'), 'servers.$': '$.plan.servers', 'snapshots.$': statePath('snapshots.preUpgrade.Payload.snapshots'),
      'executionArn.$': '$$.Execution.Id', 'ledgerPrefix.$': statePath('settings.lockParameterName'),
    }, { resultPath: '$.volumes.restored', poll: props.polling.services });
    const release = ctx.step(this, 'Rollback: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.rollback.lock' });

    let chain = sfn.Chain.start(maintenanceOff).next(servers);
    for (const hook of restoreHooks(this, 'Rollback', props.target, lastTry)) chain = chain.next(hook);
    chain.next(release).next(publishThenRolledBack(this, ctx, { originalErrorPath: '$.error' }));
    this.startState = maintenanceOff;
  }
}
