import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RELEASE_LOCK, THAW_ERROR_PATH } from '../../private/procedure-payloads';
import { publishThenRolledBack } from '../../private/rolled-back-end';
import { statePath } from '../../private/state-document';
import { thawThen } from '../../private/thaw-writes';
import { GateMembers } from '../gate-members';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';
import { UpgradeHandlers } from '../upgrade-handlers';
import { Neo4jHealthGate } from './neo4j-health-gate';

/** Props of {@link UpgradeRollback}. */
export interface UpgradeRollbackProps {
  readonly handlers: UpgradeHandlers;
  readonly polling: ProcedurePolling;
  /**
   * Past the point of no return, bring the pre-upgrade snapshots back as the claimable data volumes
   * (after scaling the groups to zero; the current volumes are renamed, never deleted).
   * @default true
   */
  readonly restoreSnapshots?: boolean;
  /**
   * Parameters (by role) that empty every group for the restore, e.g. `{ desiredCapacity: '0', minSize: '0' }`.
   * @default - the Neo4j cluster's main and slave-only groups: minSize, desiredCapacity, slaveMinSize, slaveDesiredCapacity at 0
   */
  readonly scaleToZero?: { [role: string]: string };
  /**
   * The procedure froze writes (`Preflight` `freezeWrites`): once the recorded parameters are back, wait
   * for the cluster gate with these members (the version before or after the upgrade accepted), then set
   * every user database READ WRITE. A gate or thaw that fails does not stop the rollback: its error is
   * kept at `$.writeFreeze.thawError`, the lock released and the outcome published with it.
   * @default - no thaw (the procedure froze nothing)
   */
  readonly thawWritesWhen?: GateMembers;
}

/**
 * The rollback every failure after the lock goes to: put every pre-upgrade parameter back; past the point
 * of no return first release scale-in protection, scale the groups to zero and turn the pre-upgrade
 * snapshots into the data volumes. Then release the lock, publish, and fail with the original error.
 * A failure inside the rollback keeps the lock for an operator.
 */
export class UpgradeRollback extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: UpgradeRollbackProps) {
    super(scope, id);
    const rollbackFailed = new sfn.Fail(this, 'Rollback failed: lock kept for an operator', {
      error: 'RollbackFailed', causePath: 'States.JsonToString($)',
    });
    const ctx = new StageContext(rollbackFailed, props.handlers);
    const stackStatus = (title: string, updatePath: string) => ctx.step(this, title, UpgradeHandler.STACK_STATUS,
      { 'cluster.$': statePath('cluster'), 'update.$': updatePath }, { resultPath: sfn.JsonPath.DISCARD, poll: props.polling.stack });

    const restoreParameters = ctx.step(this, 'Rollback: restore the pre-upgrade parameters', UpgradeHandler.UPDATE_STACK, {
      'cluster.$': statePath('cluster'), 'executionName.$': '$$.Execution.Name', stage: 'rollback', mode: 'rollback',
      'restore.$': statePath('preUpgrade.Payload.parameters'),
      // A stage update still running is cancelled first (StillInProgressError until it settles).
    }, { resultPath: '$.results.rollback.parameters', poll: props.polling.stack });
    const afterParameters = stackStatus('Rollback: wait for the restored parameters', '$.results.rollback.parameters.Payload');
    const release = ctx.step(this, 'Rollback: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.rollback.lock' });
    const frozen = props.thawWritesWhen !== undefined;
    release.next(publishThenRolledBack(this, ctx, { originalErrorPath: '$.error', writeFreeze: frozen }));
    sfn.Chain.start(restoreParameters).next(afterParameters).next(props.thawWritesWhen ? this.thawWhenUp(props, props.thawWritesWhen, release) : release);

    if (!(props.restoreSnapshots ?? true)) {
      this.startState = restoreParameters;
      return;
    }
    // A protected instance would survive the scale to zero and hold its volume.
    const unprotect = ctx.step(this, 'Restore: release the master scale-in protection', UpgradeHandler.KEEP_MASTER, {
      'cluster.$': statePath('cluster'), release: true,
    }, { resultPath: sfn.JsonPath.DISCARD });
    const scaleToZero = ctx.step(this, 'Restore: scale both groups to zero', UpgradeHandler.UPDATE_STACK, {
      'cluster.$': statePath('cluster'), 'executionName.$': '$$.Execution.Name', stage: 'restore-scale-to-zero',
      parameters: props.scaleToZero ?? { minSize: '0', desiredCapacity: '0', slaveMinSize: '0', slaveDesiredCapacity: '0' },
    }, { resultPath: '$.results.rollback.scaleToZero', poll: props.polling.stack });
    const afterScale = stackStatus('Restore: wait for the groups to empty', '$.results.rollback.scaleToZero.Payload');
    const restoreVolumes = ctx.step(this, 'Restore: pre-upgrade snapshots become the data volumes', UpgradeHandler.RESTORE_VOLUMES, {
      'cluster.$': statePath('cluster'), 'executionId.$': '$$.Execution.Name', 'snapshots.$': statePath('snapshots.preUpgrade.Payload.snapshots'),
    }, { resultPath: '$.volumes.restored', poll: props.polling.services });
    sfn.Chain.start(unprotect).next(scaleToZero).next(afterScale).next(restoreVolumes).next(restoreParameters);

    this.startState = new sfn.Choice(this, 'Rollback: past the point of no return?')
      .when(sfn.Condition.booleanEquals(statePath('progress.pastPointOfNoReturn'), true), unprotect)
      .otherwise(restoreParameters);
  }

  /** The servers back and gated, then every user database READ WRITE; a failure of either goes on to `next`. */
  private thawWhenUp(props: UpgradeRollbackProps, members: GateMembers, next: sfn.IChainable): sfn.IChainable {
    const gate = new Neo4jHealthGate(this, 'Gate before the thaw', {
      context: new StageContext(next, props.handlers), polling: props.polling, key: 'rollback', title: 'Rollback',
      expectedMembers: members, acceptPreviousVersion: true, stateName: 'every server back (gate before the thaw)',
      resultPath: sfn.JsonPath.DISCARD, noCatch: true,
    });
    (gate.startState as sfn.TaskStateBase).addCatch(next, { errors: ['States.ALL'], resultPath: THAW_ERROR_PATH });
    return sfn.Chain.start(gate).next(thawThen(this, props.handlers, next, 'Rollback: thaw writes (every user database READ WRITE)')).next(next);
  }
}
