/**
 * `upgrade abort`: asks the running execution to stop at its next safe point and take its own rollback
 * path, by writing `{"executionArn","requestedAt","by","reason"}` to the abort parameter the state
 * machine's tag names. Never StopExecution: that skips every Catch and leaves a half-changed stack.
 * An execution waiting for an approval cannot look at the request (it waits on a task token): its
 * approval is rejected instead, which takes the same rollback path.
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { AbortRequestRecord } from '../../../lambda/shared/abort-request';
import { ABORT_PARAMETER_TAG, machineParameters, requireTagged } from '../machine-tags';
import { RefusedError } from '../options';
import { pendingApprovalIfAny } from '../pending-approval';
import { stateMachineArnOf } from '../state-machine-ref';
import { runningExecution } from '../target-execution';
import { VerbContext, operatorName, say } from '../verb-context';
import { sendAnswer } from './approval';

export async function abort(ctx: VerbContext): Promise<number> {
  const stateMachineArn = await stateMachineArnOf(ctx.values, ctx.clients);
  const sfn = await ctx.clients.sfn();
  const parameterName = requireTagged(
    (await machineParameters(sfn, stateMachineArn)).abortParameterName, ABORT_PARAMETER_TAG, stateMachineArn, 'abort-request',
  );
  const executionArn = await runningExecution(sfn, stateMachineArn, ctx.values);
  const request: Required<AbortRequestRecord> = {
    executionArn, requestedAt: ctx.now().toISOString(), by: operatorName(ctx), reason: ctx.values.reason ?? 'aborted by an operator',
  };
  const ssm = await ctx.clients.ssm();
  await ssm.send(new PutParameterCommand({
    Name: parameterName, Value: JSON.stringify(request), Type: 'String', Overwrite: true,
  }));
  await rejectPendingApproval(ctx, stateMachineArn, executionArn, request);
  say(ctx, `abort requested for ${executionArn} (${parameterName}): it takes its rollback path at the next safe point; ` +
    `follow it with: neo4j-ecs-upgrades upgrade watch --execution ${executionArn}`);
  ctx.io.stdout.write(`${executionArn}\n`);
  return 0;
}

async function rejectPendingApproval(
  ctx: VerbContext, stateMachineArn: string, executionArn: string, request: Required<AbortRequestRecord>,
): Promise<void> {
  const sfn = await ctx.clients.sfn();
  let pending;
  try {
    pending = await pendingApprovalIfAny(sfn, await ctx.clients.ssm(), stateMachineArn, executionArn);
  } catch (err) {
    if (!(err instanceof RefusedError)) throw err;
    say(ctx, `the execution waits for an approval whose request is not readable yet (${err.message}); ` +
      'run `upgrade reject` once it is, or the abort takes effect after the approval');
    return;
  }
  if (!pending) return;
  await sendAnswer(sfn, pending, executionArn, { approved: false, cause: `aborted by ${request.by}: ${request.reason}` });
  say(ctx, `the execution was waiting for the approval "${pending.record.stage}": rejected it, which takes the rollback path now`);
}
