/**
 * `upgrade start`: checks the input locally with validate-input's AWS-free checks (the construct's baked
 * defaults and the state machine's region applied), then StartExecution; prints the execution ARN on stdout.
 */
import { DescribeStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { checkRequest } from '../../../lambda/validate-input/request-checks';
import { machineShape } from '../machine-shape';
import { RefusedError } from '../options';
import { startInput } from '../start-input';
import { regionOfArn, stateMachineArnOf } from '../state-machine-ref';
import { VerbContext, say } from '../verb-context';

export async function start(ctx: VerbContext): Promise<number> {
  const input = startInput(ctx.values);
  const stateMachineArn = await stateMachineArnOf(ctx.values, ctx.clients);
  const sfn = await ctx.clients.sfn();
  const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
  const { defaults } = machineShape(machine.definition ?? '{}');
  try {
    checkRequest(input, defaults, regionOfArn(stateMachineArn));
  } catch (err) {
    throw new RefusedError(`input refused before starting (nothing started): ${(err as Error).message}`);
  }
  if (ctx.values['dry-run']) {
    say(ctx, `input accepted by the local checks (the stack-dependent checks run in the execution): ${JSON.stringify(input)}`);
    return 0;
  }
  const out = await sfn.send(new StartExecutionCommand({
    stateMachineArn, input: JSON.stringify(input), ...(ctx.values.name && { name: ctx.values.name }),
  }));
  ctx.io.stdout.write(`${out.executionArn}\n`);
  say(ctx, `started; follow it with: neo4j-ecs-upgrades upgrade watch --execution ${out.executionArn}`);
  return 0;
}
