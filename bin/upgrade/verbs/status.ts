/** `upgrade status`: one execution (`--execution`, else the latest): stage, step, elapsed, waits, retries, approval. */
import { executionEvents, executionShape } from '../execution-events';
import { executionProgress } from '../execution-progress';
import { progressLines } from '../format-progress';
import { stateMachineArnOf } from '../state-machine-ref';
import { describeExecution, latestExecution } from '../target-execution';
import { VerbContext } from '../verb-context';

export async function status(ctx: VerbContext): Promise<number> {
  const sfn = await ctx.clients.sfn();
  const executionArn = ctx.values.execution ?? await latestExecution(sfn, await stateMachineArnOf(ctx.values, ctx.clients), ctx.values);
  const [described, events, shape] = await Promise.all([
    describeExecution(sfn, executionArn), executionEvents(sfn, executionArn), executionShape(sfn, executionArn),
  ]);
  const progress = executionProgress(events, shape);
  const executionStatus = String(described.status);
  if (ctx.values.json) {
    ctx.io.stdout.write(JSON.stringify({ executionArn, status: executionStatus, ...progress }, null, 2) + '\n');
  } else {
    ctx.io.stdout.write(progressLines({ executionArn, status: executionStatus }, progress, ctx.now()).join('\n') + '\n');
  }
  return executionStatus === 'RUNNING' || executionStatus === 'SUCCEEDED' ? 0 : 1;
}
