import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EngineCheck } from '../engine-fleet/engine-check';
import { EngineFleetRollback } from '../engine-fleet/engine-fleet-rollback';
import { IEngineFleetTarget } from '../engine-fleet/engine-fleet-target';
import { EngineFleetTaskContext } from '../engine-fleet/engine-fleet-task-context';
import { EngineGroupTurns } from '../engine-fleet/engine-group-turns';
import { NodeGrouping } from '../engine-fleet/node-grouping';
import { Neo4jUpgradesValidationError } from '../errors';
import { plannedLockPreflight } from '../private/planned-lock-preflight';
import { statePath } from '../private/state-document';
import { UpgradeFinish } from '../toolkit/blocks/upgrade-finish';
import { UpgradeStart } from '../toolkit/blocks/upgrade-start';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { pollingPlan } from '../toolkit/retry-policy';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { UpgradeStage } from '../toolkit/upgrade-stage';
import { UpgradeStateMachine } from '../toolkit/upgrade-state-machine';
import { ApprovalMode } from './approval-mode';

/** Props of {@link SchemaFirstRollingUpgrade}. */
export interface SchemaFirstRollingUpgradeProps {
  /** The engine fleet: its nodes, target group, database and schema task. */
  readonly target: IEngineFleetTarget;
  /**
   * How the nodes are split into the groups upgraded one after the other.
   * @default NodeGrouping.ONE_BY_ONE
   */
  readonly grouping?: NodeGrouping;
  /**
   * An operator's approval after each group is back in service, before the next one. The execution input
   * may override it (`approvalMode`).
   * @default ApprovalMode.NONE
   */
  readonly approvalMode?: ApprovalMode;
  /**
   * How long one approval may wait.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
  /**
   * How long a group's targets may drain after deregistration; at least the target group's deregistration delay.
   * @default Duration.minutes(20)
   */
  readonly drainTimeout?: Duration;
  /**
   * The upgrade lock (SSM parameter); the schema and group records live under its path.
   * @default `/engine-upgrades/<fleetName>/lock`
   */
  readonly lockParameterName?: string;
  /**
   * Where the results go.
   * @default - a new topic encrypted with the AWS managed SNS key
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * The engine-level check after each group's health check: the engines answer and their job executors run.
   * @default - none: a group passes on its targets' health
   */
  readonly engineCheck?: EngineCheck;
  /**
   * The waits' budgets.
   * @default - ProcedurePolling's defaults
   */
  readonly polling?: ProcedurePolling;
}

/**
 * Seed 002 (Camunda 7's rolling upgrade) as a state machine: preflight (pinned image, one minor at most, no
 * downgrade; lock; database snapshot), the schema first (one recorded ECS task running the new engine's
 * upgrade scripts), then each node group in turn: out of the load balancer and drained, on the new image,
 * back in and healthy, its engines checked (optional), optionally approved. Every failure after the lock returns the groups it touched to
 * the old image; the schema stays (old engines work on it).
 */
export class SchemaFirstRollingUpgrade extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly notificationTopic: sns.ITopic;
  public readonly lockParameterName: string;

  constructor(scope: Construct, id: string, props: SchemaFirstRollingUpgradeProps) {
    super(scope, id);
    const target = props.target;
    const grouping = props.grouping ?? NodeGrouping.ONE_BY_ONE;
    this.validate(target, grouping, props);
    this.lockParameterName = props.lockParameterName ?? `/engine-upgrades/${target.targetName}/lock`;
    this.notificationTopic = props.notificationTopic ?? new sns.Topic(this, 'Notifications', {
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'), enforceSSL: true,
    });
    const handlers = new UpgradeHandlers(this, 'Handlers', { target, lockParameterName: this.lockParameterName, notificationTopic: this.notificationTopic });
    const polling = props.polling ?? new ProcedurePolling();
    const drain = pollingPlan({ timeout: props.drainTimeout ?? Duration.minutes(20), interval: Duration.seconds(5) });
    const context = new StageContext(new EngineFleetRollback(this, 'Rollback', { handlers, polling, drain }), handlers);

    const { chain: preflight, locked } = plannedLockPreflight(this, handlers, UpgradeHandler.ENGINE_VALIDATE_INPUT);
    const snapshot = locked.step(this, 'Preflight: snapshot the database', UpgradeHandler.ENGINE_DATABASE_SNAPSHOT, {
      'cluster.$': statePath('cluster'), 'executionArn.$': '$$.Execution.Id',
    }, { resultPath: statePath('snapshots.preUpgrade'), poll: polling.snapshots });

    // Before the schema step nothing is changed but the lock: its failure (and anything before it) needs no rollback of groups,
    // and the rollback finds no group record; after it, the schema stays.
    const schema = new UpgradeStage(this, 'Schema first', {
      key: 'schema', title: 'Schema first: the new engine\'s upgrade scripts, once', seedStep: '002/1',
      steps: {
        stepsIn: (s) => [context.step(s, 'Schema: run the upgrade task once', UpgradeHandler.ENGINE_SCHEMA_TASK, {
          'cluster.$': statePath('cluster'), 'plan.$': statePath('plan'), 'executionArn.$': '$$.Execution.Id',
          'ledgerPrefix.$': statePath('settings.lockParameterName'),
        }, { resultPath: '$.results.schema.task', poll: polling.services })],
      },
    });
    const groups = new UpgradeStage(this, 'Node groups', {
      key: 'groups', title: 'Each node group: isolate, upgrade, integrate', seedStep: '002/2',
      steps: {
        stepsIn: (s) => [new EngineGroupTurns(s, 'Turns', {
          context, polling, drain, engineCheck: props.engineCheck,
        })],
      },
    });

    const chain = sfn.Chain
      .start(new UpgradeStart(this, 'Read the request and the fleet', {
        target: EngineFleetTaskContext.of(target, grouping), lockParameterName: this.lockParameterName, notificationTopic: this.notificationTopic,
        defaults: {
          approvalMode: (props.approvalMode ?? ApprovalMode.NONE).value,
          approvalSeconds: (props.approvalTimeout ?? Duration.hours(24)).toSeconds(),
        },
      }))
      .next(preflight).next(snapshot)
      .next(schema)
      .next(groups)
      .next(new UpgradeFinish(this, 'Finish', { context, polling }));
    this.stateMachine = new UpgradeStateMachine(this, 'Procedure', {
      handlers, definition: chain, comment: `Schema-first rolling upgrade of ${target.targetName} (groups of ${grouping.describe()})`,
    }).stateMachine;
  }

  private validate(target: IEngineFleetTarget, grouping: NodeGrouping, props: SchemaFirstRollingUpgradeProps): void {
    // Throws, naming the grouping, when a group would leave no node in service.
    grouping.groupSize(target.nodes.length);
    if (props.approvalMode === ApprovalMode.AFTER_STORE_UPGRADE) {
      throw new Neo4jUpgradesValidationError('approvalMode', 'after-store-upgrade', 'a rolling upgrade upgrades no store: use NONE or BETWEEN_GROUPS');
    }
    const drain = props.drainTimeout?.toSeconds();
    if (drain !== undefined && (drain < 1 || drain > 3600 * 2)) {
      throw new Neo4jUpgradesValidationError('drainTimeout', `${drain} s`, 'must be between 1 second and 2 hours (the deregistration delay is at most 1 hour)');
    }
    const approval = props.approvalTimeout?.toSeconds();
    if (approval !== undefined && (approval < 60 || approval > 7 * 86400)) {
      throw new Neo4jUpgradesValidationError('approvalTimeout', `${approval} s`, 'must be between 1 minute and 7 days');
    }
  }
}
