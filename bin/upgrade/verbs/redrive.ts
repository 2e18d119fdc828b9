/**
 * `upgrade redrive`: RedriveExecution of a FAILED, ABORTED or TIMED_OUT execution (`--execution`, else
 * the latest): it continues from the state that failed, with the same input and state.
 */
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { RefusedError } from '../options';
import { stateMachineArnOf } from '../state-machine-ref';
import { describeExecution, latestExecution } from '../target-execution';
import { VerbContext, say } from '../verb-context';

const REDRIVABLE = ['FAILED', 'ABORTED', 'TIMED_OUT'];

export async function redrive(ctx: VerbContext): Promise<number> {
  const sfn = await ctx.clients.sfn();
  const executionArn = ctx.values.execution ?? await latestExecution(sfn, await stateMachineArnOf(ctx.values, ctx.clients), ctx.values);
  const d = await describeExecution(sfn, executionArn);
  if (!REDRIVABLE.includes(String(d.status))) {
    throw new RefusedError(`execution ${executionArn} is ${d.status}; only a ${REDRIVABLE.join(', ')} execution can be redriven`);
  }
  if (d.redriveStatus === 'NOT_REDRIVABLE') {
    throw new RefusedError(`Step Functions says execution ${executionArn} is not redrivable: ${d.redriveStatusReason ?? 'no reason given'}`);
  }
  const out = await sfn.send(new RedriveExecutionCommand({ executionArn }));
  say(ctx, `redriven at ${out.redriveDate?.toISOString()}: ${executionArn} continues from the state that failed; ` +
    `follow it with: neo4j-ecs-upgrades upgrade watch --execution ${executionArn}`);
  ctx.io.stdout.write(`${executionArn}\n`);
  return 0;
}
