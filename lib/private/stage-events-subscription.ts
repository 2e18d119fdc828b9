import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import { Construct } from 'constructs';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';

/**
 * Feeds the execution log's Pass state exits to the stage-events handler, which turns each stage's begin
 * and done states into EventBridge events and its duration into a metric. Events come from the log, not
 * from states: the definition gains no state, no transition and no task that could fail an upgrade.
 */
export function stageEventsSubscription(scope: Construct, executionLog: logs.ILogGroup, handlers: UpgradeHandlers): logs.SubscriptionFilter {
  return new logs.SubscriptionFilter(scope, 'StageEvents', {
    logGroup: executionLog,
    destination: new destinations.LambdaDestination(handlers.functionFor(UpgradeHandler.STAGE_EVENTS)),
    filterPattern: logs.FilterPattern.stringValue('$.type', '=', 'PassStateExited'),
    filterName: 'neo4j-ecs-upgrades-stage-events',
  });
}
