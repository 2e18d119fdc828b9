import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../private/state-document';
import { PollingPlan } from '../toolkit/retry-policy';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';

/** What a group's traffic step does: out of the target group, wait out the deregistration delay, or back in and healthy. */
export type GroupTrafficAction = 'isolate' | 'drained' | 'integrate';

/**
 * One traffic step of the group at `$.group` (a Map item): the same in a group's upgrade turn and in its
 * return to the old image, so neither ever changes the image of a node that still takes traffic. Failures
 * leave the Map (noCatch): the Map's catch decides where they go.
 */
export function groupTrafficStep(scope: Construct, ctx: StageContext, name: string, action: GroupTrafficAction, poll: PollingPlan, pollAlsoOn: string[] = []): sfn.TaskStateBase {
  return ctx.step(scope, name, UpgradeHandler.ENGINE_GROUP_TRAFFIC, {
    'cluster.$': statePath('cluster'), 'groupId.$': '$.group.groupId', 'nodes.$': '$.group.nodes', action,
  }, { resultPath: `$.results.group.${action}`, poll, pollAlsoOn, noCatch: true });
}

/** The Map item every group turn starts from: its group, and the execution's cluster, plan and settings. */
export function groupItemSelector(): { [key: string]: unknown } {
  return { 'group.$': '$$.Map.Item.Value', 'cluster.$': statePath('cluster'), 'plan.$': statePath('plan'), 'settings.$': statePath('settings'), results: {} };
}
