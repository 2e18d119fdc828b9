import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { statePath } from './state-document';

/**
 * One cluster-membership action on the server at `serverPath`, its result at `$.membership.<actionInCamelCase>`,
 * polled within the gate's budget: a step not done yet (`StillInProgressError`) and a cluster not ready for
 * it (`HealthGateError`) are looked at again.
 */
export function membershipStep(
  scope: Construct, phase: StageContext, polling: ProcedurePolling, stateName: string, action: string, serverPath: string,
  extra: { [key: string]: unknown } = {},
): sfn.TaskStateBase {
  return phase.step(scope, stateName, UpgradeHandler.CLUSTER_MEMBERSHIP, {
    'cluster.$': statePath('cluster'), action, 'serverAddress.$': serverPath, ...extra,
  }, { resultPath: `$.membership.${action.replace(/-(.)/g, (_, c: string) => c.toUpperCase())}`, poll: polling.gate, pollAlsoOn: ['HealthGateError'] });
}
