import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { resultPayload } from './procedure-payloads';
import { statePath } from './state-document';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';

/** Where a rollback's failed publish puts its error: the original one must stay for the end state to report. */
const ROLLBACK_PUBLISH_ERROR_PATH = '$.results.rollbackPublish.error';

/** The ends of a rollback that completed: published, or not (the lock released either way). */
export const ROLLED_BACK_END = 'Rolled back';
export const ROLLED_BACK_NOT_PUBLISHED_END = 'Rolled back (result not published)';

export interface RolledBackEndOptions {
  /** Where the error that started the rollback is, e.g. `$.error`. */
  readonly originalErrorPath: string;
  /** The published result carries the write freeze (procedures that freeze writes). */
  readonly writeFreeze?: boolean;
}

/**
 * Every rollback's last steps, after the lock is released: the failure published as `ROLLED_BACK`, then
 * "Rolled back" with the original error. The lock is free by then, so a failed publish does not end at
 * "lock kept for an operator": it ends "Rolled back (result not published)", with the original error too
 * (the twin of the forward path's "Upgraded (result not published)").
 */
export function publishThenRolledBack(scope: Construct, ctx: StageContext, options: RolledBackEndOptions): sfn.Chain {
  const end = (id: string) => new sfn.Fail(scope, id, {
    errorPath: `${options.originalErrorPath}.Error`, causePath: `${options.originalErrorPath}.Cause`,
  });
  const publish = ctx.step(scope, 'Rollback: publish the failure', UpgradeHandler.PUBLISH_RESULT, resultPayload('ROLLED_BACK', options.writeFreeze),
    { resultPath: statePath('result'), noCatch: true });
  publish.addCatch(end(ROLLED_BACK_NOT_PUBLISHED_END), { errors: ['States.ALL'], resultPath: ROLLBACK_PUBLISH_ERROR_PATH });
  return sfn.Chain.start(publish).next(end(ROLLED_BACK_END));
}
