import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { THAW_ERROR_PATH, WRITE_FREEZE_PATH, everyUserDatabase } from './procedure-payloads';

/**
 * Every user database READ WRITE again (the caller chains `next` after it); a thaw that fails is kept at
 * `$.writeFreeze.thawError` (the original error stays at `$.error`) and goes on to `next` all the same.
 */
export function thawThen(scope: Construct, handlers: UpgradeHandlers, next: sfn.IChainable, title: string): tasks.LambdaInvoke {
  const thaw = new StageContext(next, handlers).step(scope, title, UpgradeHandler.WRITE_FREEZE, everyUserDatabase('thaw'),
    { resultPath: `${WRITE_FREEZE_PATH}.thaw`, noCatch: true });
  thaw.addCatch(next, { errors: ['States.ALL'], resultPath: THAW_ERROR_PATH });
  return thaw;
}
