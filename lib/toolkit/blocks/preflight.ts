import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RELEASE_LOCK, WRITE_FREEZE_PATH, everyUserDatabase } from '../../private/procedure-payloads';
import { thawThen } from '../../private/thaw-writes';
import { statePath } from '../../private/state-document';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';
import { UpgradeHandlers } from '../upgrade-handlers';
import { SnapshotVolumes } from './snapshot-volumes';
import { TransientFailureDecision } from './transient-failure-decision';
import { TransientFailureAction } from '../transient-failure-action';
import { UpgradeProcedure } from '../upgrade-procedure';

/** Props of {@link Preflight}. */
export interface PreflightProps {
  readonly handlers: UpgradeHandlers;
  readonly polling: ProcedurePolling;
  /**
   * The handler that validates the execution input and returns the plan (kept at `$.plan`).
   * @default UpgradeHandler.VALIDATE_INPUT (Neo4j's version path)
   */
  readonly validateInput?: UpgradeHandler;
  /**
   * Snapshot every data volume of the target before anything changes (the restore path's source).
   * @default true
   */
  readonly snapshotDataVolumes?: boolean;
  /**
   * After the lock, a transient failure that outlasted its retries (here or in a check that uses `locked`)
   * can wait for an operator to run the preflight again from the parameter record instead of failing.
   * @default TransientFailureAction.ROLL_BACK
   */
  readonly onTransientFailure?: TransientFailureAction;
  /**
   * The procedure this state machine runs: the input validation refuses a rolling upgrade where Neo4j
   * cannot roll, naming the offline procedure.
   * @default UpgradeProcedure.OFFLINE
   */
  readonly procedure?: UpgradeProcedure;
  /**
   * After the lock, before the snapshots: every user database READ ONLY (the write-freeze handler,
   * `databases: '*'`; Enterprise 4.4 and later), so the pre-upgrade snapshots hold every write the cluster
   * acknowledged. A failure after the lock then thaws first (READ WRITE; a thaw that fails is kept at
   * `$.writeFreeze.thawError` and the lock is still released). The procedure thaws on its other paths.
   * @default false
   */
  readonly freezeWrites?: boolean;
}

/**
 * Everything before the first change: validate the input and the version path, check the stack is
 * COMPLETE and not drifted, take the lock, record the pre-upgrade parameters, snapshot the data volumes.
 * A refusal before the lock fails at once; after the lock the lock is released first. `locked` is the
 * context for further checks that need the lock (e.g. a validation baseline).
 */
export class Preflight extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  /** Where failures before the lock go: nothing changed. */
  public readonly refused: StageContext;
  /** Where failures after the lock go: the lock is released, then the execution fails. */
  public readonly locked: StageContext;

  constructor(scope: Construct, id: string, props: PreflightProps) {
    super(scope, id);
    const failFast = new sfn.Fail(this, 'Refused before any change', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    this.refused = new StageContext(failFast, props.handlers);
    const failAfterLock = new sfn.Fail(this, 'Preflight failed after the lock', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    // If even the release fails, the execution still fails with the original error; the lock expires.
    const release = new StageContext(failAfterLock, props.handlers).step(this, 'Preflight failed after the lock: release the lock',
      UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: sfn.JsonPath.DISCARD });
    release.next(failAfterLock);
    // Thawing is idempotent: a failure before the freeze (or a freeze that failed half-way) thaws too.
    const afterLock = props.freezeWrites ? thawThen(this, props.handlers, release, 'Preflight failed after the lock: thaw writes').next(release) : release;
    const ask = props.onTransientFailure === TransientFailureAction.ASK_OPERATOR
      ? new TransientFailureDecision(this, 'Decision', { handlers: props.handlers, title: 'Preflight', rollBack: afterLock, request: 'retry-preflight' })
      : undefined;
    this.locked = new StageContext(ask ?? afterLock, props.handlers);

    const refuse = this.refused;
    const validate = refuse.step(this, 'Preflight: validate the input and the version path', props.validateInput ?? UpgradeHandler.VALIDATE_INPUT, {
      'cluster.$': statePath('cluster'), 'request.$': statePath('request'), 'defaults.$': statePath('defaults'),
      ...(props.procedure && { procedure: props.procedure.id }),
    }, { resultPath: statePath('planResult') });
    const keepPlan = new sfn.Pass(this, 'Preflight: keep the plan', { inputPath: statePath('planResult.Payload'), resultPath: statePath('plan') });
    const checkStack = refuse.step(this, 'Preflight: stack is COMPLETE and not drifted', UpgradeHandler.CHECK_STACK_READY, {
      'cluster.$': statePath('cluster'),
    }, { resultPath: '$.results.preflight.stack', poll: props.polling.stack });
    const lock = refuse.step(this, 'Preflight: take the upgrade lock', UpgradeHandler.UPGRADE_LOCK, {
      'cluster.$': statePath('cluster'), action: 'acquire', 'parameterName.$': statePath('settings.lockParameterName'),
      'executionArn.$': '$$.Execution.Id', 'ttlSeconds.$': statePath('plan.lockTtlSeconds'),
    }, { resultPath: '$.results.preflight.lock' });
    const record = this.locked.step(this, 'Preflight: record the pre-upgrade parameters', UpgradeHandler.STACK_PARAMETERS, {
      'cluster.$': statePath('cluster'), action: 'record', 'executionArn.$': '$$.Execution.Id',
    }, { resultPath: statePath('preUpgrade') });
    let chain = sfn.Chain.start(validate).next(keepPlan).next(checkStack).next(lock).next(record);
    if (props.freezeWrites) {
      chain = chain.next(this.locked.step(this, 'Preflight: freeze writes (every user database READ ONLY)', UpgradeHandler.WRITE_FREEZE,
        everyUserDatabase('freeze'), { resultPath: `${WRITE_FREEZE_PATH}.freeze` }));
    }
    if (props.snapshotDataVolumes ?? true) {
      chain = chain.next(new SnapshotVolumes(this, 'Snapshots', {
        context: this.locked, polling: props.polling, purpose: 'pre-upgrade', resultPath: statePath('snapshots.preUpgrade'),
        title: 'Preflight: snapshot every data volume', waitTitle: 'Preflight: wait for the pre-upgrade snapshots',
      }));
    }
    ask?.retryAt(record);
    this.startState = validate;
    this.endStates = chain.endStates;
  }
}
