import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { isAwsError } from './aws-error';
import { StackNotReadyError } from './errors';

/** DescribeStacks for one stack; a stack that does not exist is a StackNotReadyError naming it. */
export async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new StackNotReadyError(`stack ${stackName} does not exist`);
    return stack;
  } catch (err) {
    if (isAwsError(err, 'ValidationError', /does not exist/)) {
      throw new StackNotReadyError(`stack ${stackName} does not exist`, { cause: err });
    }
    throw err;
  }
}

/** The stack's parameters as key -> value. NoEcho parameters read back as `****` (see MASKED_VALUE). */
export function stackParameters(stack: Stack): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of stack.Parameters ?? []) {
    if (p.ParameterKey !== undefined) out[p.ParameterKey] = p.ParameterValue ?? '';
  }
  return out;
}

/** What DescribeStacks returns for a NoEcho parameter: never write it back as a value. */
export const MASKED_VALUE = '****';
