import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { TRANSIENT_ERRORS } from '../toolkit/retry-policy';

/** Retries of a transient error before it reaches the task's Catch (2 s doubling: about a minute). */
export const TRANSIENT_RETRY_ATTEMPTS = 6;

/** The same call again after a Lambda service fault or AWS throttling: every Lambda step's first Retry. */
export function retryTransientErrors(task: sfn.TaskStateBase): void {
  task.addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: TRANSIENT_RETRY_ATTEMPTS, jitterStrategy: sfn.JitterType.FULL });
}
