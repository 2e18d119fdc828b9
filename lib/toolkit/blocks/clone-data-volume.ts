import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';

/** Props of {@link CloneDataVolume}. */
export interface CloneDataVolumeProps {
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Prefix of the state names of the clone path. */
  readonly title: string;
  /** JSONPath to the id of the volume to clone (e.g. the migrated master's). */
  readonly sourceVolumeIdPath: string;
  /** JSONPath to the Availability Zone of that volume (it already serves one node there). */
  readonly sourceAvailabilityZonePath: string;
  /** JSONPath to the number of nodes the main group will run. */
  readonly targetCapacityPath: string;
  /** JSONPath to the number of slave-only nodes that will need a volume. */
  readonly slaveCountPath: string;
  /** JSONPath to the other regions that receive a copy. */
  readonly regionsPath: string;
}

/**
 * Seeds new members from one volume instead of a full online copy (seed 000 step 6): snapshot it, plan
 * the volumes per region and AZ, copy the snapshot to the other regions, and create tagged, claimable
 * volumes from it. Skipped (new members catch up online) when `$.settings.cloneVolumes` is false.
 */
export class CloneDataVolume extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: CloneDataVolumeProps) {
    super(scope, id);
    const { context: ctx, polling, title } = props;
    const snapshotSource = ctx.step(this, `${title}: snapshot the source volume`, UpgradeHandler.SNAPSHOT_VOLUMES, {
      'cluster.$': statePath('cluster'), 'executionId.$': '$$.Execution.Name', purpose: 'clone-source',
      'volumeIds.$': `States.Array(${props.sourceVolumeIdPath})`,
    }, { resultPath: statePath('snapshots.cloneSource') });
    const waitSnapshot = ctx.step(this, `${title}: wait for the clone-source snapshot`, UpgradeHandler.SNAPSHOTS_COMPLETE, {
      'cluster.$': statePath('cluster'), 'snapshots.$': statePath('snapshots.cloneSource.Payload.snapshots'),
    }, { resultPath: sfn.JsonPath.DISCARD, poll: polling.snapshots });
    const plan = ctx.step(this, `${title}: plan the volumes per region and AZ`, UpgradeHandler.PLAN_CLONE_TARGETS, {
      'cluster.$': statePath('cluster'), 'targetCapacity.$': props.targetCapacityPath, 'slaveCount.$': props.slaveCountPath,
      'masterAvailabilityZone.$': props.sourceAvailabilityZonePath, 'extraRegions.$': props.regionsPath,
    }, { resultPath: statePath('clonePlan') });

    const perRegion = new sfn.Map(this, `${title}: for each region`, {
      itemsPath: statePath('clonePlan.Payload.regions'),
      itemSelector: {
        'cluster.$': statePath('cluster'),
        'region.$': '$$.Map.Item.Value',
        'sourceSnapshotId.$': '$.snapshots.cloneSource.Payload.snapshots[0].snapshotId',
      },
      maxConcurrency: 4,
      // One `{zones}` per region (see the per-AZ Map): the items' cluster and plan stay out of the state.
      resultPath: '$.volumes.cloned',
    });
    // Inside the Map, failures end the iteration; the Map's own Catch sends them to the stage's handler.
    const inRegion = ctx.failingTo(new sfn.Fail(this, `${title}: cloning into a region failed`, { errorPath: '$.Error', causePath: '$.Cause' }));
    const copy = inRegion.step(this, `${title}: copy the snapshot to the region`, UpgradeHandler.COPY_SNAPSHOT_TO_REGION, {
      'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', 'sourceSnapshotId.$': '$.sourceSnapshotId',
      'destinationRegion.$': '$.region.region',
    }, { resultPath: '$.copy', noCatch: true });
    const waitCopy = inRegion.step(this, `${title}: wait for the regional copy`, UpgradeHandler.SNAPSHOTS_COMPLETE, {
      'cluster.$': '$.cluster', 'snapshotIds.$': 'States.Array($.copy.Payload.snapshotId)', 'region.$': '$.region.region',
    }, { resultPath: sfn.JsonPath.DISCARD, poll: polling.snapshots, noCatch: true });
    const useCopy = new sfn.Pass(this, `${title}: use the regional copy`, { inputPath: '$.copy.Payload.snapshotId', resultPath: '$.snapshotId' });
    const useSource = new sfn.Pass(this, `${title}: use the source snapshot`, { inputPath: '$.sourceSnapshotId', resultPath: '$.snapshotId' });
    const perAz = new sfn.Map(this, `${title}: for each AZ`, {
      itemsPath: '$.region.targets',
      itemSelector: { 'cluster.$': '$.cluster', 'target.$': '$$.Map.Item.Value', 'snapshotId.$': '$.snapshotId' },
      maxConcurrency: 6,
      // The region's result is the volumes created per AZ, not each item with the cluster it carried.
      resultSelector: { 'zones.$': '$[*].created.Payload' },
    });
    perAz.itemProcessor(inRegion.step(this, `${title}: create tagged volumes from the snapshot`, UpgradeHandler.CREATE_CLONE_VOLUMES, {
      'cluster.$': '$.cluster', 'executionId.$': '$$.Execution.Name', 'region.$': '$.target.region',
      'availabilityZone.$': '$.target.availabilityZone', 'snapshotId.$': '$.snapshotId', 'count.$': '$.target.count',
    }, { resultPath: '$.created', noCatch: true }));
    const copyNeeded = new sfn.Choice(this, `${title}: copy needed?`)
      .when(sfn.Condition.booleanEquals('$.region.copyRequired', true), sfn.Chain.start(copy).next(waitCopy).next(useCopy))
      .otherwise(useSource)
      .afterwards();
    perRegion.itemProcessor(copyNeeded.next(perAz));
    ctx.catchMap(perRegion);

    const clone = sfn.Chain.start(snapshotSource).next(waitSnapshot).next(plan).next(perRegion);
    const skip = new sfn.Pass(this, `${title}: cloning disabled, new members catch up online`);
    const choice = new sfn.Choice(this, `${title}: clone volumes?`)
      .when(sfn.Condition.booleanEquals(statePath('settings.cloneVolumes'), true), clone)
      .otherwise(skip);
    this.startState = choice;
    this.endStates = choice.afterwards().endStates;
  }
}
