import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { retryTransientErrors } from './transient-retry';

/** The guard's task state: the first state of every procedure. */
export const INPUT_SIZE_GUARD_STATE = 'Check the size of the execution input';

/**
 * `procedure`, preceded by a check of the execution input's size. The first state of a procedure copies
 * the input into its state document; an input just under Step Functions' 256 KiB would make that copy
 * fail with States.DataLimitExceeded, which no Catch takes. The guard runs on the input as it came, keeps
 * nothing (its result is discarded), and on refusal replaces the whole state with the error (a Catch
 * that appended it to the input could itself go over the limit) before failing with that error.
 */
export function withInputSizeGuard(scope: Construct, handlers: UpgradeHandlers, procedure: sfn.IChainable): sfn.IChainable {
  const guard = new tasks.LambdaInvoke(scope, INPUT_SIZE_GUARD_STATE, {
    lambdaFunction: handlers.functionFor(UpgradeHandler.CHECK_INPUT_SIZE),
    payload: sfn.TaskInput.fromJsonPathAt('$'),
    resultPath: sfn.JsonPath.DISCARD,
    retryOnServiceExceptions: false,
  });
  retryTransientErrors(guard);
  const refused = new sfn.Fail(scope, 'Refused: the execution input is too large', { errorPath: '$.Error', causePath: '$.Cause' });
  // No ResultPath: the error output replaces the state (AWS's default for a Catch).
  guard.addCatch(refused, { errors: ['States.ALL'] });
  return guard.next(procedure);
}
