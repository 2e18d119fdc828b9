/**
 * `upgrade approve` / `upgrade reject`: answers the running execution's pending approval with the task
 * token request-approval stored (SendTaskSuccess `{"approved":true,"by"}`, or SendTaskFailure with the
 * error the state machine's Catch matches: the rollback path runs).
 */
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { APPROVAL_REJECTED_ERROR } from '../../../lambda/request-approval/constants';
import { RefusedError, UsageError } from '../options';
import { ApprovalToAnswer, pendingApprovalOf } from '../pending-approval';
import { stateMachineArnOf } from '../state-machine-ref';
import { runningExecution } from '../target-execution';
import { VerbContext, operatorName, say } from '../verb-context';

export async function approve(ctx: VerbContext): Promise<number> {
  return answer(ctx, true);
}

export async function reject(ctx: VerbContext): Promise<number> {
  if (!ctx.values.reason) throw new UsageError('reject needs --reason TEXT (it goes to the execution\'s failure cause and the report)');
  return answer(ctx, false);
}

async function answer(ctx: VerbContext, approved: boolean): Promise<number> {
  const stateMachineArn = await stateMachineArnOf(ctx.values, ctx.clients);
  const sfn = await ctx.clients.sfn();
  const executionArn = await runningExecution(sfn, stateMachineArn, ctx.values);
  const { parameterName, record } = await pendingApprovalOf(sfn, await ctx.clients.ssm(), stateMachineArn, executionArn);
  const by = operatorName(ctx);
  await sendAnswer(sfn, { parameterName, record }, executionArn, approved
    ? { approved: true, by }
    : { approved: false, cause: `rejected by ${by}: ${ctx.values.reason}` });
  say(ctx, `${approved ? 'approved' : 'rejected'} "${record.stage}" of ${executionArn} as ${by} (request in ${parameterName})`);
  ctx.io.stdout.write(`${executionArn}\n`);
  return 0;
}

/** Approves, or fails the approval with the error the state machine's Catch takes into the rollback path. */
export async function sendAnswer(
  sfn: SFNClient, { record }: ApprovalToAnswer, executionArn: string,
  answer: { approved: true; by: string } | { approved: false; cause: string },
): Promise<void> {
  try {
    if (answer.approved) {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: record.taskToken, output: JSON.stringify({ approved: true, by: answer.by }) }));
    } else {
      await sfn.send(new SendTaskFailureCommand({ taskToken: record.taskToken, error: APPROVAL_REJECTED_ERROR, cause: answer.cause.slice(0, 32768) }));
    }
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken') {
      throw new RefusedError(`the approval "${record.stage}" of ${executionArn} can no longer be answered (${name}): it timed out or was answered already`);
    }
    throw err;
  }
}
