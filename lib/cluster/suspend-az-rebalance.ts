import { Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeRule, awsSolutions } from '../private/acknowledge';

/**
 * Suspends `AZRebalance` on a group, for good (CloudFormation has no property for suspended processes, so a
 * custom resource calls SuspendProcesses on create and update; deleting the stack deletes the group anyway).
 * With a spare slot the replacement launches one instance where the group chooses and terminates a chosen
 * one: the AZs end unbalanced, and a rebalance would then terminate a member at random.
 */
export function suspendAzRebalance(scope: Construct, id: string, group: autoscaling.AutoScalingGroup): cr.AwsCustomResource {
  const call: cr.AwsSdkCall = {
    service: 'AutoScaling',
    action: 'suspendProcesses',
    parameters: { AutoScalingGroupName: group.autoScalingGroupName, ScalingProcesses: ['AZRebalance'] },
    physicalResourceId: cr.PhysicalResourceId.of(`${group.autoScalingGroupName}-AZRebalance-suspended`),
  };
  const resource = new cr.AwsCustomResource(scope, id, {
    onCreate: call,
    onUpdate: call,
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
      actions: ['autoscaling:SuspendProcesses'],
      resources: [Stack.of(scope).formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: `*:autoScalingGroupName/${group.autoScalingGroupName}` })],
    })]),
    installLatestAwsSdk: false,
  });
  const policy = resource.node.findChild('CustomResourcePolicy').node.defaultChild;
  if (policy) acknowledgeRule(policy, awsSolutions('IAM5'), 'An Auto Scaling group ARN holds a generated id; the name part pins the cluster\'s main group');
  // The provider is the stack's AwsCustomResource singleton (aws-cdk-lib's id).
  const role = Stack.of(scope).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287')?.node.tryFindChild('ServiceRole')?.node.defaultChild;
  if (role) acknowledgeRule(role, awsSolutions('IAM4'), 'The CDK AwsCustomResource provider logs with AWSLambdaBasicExecutionRole, as every CDK custom resource provider');
  return resource;
}
