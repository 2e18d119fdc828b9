import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireMatch, requireParameterName, requireStage, requireTopicArn } from '../shared/name-checks';
import { readJsonParameter } from '../shared/ssm-json';
import { UPGRADE_DETAIL_TYPES, putUpgradeEvents } from '../shared/upgrade-events';
import { APPROVAL_REJECTED_ERROR } from './constants';

export { APPROVAL_REJECTED_ERROR };

export interface RequestApprovalDeps {
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  /** The "Upgrade Approval Requested" event goes to the default bus. */
  readonly events: EventBridgeClient;
  readonly log: Logger;
  readonly now?: () => Date;
}

/**
 * Input of a `.waitForTaskToken` Lambda task: `taskToken.$: $$.Task.Token`,
 * `executionArn.$: $$.Execution.Id`.
 */
export interface RequestApprovalInput {
  readonly cluster: ClusterContext;
  readonly taskToken: string;
  readonly executionArn: string;
  /** What is being approved, e.g. `after-store-upgrade`. */
  readonly stage: string;
  readonly topicArn: string;
  /** SSM parameter that holds the pending approval, e.g. `/neo4j-upgrades/<stack>/approval`. */
  readonly parameterName: string;
  /** The task's timeout (plan.timeouts.approvalSeconds): gives expiresAt. Default 86400. */
  readonly timeoutSeconds?: number;
  /** One paragraph for the operator: what to verify before approving. */
  readonly summary?: string;
}

/** What the approval parameter holds (JSON). */
export interface ApprovalRecord {
  readonly taskToken: string;
  readonly executionArn: string;
  readonly stage: string;
  readonly stackName: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
}

export interface RequestApprovalOutput {
  readonly stage: string;
  readonly parameterName: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** false: this token had already been published (a retry); nothing was sent again. */
  readonly published: boolean;
  readonly messageId?: string;
}


const TOKEN = /^[A-Za-z0-9+/=_-]{1,8192}$/;

/**
 * Publishes a pending approval where an operator can act on it: an SNS message with ready-to-paste
 * `aws stepfunctions send-task-success` / `send-task-failure` commands, and an SSM parameter holding
 * {taskToken, executionArn, stage, requestedAt, expiresAt}. SNS first, then SSM: a retry finds the
 * token in SSM and sends nothing again; a failure between the two sends the message twice (at least
 * once, never zero times). Then an "Upgrade Approval Requested" event (without the token) goes to the
 * default event bus; the topic and the parameter are the request, the event only tells about it, so an
 * event EventBridge does not take is logged (WARN) and the approval still waits.
 *
 * Operator CLI (approval-cli), with only the parameter name at hand:
 *
 *   P=/neo4j-upgrades/<stack>/approval
 *   TOKEN=$(aws ssm get-parameter --name "$P" --query Parameter.Value --output text | jq -r .taskToken)
 *   aws stepfunctions send-task-success --task-token "$TOKEN" --task-output '{"approved":true,"by":"'"$USER"'"}'
 *   # or, to stop the upgrade (its Catch runs the rollback path):
 *   aws stepfunctions send-task-failure --task-token "$TOKEN" --error ApprovalRejected --cause 'why'
 */
export async function logic(deps: RequestApprovalDeps, input: RequestApprovalInput): Promise<RequestApprovalOutput> {
  checkInput(input);
  const { taskToken, executionArn, stage, topicArn, parameterName } = input;
  const stackName = input.cluster.stackName;

  const existing = await readJsonParameter<ApprovalRecord>(deps.ssm, parameterName);
  if (existing?.value?.taskToken === taskToken) {
    deps.log.info('approval already requested', { stage, parameterName });
    const { requestedAt, expiresAt } = existing.value;
    return { stage, parameterName, requestedAt, expiresAt, published: false };
  }

  const now = (deps.now ?? (() => new Date()))();
  const record: ApprovalRecord = {
    taskToken,
    executionArn,
    stage,
    stackName,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (input.timeoutSeconds ?? 86400) * 1000).toISOString(),
  };
  const sent = await deps.sns.send(new PublishCommand({
    TopicArn: topicArn,
    Subject: `Neo4j upgrade approval: ${stackName} ${stage}`.slice(0, 100),
    Message: message(record, parameterName, input.summary),
  }));
  await deps.ssm.send(new PutParameterCommand({
    Name: parameterName,
    Value: JSON.stringify(record),
    Type: 'String',
    Overwrite: true,
    Description: `Pending Neo4j upgrade approval for stack ${stackName}: JSON {taskToken, executionArn, stage, requestedAt, expiresAt}`,
  }));
  deps.log.info('approval requested', { stage, parameterName, messageId: sent.MessageId, expiresAt: record.expiresAt });
  await announce(deps, record, parameterName);
  return {
    stage, parameterName, requestedAt: record.requestedAt, expiresAt: record.expiresAt, published: true,
    ...(sent.MessageId && { messageId: sent.MessageId }),
  };
}

/** The event carries where the request is, never the task token (anyone who can read the bus could answer with it). */
async function announce(deps: RequestApprovalDeps, r: ApprovalRecord, parameterName: string): Promise<void> {
  try {
    await putUpgradeEvents(deps.events, [{
      detailType: UPGRADE_DETAIL_TYPES.approvalRequested,
      detail: {
        eventKey: `${r.executionArn}#${r.stage}#approval-requested`, executionArn: r.executionArn, stackName: r.stackName,
        stage: r.stage, parameterName, requestedAt: r.requestedAt, expiresAt: r.expiresAt,
      },
    }]);
  } catch (err) {
    deps.log.warn('approval event not sent (the approval still waits: topic and parameter)', { stage: r.stage, errorName: (err as Error).name, errorMessage: (err as Error).message });
  }
}

function checkInput(input: RequestApprovalInput): void {
  const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
  const req = (ok: boolean, field: string, what: string, value: unknown) => {
    if (!ok) throw new InvalidInputError(`${field} must be ${what}, got ${show(value)}`);
  };
  const i = (input ?? {}) as Partial<RequestApprovalInput>;
  requireString(i.cluster?.stackName, 'cluster.stackName');
  requireMatch(i.taskToken, TOKEN, 'taskToken', 'a Step Functions task token ($$.Task.Token)');
  requireString(i.executionArn, 'executionArn');
  requireStage(i.stage, 'stage');
  requireTopicArn(i.topicArn, 'topicArn');
  requireParameterName(i.parameterName, 'parameterName');
  const t = i.timeoutSeconds;
  req(t === undefined || (typeof t === 'number' && Number.isInteger(t) && t > 0), 'timeoutSeconds', 'a positive integer', t);
  req(i.summary === undefined || typeof i.summary === 'string', 'summary', 'a string', i.summary);
}

function message(r: ApprovalRecord, parameterName: string, summary: string | undefined): string {
  const region = /^arn:aws[a-z-]*:states:([a-z0-9-]+):/.exec(r.executionArn)?.[1];
  const reg = region ? ` --region ${region}` : '';
  const output = JSON.stringify({ approved: true, stage: r.stage });
  return [
    `The Neo4j upgrade of stack ${r.stackName} is waiting for approval at stage "${r.stage}".`,
    ...(summary ? ['', summary.slice(0, 2000)] : []),
    '',
    `Execution: ${r.executionArn}`,
    `Requested: ${r.requestedAt}`,
    `Expires:   ${r.expiresAt} (without an answer by then the task times out)`,
    '',
    'Approve:',
    `aws stepfunctions send-task-success${reg} --task-token '${r.taskToken}' --task-output '${output}'`,
    '',
    'Reject (the upgrade stops; the state machine\'s failure path runs):',
    `aws stepfunctions send-task-failure${reg} --task-token '${r.taskToken}' --error ${APPROVAL_REJECTED_ERROR} --cause 'rejected by operator'`,
    '',
    `The token is also in SSM parameter ${parameterName}:`,
    `TOKEN=$(aws ssm get-parameter${reg} --name '${parameterName}' --query Parameter.Value --output text | jq -r .taskToken)`,
  ].join('\n');
}
