import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { RELEASE_LOCK } from './procedure-payloads';
import { statePath } from './state-document';

/** The start of a preflight: the plan checked, then the lock; and where failures after the lock go. */
export interface PlannedLockPreflight {
  /** validate -> keep the plan -> take the lock; failures end at `Refused before any change`. */
  readonly chain: sfn.Chain;
  /** Steps after the lock and before the first change: their failures release the lock. */
  readonly locked: StageContext;
}

/**
 * The preflight every procedure with its own validate-input handler starts with: the handler returns the
 * plan (`$.plan`), then the lock is taken with the plan's TTL. Nothing is changed before the lock.
 */
export function plannedLockPreflight(scope: Construct, handlers: UpgradeHandlers, validateInput: UpgradeHandler): PlannedLockPreflight {
  const refused = new StageContext(new sfn.Fail(scope, 'Refused before any change', { errorPath: '$.error.Error', causePath: '$.error.Cause' }), handlers);
  const failAfterLock = new sfn.Fail(scope, 'Preflight failed after the lock', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const release = new StageContext(failAfterLock, handlers).step(scope, 'Preflight failed after the lock: release the lock',
    UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: sfn.JsonPath.DISCARD });
  release.next(failAfterLock);

  const validate = refused.step(scope, 'Preflight: validate the input and the version path', validateInput, {
    'cluster.$': statePath('cluster'), 'request.$': statePath('request'), 'defaults.$': statePath('defaults'),
  }, { resultPath: statePath('planResult') });
  const keepPlan = new sfn.Pass(scope, 'Preflight: keep the plan', { inputPath: statePath('planResult.Payload'), resultPath: statePath('plan') });
  const lock = refused.step(scope, 'Preflight: take the upgrade lock', UpgradeHandler.UPGRADE_LOCK, {
    'cluster.$': statePath('cluster'), action: 'acquire', 'parameterName.$': statePath('settings.lockParameterName'),
    'executionArn.$': '$$.Execution.Id', 'ttlSeconds.$': statePath('plan.lockTtlSeconds'),
  }, { resultPath: '$.results.preflight.lock' });
  return { chain: sfn.Chain.start(validate).next(keepPlan).next(lock), locked: new StageContext(release, handlers) };
}
