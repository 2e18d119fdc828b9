import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { UPGRADE_METRICS } from '../private/upgrade-telemetry';

/**
 * Minutes without a state transition after which a running execution counts as stuck: polls pause at
 * most a minute and a handler runs at most 15, so 30 minutes of silence is never normal progress. An
 * execution waiting for an approval is not measured (the approval has its own timeout).
 */
const STUCK_AFTER_MINUTES = 30;

/** Props of {@link UpgradeDashboard}. */
export interface UpgradeDashboardProps {
  readonly stateMachine: sfn.StateMachine;
  /** The procedure's functions, by handler name. */
  readonly functions: { [handler: string]: lambda.IFunction };
}

/**
 * The operators' view of one procedure: executions by outcome, execution time, and every handler's
 * errors and throttles, each stage's duration and how long running executions went without progress;
 * an alarm when an execution fails, times out or is stopped, and one when a running execution is stuck.
 */
export class UpgradeDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  /** In alarm when an execution failed (a rollback counts), timed out or was stopped in the last 5 minutes. */
  public readonly executionsFailedAlarm: cloudwatch.Alarm;
  /** In alarm when a running execution (not waiting for an approval) went 30 minutes without a state transition. */
  public readonly executionStuckAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: UpgradeDashboardProps) {
    super(scope, id);
    const sm = props.stateMachine;
    const period = Duration.minutes(5);
    const outcomes = [
      sm.metricStarted({ period }), sm.metricSucceeded({ period }), sm.metricFailed({ period }),
      sm.metricTimedOut({ period }), sm.metricAborted({ period }),
    ];
    const ended = new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: { failed: sm.metricFailed({ period }), timedOut: sm.metricTimedOut({ period }), aborted: sm.metricAborted({ period }) },
      label: 'failed, timed out or stopped', period,
    });
    this.executionsFailedAlarm = new cloudwatch.Alarm(this, 'ExecutionsFailed', {
      alarmDescription: 'A Neo4j upgrade execution failed (rolled back or not), timed out or was stopped: see the result topic and the execution history',
      metric: ended, threshold: 1, evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const machine = { [UPGRADE_METRICS.stateMachineDimension]: sm.stateMachineName };
    const withoutProgress = new cloudwatch.Metric({
      namespace: UPGRADE_METRICS.namespace, metricName: UPGRADE_METRICS.minutesWithoutProgress, dimensionsMap: machine,
      statistic: 'Maximum', period, label: 'minutes without progress (longest, running executions)',
    });
    this.executionStuckAlarm = new cloudwatch.Alarm(this, 'ExecutionStuck', {
      alarmDescription: `A running Neo4j upgrade execution went ${STUCK_AFTER_MINUTES} minutes without a state transition (approval waits excluded): see its history; missing data means the progress probe did not run`,
      metric: withoutProgress, threshold: STUCK_AFTER_MINUTES, evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    // One line per stage the executions ran (the handler writes StageDuration with the stage's key).
    const stageDurations = new cloudwatch.MathExpression({
      expression: `SEARCH('{${UPGRADE_METRICS.namespace},${UPGRADE_METRICS.stateMachineDimension},${UPGRADE_METRICS.stageDimension}} MetricName="${UPGRADE_METRICS.stageDuration}" ${UPGRADE_METRICS.stateMachineDimension}="${sm.stateMachineName}"', 'Maximum', ${period.toSeconds()})`,
      usingMetrics: {}, label: 'stage duration (s)', period,
    });
    const functions = Object.entries(props.functions).sort(([a], [b]) => a.localeCompare(b));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Executions by outcome', left: outcomes, width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Execution time (ms)', left: [sm.metricTime({ period, statistic: 'Maximum' })], width: 12 }),
        ],
        [
          // The alarm's own expression with its threshold (an AlarmWidget would tie the dashboard to the alarm's ARN).
          new cloudwatch.GraphWidget({
            title: 'Failed, timed out or stopped executions', left: [ended], width: 12,
            leftAnnotations: [{ value: 1, label: 'alarm', color: cloudwatch.Color.RED }],
          }),
          new cloudwatch.GraphWidget({
            title: 'Handler errors', width: 12, stacked: true,
            left: functions.map(([name, fn]) => fn.metricErrors({ period, label: name })),
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Stage duration (s, by stage)', left: [stageDurations], width: 12 }),
          new cloudwatch.GraphWidget({
            title: 'Minutes without progress (running executions)', left: [withoutProgress], width: 12,
            leftAnnotations: [{ value: STUCK_AFTER_MINUTES, label: 'stuck alarm', color: cloudwatch.Color.RED }],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Handler throttles', width: 12, stacked: true,
            left: functions.map(([name, fn]) => fn.metricThrottles({ period, label: name })),
          }),
          new cloudwatch.GraphWidget({
            title: 'Handler duration (max, ms)', width: 12,
            left: functions.map(([name, fn]) => fn.metricDuration({ period, label: name, statistic: 'Maximum' })),
          }),
        ],
      ],
    });
  }
}
