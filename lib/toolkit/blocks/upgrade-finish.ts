import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RELEASE_LOCK, THAW_ERROR_PATH, THAW_FAILED_END, resultPayload } from '../../private/procedure-payloads';
import { statePath } from '../../private/state-document';
import { thawThen } from '../../private/thaw-writes';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';
import { SnapshotVolumes } from './snapshot-volumes';

/** Props of {@link UpgradeFinish}. */
export interface UpgradeFinishProps {
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /**
   * JSONPath (or intrinsic) to the volumes of the full post-upgrade backup (seed 001: backups from before
   * a store upgrade are no base for later incrementals).
   * @default - no post-upgrade snapshot
   */
  readonly postUpgradeSnapshotOf?: string;
  /**
   * Release the scale-in protection the procedure set.
   * @default false
   */
  readonly releaseScaleInProtection?: boolean;
  /**
   * The procedure froze writes (`Preflight` `freezeWrites`): first every user database READ WRITE again.
   * A thaw that fails keeps the upgrade's outcome: the lock is released, the result published with the
   * thaw's error (`writeFreeze.thawError`), and the execution ends failed, naming it, for an operator.
   * @default false
   */
  readonly thawWrites?: boolean;
}

/** The end of a successful upgrade: post-upgrade backup, protections released, unlock, published result. */
export class UpgradeFinish extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: UpgradeFinishProps) {
    super(scope, id);
    const ctx = props.context;
    const steps: sfn.IChainable[] = [];
    const thawWrites = props.thawWrites ?? false;
    if (props.postUpgradeSnapshotOf !== undefined) {
      steps.push(new SnapshotVolumes(this, 'Snapshot', {
        context: ctx, polling: props.polling, purpose: 'post-upgrade', resultPath: statePath('snapshots.postUpgrade'),
        volumeIdsPath: props.postUpgradeSnapshotOf,
        title: 'After: full snapshot of the upgraded master volume', waitTitle: 'After: wait for the post-upgrade snapshot',
      }));
    }
    if (props.releaseScaleInProtection) {
      steps.push(ctx.step(this, 'After: release the master scale-in protection', UpgradeHandler.KEEP_MASTER, {
        'cluster.$': statePath('cluster'), release: true,
      }, { resultPath: sfn.JsonPath.DISCARD }));
    }
    const releaseLock = ctx.step(this, 'After: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.finish.lock' });
    // After the backup (a failure before it rolls back to the pre-upgrade snapshots: no write may be acknowledged until then).
    if (thawWrites) steps.push(thawThen(this, ctx.handlers, releaseLock, 'After: thaw writes (every user database READ WRITE)'));
    steps.push(releaseLock);
    steps.push(ctx.failingTo(new sfn.Succeed(this, 'Upgraded (result not published)')).step(
      this, 'After: publish the result', UpgradeHandler.PUBLISH_RESULT, resultPayload('SUCCEEDED', thawWrites), { resultPath: statePath('result') }));
    const upgraded = new sfn.Succeed(this, 'Upgraded', { outputPath: '$.result.Payload' });
    steps.push(thawWrites
      ? new sfn.Choice(this, 'After: did the thaw fail?')
        .when(sfn.Condition.isPresent(THAW_ERROR_PATH), new sfn.Fail(this, THAW_FAILED_END, {
          error: 'ThawFailed', causePath: `States.JsonToString(${THAW_ERROR_PATH})`,
        }))
        .otherwise(upgraded)
      : upgraded);
    let chain = sfn.Chain.start(steps[0]);
    for (const s of steps.slice(1)) chain = chain.next(s);
    this.startState = chain.startState;
  }
}
