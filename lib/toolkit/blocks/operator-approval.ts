import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';
import { retryTransientErrors } from '../../private/transient-retry';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';

/** Props of {@link OperatorApproval}. */
export interface OperatorApprovalProps {
  readonly context: StageContext;
  /** Stage key: the decision goes to `$.results.<key>.decision`; the request names it. */
  readonly key: string;
  /**
   * Prefix of the state names, for a procedure that asks more than once.
   * @default - none
   */
  readonly title?: string;
}

/**
 * Waits for an operator's decision when `$.plan.approvalMode` is not `none`: the request (with the task
 * token) goes to the topic and to `<lock>/approval`; the wait times out after
 * `$.plan.timeouts.approvalSeconds`; a rejection or a timeout fails into the context's failure handler.
 */
export class OperatorApproval extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: OperatorApprovalProps) {
    super(scope, id);
    const ctx = props.context;
    const named = (name: string) => (props.title ? `${props.title}: ${name}` : name);
    const approve = new tasks.LambdaInvoke(this, named('Wait for the operator decision'), {
      lambdaFunction: ctx.handlers.functionFor(UpgradeHandler.REQUEST_APPROVAL),
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        'cluster.$': statePath('cluster'),
        taskToken: sfn.JsonPath.taskToken,
        'executionArn.$': '$$.Execution.Id',
        stage: props.key,
        'topicArn.$': statePath('settings.topicArn'),
        'parameterName.$': "States.Format('{}/approval', $.settings.lockParameterName)",
        'timeoutSeconds.$': statePath('plan.timeouts.approvalSeconds'),
      }),
      taskTimeout: sfn.Timeout.at(statePath('plan.timeouts.approvalSeconds')),
      resultPath: `$.results.${props.key}.decision`,
    });
    retryTransientErrors(approve);
    ctx.catchTask(approve);
    const skip = new sfn.Pass(this, named('No approval requested'));
    const choice = new sfn.Choice(this, named('Approval requested?'))
      .when(sfn.Condition.stringEquals(statePath('plan.approvalMode'), 'none'), skip)
      .otherwise(approve);
    this.startState = choice;
    this.endStates = choice.afterwards().endStates;
  }
}
