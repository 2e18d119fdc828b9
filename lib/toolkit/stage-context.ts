import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { HandlerName, handlerSpec } from '../private/handler-registry';
import { retryTransientErrors } from '../private/transient-retry';
import { PollingPlan } from './retry-policy';
import { UpgradeHandler } from './upgrade-handler';
import { UpgradeHandlers } from './upgrade-handlers';

/** Options of one Lambda-backed step. */
export interface StepOptions {
  /** Where the handler's result goes in the state, e.g. `$.results.rollImage.update`; `JsonPath.DISCARD` drops it. */
  readonly resultPath: string;
  /**
   * Retry `StillInProgressError` (and `pollAlsoOn`) with this plan: the step is a polling loop.
   * @default - not a polling step
   */
  readonly poll?: PollingPlan;
  /**
   * Extra error names that the poll plan retries (e.g. HealthGateError).
   * @default - only StillInProgressError
   */
  readonly pollAlsoOn?: string[];
  /**
   * Do not route failures to the context's failure handler (the caller catches, e.g. a Map).
   * @default false
   */
  readonly noCatch?: boolean;
  /**
   * How long one attempt of the step may take before Step Functions fails it with States.Timeout
   * (e.g. a traffic switch that must undo itself when it takes too long).
   * @default - the function's own timeout
   */
  readonly timeout?: Duration;
}

/**
 * What the steps of one part of a procedure share: the handlers they invoke and where any failure goes
 * (with the error at `$.error`). Builds each Lambda step the same way: payload, transient-error retries,
 * polling retries, the `{Payload}` envelope.
 */
export class StageContext {
  constructor(
    /** Where any step's failure goes, with the error at `$.error`. */
    public readonly onFailure: sfn.IChainable,
    /** The procedure's functions. */
    public readonly handlers: UpgradeHandlers,
  ) {}

  /** The same handlers, failures going elsewhere (e.g. the rollback's own failure state). */
  public failingTo(onFailure: sfn.IChainable): StageContext {
    return new StageContext(onFailure, this.handlers);
  }

  /** A step that invokes `handler` with `payload` (JSONPath values end their key with `.$`). */
  public step(scope: Construct, name: string, handler: UpgradeHandler, payload: { [key: string]: unknown }, options: StepOptions): tasks.LambdaInvoke {
    const looks = lookWithin(handler, options.poll);
    const task = new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: this.handlers.functionFor(handler),
      payload: sfn.TaskInput.fromObject(looks ? { ...payload, poll: looks.payload } : payload),
      resultSelector: { 'Payload.$': '$.Payload' },
      resultPath: options.resultPath,
      retryOnServiceExceptions: false,
      ...(options.timeout && { taskTimeout: sfn.Timeout.duration(options.timeout) }),
    });
    retryTransientErrors(task);
    if (options.poll && looks) {
      // The handler looks within each invocation; the Retry only starts the next one, a second later.
      task.addRetry({ errors: ['StillInProgressError', ...(options.pollAlsoOn ?? [])], interval: Duration.seconds(1), backoffRate: 1, maxAttempts: looks.maxAttempts });
    } else if (options.poll) {
      task.addRetry({
        errors: ['StillInProgressError', ...(options.pollAlsoOn ?? [])],
        interval: options.poll.interval,
        backoffRate: options.poll.backoffRate,
        maxDelay: options.poll.maxDelay,
        maxAttempts: options.poll.maxAttempts,
      });
    }
    if (!options.noCatch) this.catchTask(task);
    return task;
  }

  /** Routes any failure of a task built elsewhere (e.g. a callback task) to this context's failure handler. */
  public catchTask(task: sfn.TaskStateBase): void {
    task.addCatch(this.onFailure, { errors: ['States.ALL'], resultPath: '$.error' });
  }

  /** Routes any failure of a Map (its iterations end at their own Fail state) to this context's failure handler. */
  public catchMap(map: sfn.Map): void {
    map.addCatch(this.onFailure, { errors: ['States.ALL'], resultPath: '$.error' });
  }
}

/**
 * The `poll` input and the Retry attempts of a handler that looks within one invocation, when the plan
 * asks for it and the handler can (its registry entry gives the budget); undefined otherwise.
 */
function lookWithin(handler: UpgradeHandler, plan: PollingPlan | undefined): { payload: { everySeconds: number; withinSeconds: number }; maxAttempts: number } | undefined {
  const within = handlerSpec(handler.name as HandlerName).looksWithin;
  if (!plan?.lookEvery || !within) return undefined;
  const timeoutSeconds = (plan.timeout ?? Duration.hours(1)).toSeconds();
  // A budget shorter than one invocation's looks bounds that invocation, so the first one does not outlast it.
  const withinSeconds = Math.min(within.toSeconds(), timeoutSeconds);
  // Each invocation spends its looks, then one second of Retry interval; the first invocation is no retry.
  return {
    payload: { everySeconds: plan.lookEvery.toSeconds(), withinSeconds },
    maxAttempts: Math.max(0, Math.ceil(timeoutSeconds / (withinSeconds + 1)) - 1),
  };
}
