/**
 * `upgrade unlock`: deletes the upgrade lock only when its holder execution is not RUNNING
 * (DescribeExecution; an execution that no longer exists does not run). Refuses while the holder runs:
 * abort it instead. A lock whose value names no holder is deleted only when no execution of the state
 * machine runs. Running it again finds no lock and changes nothing.
 */
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import type { LockRecord } from '../../../lambda/upgrade-lock/logic';
import { readJsonParameter } from '../../../lambda/shared/ssm-json';
import { LOCK_PARAMETER_TAG, machineParameters, requireTagged } from '../machine-tags';
import { RefusedError } from '../options';
import { stateMachineArnOf } from '../state-machine-ref';
import { describeExecution, listExecutions } from '../target-execution';
import { VerbContext, say } from '../verb-context';

export async function unlock(ctx: VerbContext): Promise<number> {
  const stateMachineArn = await stateMachineArnOf(ctx.values, ctx.clients);
  const sfn = await ctx.clients.sfn();
  const ssm = await ctx.clients.ssm();
  const name = requireTagged((await machineParameters(sfn, stateMachineArn)).lockParameterName, LOCK_PARAMETER_TAG, stateMachineArn, 'lock');
  const lock = await readJsonParameter<LockRecord>(ssm, name);
  if (!lock) {
    say(ctx, `lock ${name} is free; nothing to do`);
    return 0;
  }
  const holder = typeof lock.value?.executionArn === 'string' ? lock.value.executionArn : undefined;
  if (holder) {
    const status = await holderStatus(ctx, holder);
    if (status === 'RUNNING') {
      throw new RefusedError(`lock ${name} is held by ${holder}, which is RUNNING: abort it (upgrade abort) instead of unlocking`);
    }
    say(ctx, `lock ${name} is held by ${holder}, which is ${status}`);
  } else {
    const running = await listExecutions(sfn, stateMachineArn, 1, true);
    if (running.length > 0) {
      throw new RefusedError(`lock ${name} names no holder (${JSON.stringify(lock.raw.slice(0, 200))}) and ${running[0].executionArn} is RUNNING: not unlocking`);
    }
  }
  // The lock may have changed hands since it was read: delete only the version that was judged.
  const again = await readJsonParameter<LockRecord>(ssm, name);
  if (again && again.version !== lock.version) {
    throw new RefusedError(`lock ${name} changed while it was checked (now held by ${again.value?.executionArn}); run unlock again`);
  }
  try {
    await ssm.send(new DeleteParameterCommand({ Name: name }));
  } catch (err) {
    if ((err as Error).name !== 'ParameterNotFound') throw err;
  }
  say(ctx, `lock ${name} deleted`);
  return 0;
}

async function holderStatus(ctx: VerbContext, executionArn: string): Promise<string> {
  try {
    return String((await describeExecution(await ctx.clients.sfn(), executionArn)).status);
  } catch (err) {
    if ((err as Error).name === 'ExecutionDoesNotExist') return 'gone (no such execution)';
    throw err;
  }
}
