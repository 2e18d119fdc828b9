import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PollingPlan, TRANSIENT_ERRORS } from '../retry-policy';

/** Options of one Lambda-backed step. */
export interface StepOptions {
  /** Where the handler's result goes in the state, e.g. `$.results.rollImage.update`; `JsonPath.DISCARD` drops it. */
  readonly resultPath: string;
  /** Retry `StillInProgressError` (and these other errors) with this plan: the step is a polling loop. */
  readonly poll?: PollingPlan;
  /** Extra error names that the poll plan retries (e.g. HealthGateError). */
  readonly pollAlsoOn?: string[];
  /** Do not route failures to the stage's failure handler (the caller catches). */
  readonly noCatch?: boolean;
}

/**
 * What every stage of an upgrade shares: where failures go, and how a Lambda step is built (payload,
 * transient-error retries, polling retries, the `{Payload}` envelope). Stages of other procedures
 * (causal cluster, Camunda, ArangoDB) are built from the same context.
 */
export class StageContext {
  constructor(
    /** Where any step's failure goes, with the error at `$.error`. */
    public readonly onFailure: sfn.IChainable,
  ) {}

  /** A step that invokes `fn` with `payload` (JSONPath values end their key with `.$`). */
  public step(scope: Construct, name: string, fn: lambda.IFunction, payload: Record<string, unknown>, options: StepOptions): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      resultSelector: { 'Payload.$': '$.Payload' },
      resultPath: options.resultPath,
      retryOnServiceExceptions: false,
    });
    task.addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6, jitterStrategy: sfn.JitterType.FULL });
    if (options.poll) {
      task.addRetry({
        errors: ['StillInProgressError', ...(options.pollAlsoOn ?? [])],
        interval: options.poll.interval,
        backoffRate: options.poll.backoffRate,
        maxDelay: options.poll.maxDelay,
        maxAttempts: options.poll.maxAttempts,
      });
    }
    if (!options.noCatch) {
      task.addCatch(this.onFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    }
    return task;
  }
}
