import { Duration } from 'aws-cdk-lib';

/**
 * Errors that say "try the same call again": Lambda service faults and AWS throttling. Our handlers
 * rethrow SDK errors unchanged, so the SDK's error names reach Step Functions as they are.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'TransientAwsError',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
];

/** How a task that polls (throws StillInProgressError until done) is retried. */
export interface PollingOptions {
  /**
   * First pause after a "still in progress" answer.
   * @default Duration.seconds(3)
   */
  readonly interval?: Duration;
  /**
   * Growth of the pause per attempt.
   * @default 1.5
   */
  readonly backoffRate?: number;
  /**
   * Longest pause, so a completion is noticed soon after it happens.
   * @default Duration.seconds(20)
   */
  readonly maxDelay?: Duration;
  /**
   * How long to keep polling before the stage fails into rollback.
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /**
   * How often a handler that can look repeatedly within one invocation looks (the Retry then only
   * starts the next invocation).
   * @default - one look per invocation
   */
  readonly lookEvery?: Duration;
}

/** A resolved polling plan: the Retry fields Step Functions takes. */
export interface PollingPlan {
  readonly interval: Duration;
  readonly backoffRate: number;
  readonly maxDelay: Duration;
  readonly maxAttempts: number;
  /**
   * How often a handler that can look within one invocation looks.
   * @default - one look per invocation
   */
  readonly lookEvery?: Duration;
  /**
   * The whole polling budget the plan was made for.
   * @default - not recorded
   */
  readonly timeout?: Duration;
}

/**
 * Turns a polling budget into Retry fields: the attempts whose pauses (growing from `interval` by
 * `backoffRate`, capped at `maxDelay`) add up to `timeout`.
 */
export function pollingPlan(options: PollingOptions = {}): PollingPlan {
  const interval = options.interval ?? Duration.seconds(3);
  const backoffRate = options.backoffRate ?? 1.5;
  const maxDelay = options.maxDelay ?? Duration.seconds(20);
  const timeout = options.timeout ?? Duration.hours(1);
  const budget = timeout.toSeconds();
  let waited = 0;
  let pause = interval.toSeconds();
  let attempts = 0;
  while (waited < budget && attempts < 10_000) {
    waited += Math.min(pause, maxDelay.toSeconds());
    pause *= backoffRate;
    attempts++;
  }
  return { interval, backoffRate, maxDelay, maxAttempts: Math.max(1, attempts), timeout, ...(options.lookEvery && { lookEvery: options.lookEvery }) };
}
