import { CfnOutput, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { executionCleanupRule } from '../private/execution-cleanup-rule';
import { executionProgressProbe } from '../private/execution-progress-probe';
import { WILDCARD_REASONS } from '../private/handler-registry';
import { withInputSizeGuard } from '../private/input-size-guard';
import { grantDescribeLockHolder } from '../private/lock-holder-lookup';
import { OPERATOR_TAGS } from '../private/operator-parameters';
import { stageEventsSubscription } from '../private/stage-events-subscription';
import { acknowledgeWildcards } from '../private/wildcard-acknowledgements';
import { UpgradeDashboard } from './upgrade-dashboard';
import { UpgradeHandler } from './upgrade-handler';
import { UpgradeHandlers } from './upgrade-handlers';

/** Props of {@link UpgradeStateMachine}. */
export interface UpgradeStateMachineProps {
  /** The procedure, from its first state. */
  readonly definition: sfn.IChainable;
  /** Shown in the console. */
  readonly comment: string;
  /** The procedure's handlers: their lock, abort request, topic and target are what operators work with. */
  readonly handlers: UpgradeHandlers;
}

/**
 * A procedure as a Standard state machine in JSONPath (its first state refuses an execution input over
 * the cap before anything copies it into the state), traced, with every execution's events and data
 * logged to a retained log group, and what operators need around it: tags naming the lock and abort
 * parameters, a rule that frees the lock and scale-in protection of an execution stopped outside its own
 * rollback, "Upgrade Stage Started/Ended" events and stage-duration metrics from the execution log, a
 * probe of running executions' progress, a dashboard with alarms on failed and stuck executions, and
 * stack outputs (state machine, topic, dashboard).
 */
export class UpgradeStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** Executions, execution time and every handler's errors. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** In alarm when an execution failed, timed out or was stopped. */
  public readonly executionsFailedAlarm: cloudwatch.Alarm;
  /** In alarm when a running execution (not waiting for an approval) went 30 minutes without a state transition. */
  public readonly executionStuckAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: UpgradeStateMachineProps) {
    super(scope, id);
    const handlers = props.handlers;
    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention: logs.RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(withInputSizeGuard(this, handlers, props.definition)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: props.comment,
    });
    Tags.of(this.stateMachine).add(OPERATOR_TAGS.lockParameter, handlers.lockParameterName);
    Tags.of(this.stateMachine).add(OPERATOR_TAGS.abortParameter, handlers.abortParameterName);
    grantDescribeLockHolder(this, this.stateMachine, handlers.deployed[UpgradeHandler.UPGRADE_LOCK.name]);
    executionCleanupRule(this, this.stateMachine, handlers);
    stageEventsSubscription(this, logGroup, handlers);
    executionProgressProbe(this, this.stateMachine, handlers);

    const view = new UpgradeDashboard(this, 'Operations', { stateMachine: this.stateMachine, functions: handlers.deployed });
    this.dashboard = view.dashboard;
    this.executionsFailedAlarm = view.executionsFailedAlarm;
    this.executionStuckAlarm = view.executionStuckAlarm;
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'neo4j-ecs-upgrades: the upgrade state machine' });
    new CfnOutput(this, 'ResultTopicArn', { value: handlers.notificationTopic.topicArn, description: 'neo4j-ecs-upgrades: approval requests and results' });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName, description: 'neo4j-ecs-upgrades: the upgrade dashboard' });
    acknowledgeWildcards(this, WILDCARD_REASONS);
  }
}
