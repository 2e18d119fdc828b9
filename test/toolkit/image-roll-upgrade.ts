import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  GateMembers, INeo4jUpgradeTarget, Neo4jHealthGate, Neo4jTaskContext, ParameterUpdate, Preflight,
  ProcedurePolling, SnapshotVolumes, StageContext, UpgradeFinish, UpgradeHandlers, UpgradeRollback, UpgradeStage, UpgradeStart,
  UpgradeStateMachine,
} from '../../lib';

export interface ImageRollUpgradeProps {
  readonly cluster: INeo4jUpgradeTarget;
  readonly boltUri: string;
}

/**
 * A procedure of two stages, built only from the library's exported blocks: roll the image on every
 * node at once (a patch release that needs no single-master window), then back up every data volume.
 */
export class ImageRollUpgrade extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ImageRollUpgradeProps) {
    super(scope, id);
    const cluster = props.cluster;
    const lockParameterName = `/neo4j-upgrades/${cluster.environmentName}/image-roll-lock`;
    const notificationTopic = new sns.Topic(this, 'Notifications', {
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'), enforceSSL: true,
    });
    const handlers = new UpgradeHandlers(this, 'Handlers', { target: cluster, lockParameterName, notificationTopic });
    const polling = new ProcedurePolling();
    const context = new StageContext(new UpgradeRollback(this, 'Rollback', { handlers, polling }), handlers);

    const roll = 'Stage 1 Roll the image';
    const rollImage = new UpgradeStage(this, roll, {
      key: 'rollImage', title: roll, seedStep: '001/1',
      steps: {
        stepsIn: (s) => [
          new ParameterUpdate(s, 'Update', {
            context, polling, key: 'rollImage', title: roll,
            // The image and the settings family it starts with, in one update (5.26 -> 2025.x changes family).
            parameters: { 'dockerImage.$': '$.plan.dockerImage', 'versionFamily.$': '$.plan.toSettingsFamily' },
            marksPointOfNoReturn: true, // from here on a newer binary may open the store: failures restore the snapshots
          }),
          new Neo4jHealthGate(s, 'Gate', {
            context, polling, key: 'rollImage', title: roll,
            expectedMembers: GateMembers.sumOf('$.plan.currentCapacity', '$.plan.currentSlaveMembers'),
          }),
        ],
      },
    });
    const backup = 'Stage 2 Back up the upgraded volumes';
    const backUp = new UpgradeStage(this, backup, {
      key: 'backUp', title: backup, seedStep: '001/2',
      steps: {
        stepsIn: (s) => [new SnapshotVolumes(s, 'Snapshots', {
          context, polling, purpose: 'post-upgrade', resultPath: '$.snapshots.postUpgrade',
          title: `${backup}: snapshot every data volume`, waitTitle: `${backup}: wait for the snapshots`,
        })],
      },
    });

    const definition = sfn.Chain
      .start(new UpgradeStart(this, 'Read the request and the cluster settings', {
        target: Neo4jTaskContext.of(cluster, props.boltUri), lockParameterName, notificationTopic,
        defaults: { approvalMode: 'none' },
      }))
      .next(new Preflight(this, 'Preflight', { handlers, polling }))
      .next(rollImage)
      .next(backUp)
      .next(new UpgradeFinish(this, 'Finish', { context, polling }));
    this.stateMachine = new UpgradeStateMachine(this, 'Procedure', {
      definition, comment: `Image roll of ${cluster.environmentName}`, handlers,
    }).stateMachine;
  }
}
