import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';

/** Props of {@link SnapshotVolumes}. */
export interface SnapshotVolumesProps {
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** What the snapshots are for (tagged on them), e.g. `pre-upgrade`, `clone-source`, `post-upgrade`. */
  readonly purpose: string;
  /** Where the snapshot list goes, e.g. `$.snapshots.preUpgrade`. */
  readonly resultPath: string;
  /** Name of the snapshot state; the wait is named after it. */
  readonly title: string;
  /** Name of the wait state. */
  readonly waitTitle: string;
  /**
   * JSONPath (or intrinsic) to the ids of the volumes to snapshot, e.g. `States.Array($.master.Payload.volumeId)`.
   * @default - every data volume of the target
   */
  readonly volumeIdsPath?: string;
}

/** Snapshots data volumes (tagged with the execution and the purpose), then waits until each is completed. */
export class SnapshotVolumes extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: SnapshotVolumesProps) {
    super(scope, id);
    const ctx = props.context;
    const snapshot = ctx.step(this, props.title, UpgradeHandler.SNAPSHOT_VOLUMES, {
      'cluster.$': statePath('cluster'), 'executionId.$': '$$.Execution.Name', purpose: props.purpose,
      ...(props.volumeIdsPath !== undefined && { 'volumeIds.$': props.volumeIdsPath }),
    }, { resultPath: props.resultPath });
    const wait = ctx.step(this, props.waitTitle, UpgradeHandler.SNAPSHOTS_COMPLETE, {
      'cluster.$': statePath('cluster'), 'snapshots.$': `${props.resultPath}.Payload.snapshots`,
    }, { resultPath: sfn.JsonPath.DISCARD, poll: props.polling.snapshots });
    snapshot.next(wait);
    this.startState = snapshot;
    this.endStates = [wait];
  }
}
