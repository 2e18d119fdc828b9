/** Which execution a verb acts on: `--execution ARN`, else the state machine's running or latest one. */
import { DescribeExecutionCommand, DescribeExecutionOutput, ExecutionListItem, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { RefusedError, UpgradeValues } from './options';

export async function describeExecution(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionOutput> {
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/** The newest executions first (Step Functions lists them so). */
export async function listExecutions(sfn: SFNClient, stateMachineArn: string, limit: number, running = false): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({
      stateMachineArn, maxResults: Math.min(limit - out.length, 1000), nextToken: token, ...(running && { statusFilter: 'RUNNING' }),
    }));
    out.push(...(page.executions ?? []));
    token = page.nextToken;
  } while (token && out.length < limit);
  return out.slice(0, limit);
}

/** `--execution`, else the newest execution of the state machine. */
export async function latestExecution(sfn: SFNClient, stateMachineArn: string, values: UpgradeValues): Promise<string> {
  if (values.execution) return values.execution;
  const [latest] = await listExecutions(sfn, stateMachineArn, 1);
  if (!latest?.executionArn) throw new RefusedError(`state machine ${stateMachineArn} has no executions`);
  return latest.executionArn;
}

/** `--execution` (which must be RUNNING), else the one running execution (the lock allows one). */
export async function runningExecution(sfn: SFNClient, stateMachineArn: string, values: UpgradeValues): Promise<string> {
  if (values.execution) {
    const d = await describeExecution(sfn, values.execution);
    if (d.status !== 'RUNNING') throw new RefusedError(`execution ${values.execution} is ${d.status}, not RUNNING`);
    return values.execution;
  }
  const running = await listExecutions(sfn, stateMachineArn, 100, true);
  if (running.length === 0) throw new RefusedError(`state machine ${stateMachineArn} has no RUNNING execution`);
  if (running.length > 1) {
    throw new RefusedError(
      `state machine ${stateMachineArn} has ${running.length} RUNNING executions; choose one with --execution:\n` +
      running.map((e) => `  ${e.executionArn}  (started ${e.startDate?.toISOString()})`).join('\n'),
    );
  }
  return String(running[0].executionArn);
}
