import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';

/** The statuses of an execution that ended without its own cleanup (or with a rollback, which needs none). */
const ENDED_ABNORMALLY = ['ABORTED', 'TIMED_OUT', 'FAILED'];

/**
 * An EventBridge rule on the state machine's "Execution Status Change" events (ABORTED, TIMED_OUT, FAILED)
 * that runs the execution-cleanup handler: an execution stopped from the console or the API, or timed out,
 * skipped every Catch, so its lock and the master's scale-in protection are released there (the stack is
 * left as it is and the topic told). Needs a target with a main Auto Scaling group and tagged data volumes
 * (keep-master's release); without them no rule is made and undefined is returned.
 */
export function executionCleanupRule(scope: Construct, stateMachine: sfn.IStateMachine, handlers: UpgradeHandlers): events.Rule | undefined {
  const target = handlers.target;
  const main = target.nodeGroups.find((g) => g.role === 'main')?.autoScalingGroupName;
  const slave = target.nodeGroups.find((g) => g.role === 'slave')?.autoScalingGroupName;
  if (!main || !target.dataVolumes) return undefined;
  const rule = new events.Rule(scope, 'ExecutionEndedWithoutCleanup', {
    description: 'Neo4j upgrade: an execution stopped, timed out or failed; frees its lock and scale-in protection',
    eventPattern: {
      source: ['aws.states'],
      detailType: ['Step Functions Execution Status Change'],
      detail: { status: ENDED_ABNORMALLY, stateMachineArn: [stateMachine.stateMachineArn] },
    },
  });
  rule.addTarget(new targets.LambdaFunction(handlers.functionFor(UpgradeHandler.EXECUTION_CLEANUP), {
    retryAttempts: 8,
    event: events.RuleTargetInput.fromObject({
      detail: events.EventField.fromPath('$.detail'),
      cluster: {
        stackName: target.stackName,
        mainAutoScalingGroupName: main,
        slaveAutoScalingGroupName: slave ?? '',
        dataVolumeName: target.dataVolumes.name,
        environmentName: target.dataVolumes.environmentName,
      },
      lockParameterName: handlers.lockParameterName,
      abortParameterName: handlers.abortParameterName,
      topicArn: handlers.notificationTopic.topicArn,
    }),
  }));
  return rule;
}
