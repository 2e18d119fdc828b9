/**
 * Which state machine a verb works on: `--state-machine ARN`, or the one state machine of `--stack NAME`
 * (its resources of type AWS::StepFunctions::StateMachine; the name is generated, outputs are not relied on).
 */
import { CloudFormationClient, ListStackResourcesCommand, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { UpgradeClients } from './clients';
import { UpgradeValues, UsageError } from './options';

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

export async function stateMachineArnOf(values: UpgradeValues, clients: UpgradeClients): Promise<string> {
  const given = values['state-machine'];
  if (given !== undefined) {
    if (!STATE_MACHINE_ARN.test(given)) {
      throw new UsageError(`--state-machine must be a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME), got ${JSON.stringify(given)}`);
    }
    return given;
  }
  const stack = values.stack;
  if (!stack && values.execution) return stateMachineOfExecution(values.execution);
  if (!stack) throw new UsageError('give --stack NAME (the upgrade stack) or --state-machine ARN');
  return stateMachineOfStack(await clients.cfn(), stack);
}

async function stateMachineOfStack(cfn: CloudFormationClient, stackName: string): Promise<string> {
  const machines: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
    machines.push(...(page.StackResourceSummaries ?? []).filter((r) => r.ResourceType === 'AWS::StepFunctions::StateMachine'));
    token = page.NextToken;
  } while (token);
  const arns = machines.map((m) => m.PhysicalResourceId).filter((id): id is string => !!id);
  if (arns.length === 0) throw new UsageError(`stack ${stackName} has no state machine (AWS::StepFunctions::StateMachine); is it the upgrade stack?`);
  if (arns.length > 1) {
    throw new UsageError(
      `stack ${stackName} has ${arns.length} state machines; choose one with --state-machine:\n` +
      machines.map((m) => `  ${m.PhysicalResourceId}  (${m.LogicalResourceId})`).join('\n'),
    );
  }
  return arns[0];
}

/** arn:...:execution:MACHINE:NAME -> arn:...:stateMachine:MACHINE */
function stateMachineOfExecution(executionArn: string): string {
  const m = /^(arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}):execution:([A-Za-z0-9_-]{1,80}):[^:]+$/.exec(executionArn);
  if (!m) throw new UsageError(`--execution must be an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME), got ${JSON.stringify(executionArn)}`);
  return `${m[1]}:stateMachine:${m[2]}`;
}

/** The region of a state machine or execution ARN. */
export function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}
