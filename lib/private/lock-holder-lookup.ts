import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * Lets the lock ask whether its holder still runs (DescribeExecution on this state machine's executions).
 * A policy of its own, not the function's default one: the state machine depends on the function, and
 * the function on its default policy, so naming the state machine there would be a cycle.
 */
export function grantDescribeLockHolder(scope: Construct, stateMachine: sfn.StateMachine, lockFunction: lambda.IFunction | undefined): void {
  if (!lockFunction?.role) return;
  new iam.Policy(scope, 'LockHolderLookup', {
    roles: [lockFunction.role],
    statements: [new iam.PolicyStatement({
      sid: 'DescribeTheLockHolder',
      actions: ['states:DescribeExecution'],
      resources: [Stack.of(scope).formatArn({
        service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    })],
  });
}
