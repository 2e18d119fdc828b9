import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';

/** How often the probe looks; the stuck alarm evaluates the same period. */
export const PROGRESS_PROBE_PERIOD = Duration.minutes(5);

/**
 * Every 5 minutes, execution-progress measures how long each running execution of the state machine went
 * without a state transition (the MinutesWithoutProgress metric of the stuck-execution alarm). Step
 * Functions publishes no metric while an execution runs, so something has to look. Its statements are a
 * policy of their own (naming the state machine on the function's default policy would be a cycle).
 */
export function executionProgressProbe(scope: Construct, stateMachine: sfn.StateMachine, handlers: UpgradeHandlers): events.Rule {
  const fn = handlers.functionFor(UpgradeHandler.EXECUTION_PROGRESS);
  const stack = Stack.of(scope);
  new iam.Policy(scope, 'ExecutionProgressReads', {
    roles: fn.role ? [fn.role] : [],
    statements: [
      new iam.PolicyStatement({ sid: 'ListTheRunningExecutions', actions: ['states:ListExecutions'], resources: [stateMachine.stateMachineArn] }),
      new iam.PolicyStatement({
        sid: 'ReadTheExecutionHistories', actions: ['states:GetExecutionHistory'],
        resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    ],
  });
  const rule = new events.Rule(scope, 'ExecutionProgressSchedule', {
    description: 'Neo4j upgrade: measures how long running executions went without progress (stuck-execution alarm)',
    schedule: events.Schedule.rate(PROGRESS_PROBE_PERIOD),
  });
  rule.addTarget(new targets.LambdaFunction(fn, {
    retryAttempts: 2,
    event: events.RuleTargetInput.fromObject({ stateMachineArn: stateMachine.stateMachineArn }),
  }));
  return rule;
}
