import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { TRANSIENT_ERRORS } from '../toolkit/retry-policy';

/** The same call again after a Lambda service fault or AWS throttling: every Lambda step's first Retry. */
export function retryTransientErrors(task: sfn.TaskStateBase): void {
  task.addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6, jitterStrategy: sfn.JitterType.FULL });
}
