import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';
import { retryTransientErrors } from '../../private/transient-retry';
import { TRANSIENT_ERRORS } from '../retry-policy';
import { UpgradeHandler } from '../upgrade-handler';
import { UpgradeHandlers } from '../upgrade-handlers';

/**
 * Errors that mean "it may work if run again later" once their own retries are spent: the transient
 * errors every step retries, plus waits and gates that ran out of time.
 */
export const TRANSIENT_BEYOND_RETRIES = [...TRANSIENT_ERRORS, 'StillInProgressError', 'HealthGateError', 'TargetsUnhealthyError', 'States.Timeout'];

/** Props of {@link TransientFailureDecision}. */
export interface TransientFailureDecisionProps {
  readonly handlers: UpgradeHandlers;
  /** Prefix of the state names, e.g. `Preflight` or `Stage`. */
  readonly title: string;
  /** Where every other failure goes, and the operator's rejection or a timed-out request. */
  readonly rollBack: sfn.IChainable;
  /** What the request names (the approval record's `stage`), e.g. `retry-preflight`. */
  readonly request: string;
}

/**
 * A failure handler that asks before rolling back: a failure (at `$.error`) classed as transient beyond
 * its retries, before the point of no return, publishes a request where approvals go and waits, with the
 * lock held, until `$.plan.timeouts.approvalSeconds`. Approved: the failed part runs again from the state
 * given to {@link retryAt} or {@link retryStageAt}. Rejected, timed out, any other error, or past the point of
 * no return: `rollBack`, with the original error still at `$.error` (the decision's at `$.decision`).
 */
export class TransientFailureDecision extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];
  private readonly ask: sfn.TaskStateBase;
  private readonly rollBack: sfn.IChainable;
  private readonly title: string;
  private byStage?: sfn.Choice;

  constructor(scope: Construct, id: string, props: TransientFailureDecisionProps) {
    super(scope, id);
    this.rollBack = props.rollBack;
    this.title = props.title;
    const ask = new tasks.LambdaInvoke(this, `${props.title}: wait for an operator to retry or roll back`, {
      lambdaFunction: props.handlers.functionFor(UpgradeHandler.REQUEST_APPROVAL),
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        'cluster.$': statePath('cluster'),
        taskToken: sfn.JsonPath.taskToken,
        'executionArn.$': '$$.Execution.Id',
        stage: props.request,
        'topicArn.$': statePath('settings.topicArn'),
        'parameterName.$': "States.Format('{}/approval', $.settings.lockParameterName)",
        'timeoutSeconds.$': statePath('plan.timeouts.approvalSeconds'),
        // Only the error name: a Catch output always has it (a missing Cause would fail the intrinsic, uncaught).
        'summary.$': "States.Format('{} outlasted its retries, before the point of no return. Approve to run the failed part again from its start once the cause is gone; reject, or let this request time out, to roll back.', $.error.Error)",
      }),
      taskTimeout: sfn.Timeout.at(statePath('plan.timeouts.approvalSeconds')),
      resultPath: '$.decision',
    });
    retryTransientErrors(ask);
    ask.addCatch(props.rollBack, { errors: ['States.ALL'], resultPath: '$.decision' });
    this.ask = ask;

    const ponr = statePath('progress.pastPointOfNoReturn');
    this.startState = new sfn.Choice(this, `${props.title}: transient, before the point of no return?`)
      .when(sfn.Condition.and(
        sfn.Condition.or(...TRANSIENT_BEYOND_RETRIES.map((name) => sfn.Condition.stringEquals('$.error.Error', name))),
        sfn.Condition.or(sfn.Condition.isNotPresent(ponr), sfn.Condition.booleanEquals(ponr, false)),
      ), ask)
      .otherwise(props.rollBack);
  }

  /** Approved: run again from `state`. Call once, or use {@link retryStageAt} per stage instead. */
  public retryAt(state: sfn.IChainable): void {
    this.ask.next(state);
  }

  /**
   * Approved while stage `key` ran (`$.progress.current.key`): run it again from `state`, its start. A
   * failure while no registered stage ran rolls back.
   */
  public retryStageAt(key: string, state: sfn.IChainable): void {
    if (!this.byStage) {
      this.byStage = new sfn.Choice(this, `${this.title}: run which stage again?`).otherwise(this.rollBack);
      this.ask.next(this.byStage);
    }
    this.byStage.when(sfn.Condition.and(
      sfn.Condition.isPresent('$.progress.current.key'), sfn.Condition.stringEquals('$.progress.current.key', key),
    ), state);
  }
}
