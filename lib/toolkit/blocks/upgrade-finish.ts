import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RELEASE_LOCK, resultPayload } from '../../private/procedure-payloads';
import { statePath } from '../../private/state-document';
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
}

/** The end of a successful upgrade: post-upgrade backup, protections released, unlock, published result. */
export class UpgradeFinish extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: UpgradeFinishProps) {
    super(scope, id);
    const ctx = props.context;
    const steps: sfn.IChainable[] = [];
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
    steps.push(ctx.step(this, 'After: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.finish.lock' }));
    steps.push(ctx.failingTo(new sfn.Succeed(this, 'Upgraded (result not published)')).step(
      this, 'After: publish the result', UpgradeHandler.PUBLISH_RESULT, resultPayload('SUCCEEDED'), { resultPath: statePath('result') }));
    steps.push(new sfn.Succeed(this, 'Upgraded', { outputPath: '$.result.Payload' }));
    let chain = sfn.Chain.start(steps[0]);
    for (const s of steps.slice(1)) chain = chain.next(s);
    this.startState = chain.startState;
  }
}
