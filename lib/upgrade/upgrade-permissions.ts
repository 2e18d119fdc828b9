import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { INeo4jUpgradeTarget } from '../cluster/neo4j-upgrade-target';
import { acknowledgeRule, awsSolutions } from '../private/acknowledge';
import { acknowledgeWildcards } from '../private/wildcard-acknowledgements';

/** Props of {@link UpgradePermissions}. */
export interface UpgradePermissionsProps {
  readonly cluster: INeo4jUpgradeTarget;
  readonly functions: { [handler: string]: lambda.Function };
  readonly lockParameterName: string;
  readonly topic: sns.ITopic;
  readonly cloneRegions: string[];
}

/**
 * Least-privilege IAM for each upgrade task. Mutations are scoped to the cluster's stack, its
 * parameters, its Auto Scaling groups and the volumes and snapshots tagged with its Environment.
 * No task may delete a volume or a snapshot: no such action is granted anywhere.
 */
export class UpgradePermissions extends Construct {
  constructor(scope: Construct, id: string, props: UpgradePermissionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const c = props.cluster;
    const fns = props.functions;
    const allow = (fn: string, sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>) => {
      fns[fn]?.addToRolePolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
    };
    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${c.stackName}/*` });
    const ssmArn = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
    const regions = [stack.region, ...props.cloneRegions];
    const ec2Arn = (resource: string, region = stack.region) =>
      stack.formatArn({ service: 'ec2', resource, resourceName: '*', region, account: resource === 'snapshot' ? '' : stack.account });
    const ownVolumes = { StringEquals: { 'aws:ResourceTag/Environment': c.environmentName } };
    const asgArn = (name: string) => stack.formatArn({
      service: 'autoscaling', resource: 'autoScalingGroup', resourceName: `*:autoScalingGroupName/${name}`,
    });
    const describeStack = ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'];

    for (const fn of ['validate-input', 'stack-parameters', 'stack-status', 'update-stack']) {
      allow(fn, 'ReadTheClusterStack', describeStack, [stackArn]);
    }
    allow('check-stack-ready', 'DetectDriftOfTheClusterStack', [
      ...describeStack, 'cloudformation:DetectStackDrift', 'cloudformation:DescribeStackDriftDetectionStatus',
      'cloudformation:DescribeStackResourceDrifts', 'cloudformation:DetectStackResourceDrift',
    ], [stackArn]);
    // Drift detection reads every resource of the stack with the caller's permissions.
    allow('check-stack-ready', 'ReadResourcesForDrift', [
      'ec2:Describe*', 'autoscaling:Describe*', 'ecs:Describe*', 'iam:Get*', 'iam:List*', 'logs:Describe*',
      'secretsmanager:DescribeSecret', 'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'lambda:GetFunction',
    ], ['*']);

    // A parameter-only update runs with the caller's permissions on what the parameters drive.
    allow('update-stack', 'UpdateTheClusterStack', ['cloudformation:UpdateStack', 'cloudformation:CancelUpdateStack'], [stackArn]);
    allow('update-stack', 'ApplyParameterChanges', [
      'autoscaling:UpdateAutoScalingGroup', 'autoscaling:Describe*', 'ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate',
      'ec2:Describe*', 'ec2:RunInstances', 'ec2:CreateTags', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition',
      'ecs:UpdateService', 'ecs:Describe*', 'ssm:GetParameters', 'ssm:GetParameter',
    ], ['*'], { StringEquals: { 'aws:CalledViaFirst': 'cloudformation.amazonaws.com' } });
    allow('update-stack', 'PassTheClusterRoles', ['iam:PassRole'], c.passedRoleArns);

    allow('upgrade-lock', 'TheLockParameter', ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:LabelParameterVersion'],
      [ssmArn(props.lockParameterName)]);
    allow('stack-parameters', 'ThePreUpgradeRecord', ['ssm:GetParameter', 'ssm:PutParameter'], [ssmArn(`${props.lockParameterName}/*`)]);
    allow('request-approval', 'TheApprovalParameter', ['ssm:GetParameter', 'ssm:PutParameter'], [ssmArn(`${props.lockParameterName}/*`)]);
    for (const fn of ['request-approval', 'publish-result']) {
      if (fns[fn]) props.topic.grantPublish(fns[fn]);
    }

    const serviceArn = (name: string) => stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${c.ecsClusterName}/${name}` });
    allow('ecs-services-steady', 'DescribeTheServices', ['ecs:DescribeServices'], [serviceArn(c.mainServiceName), serviceArn(c.slaveServiceName)]);
    c.adminCredentials.grantRead(fns['health-gate']);
    if (fns['validate-migration']) {
      c.adminCredentials.grantRead(fns['validate-migration']);
      allow('validate-migration', 'TheValidationBaselines', ['ssm:GetParameter', 'ssm:PutParameter'],
        [ssmArn(`${props.lockParameterName}/baseline`), ssmArn(`${props.lockParameterName}/baseline-after-migrations`)]);
    }
    if (fns['run-migrations']) c.adminCredentials.grantRead(fns['run-migrations']);

    for (const fn of ['cluster-instances', 'resolve-master', 'keep-master', 'verify-master-kept', 'plan-clone-targets', 'retag-volumes',
      'snapshot-volumes', 'snapshots-complete', 'restore-volumes', 'create-clone-volumes', 'copy-snapshot-to-region']) {
      allow(fn, 'DescribeInstancesVolumesAndSnapshots', [
        'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'ec2:DescribeInstances',
        'ec2:DescribeVolumes', 'ec2:DescribeSnapshots', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones',
      ], ['*']);
    }
    allow('keep-master', 'ProtectTheMaster', ['autoscaling:SetInstanceProtection'], [asgArn(c.mainAutoScalingGroupName)]);

    allow('snapshot-volumes', 'SnapshotOwnVolumes', ['ec2:CreateSnapshot'], [ec2Arn('volume')], ownVolumes);
    allow('snapshot-volumes', 'CreateSnapshots', ['ec2:CreateSnapshot'], [ec2Arn('snapshot')]);
    allow('snapshot-volumes', 'TagNewSnapshots', ['ec2:CreateTags'], [ec2Arn('snapshot')],
      { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } });

    for (const fn of ['retag-volumes', 'restore-volumes']) {
      allow(fn, 'RenameOwnVolumes', ['ec2:CreateTags'], [ec2Arn('volume')], ownVolumes);
    }
    for (const fn of ['restore-volumes', 'create-clone-volumes']) {
      for (const region of regions) {
        allow(fn, `CreateTaggedVolumes${sidSuffix(region)}`, ['ec2:CreateVolume'], [ec2Arn('volume', region)],
          { StringEquals: { 'aws:RequestTag/Environment': c.environmentName } });
        allow(fn, `FromSnapshots${sidSuffix(region)}`, ['ec2:CreateVolume'], [ec2Arn('snapshot', region)]);
        allow(fn, `TagNewVolumes${sidSuffix(region)}`, ['ec2:CreateTags'], [ec2Arn('volume', region)],
          { StringEquals: { 'ec2:CreateAction': 'CreateVolume' } });
      }
    }
    for (const region of props.cloneRegions) {
      allow('copy-snapshot-to-region', `CopySnapshots${sidSuffix(region)}`, ['ec2:CopySnapshot', 'ec2:CreateTags'], [ec2Arn('snapshot', region)]);
    }
    if (props.cloneRegions.length) {
      // CopySnapshot is also authorized against the source snapshot in this region.
      allow('copy-snapshot-to-region', 'CopyFromSourceSnapshots', ['ec2:CopySnapshot'], [ec2Arn('snapshot')]);
    }
    if (c.dataVolumeKey) {
      for (const fn of ['snapshot-volumes', 'restore-volumes', 'create-clone-volumes', 'copy-snapshot-to-region']) {
        if (fns[fn]) c.dataVolumeKey.grant(fns[fn], 'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
      }
    }

    for (const fn of Object.values(fns)) {
      acknowledgeRule(fn, awsSolutions('IAM4', 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
        'The AWS managed basic execution policy only allows writing the function\'s own logs');
      acknowledgeRule(fn, awsSolutions('IAM4', 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'),
        'The AWS managed VPC access policy is what a function in a VPC needs for its network interfaces');
    }
    acknowledgeWildcards(this.node.scope!, {
      bySid: {
        ReadTheClusterStack: 'A stack ARN ends in its generated id; the name part pins the cluster stack',
        DetectDriftOfTheClusterStack: 'A stack ARN ends in its generated id; the name part pins the cluster stack',
        ReadResourcesForDrift: 'Drift detection reads every resource of the stack with the caller\'s permissions; read-only Describe/Get/List',
        UpdateTheClusterStack: 'A stack ARN ends in its generated id; the name part pins the cluster stack',
        ApplyParameterChanges: 'A parameter-only update changes the groups, launch templates and services it drives; only through CloudFormation (aws:CalledViaFirst)',
        TheApprovalParameter: 'The approval and pre-upgrade record parameters live under the lock parameter path',
        ThePreUpgradeRecord: 'The approval and pre-upgrade record parameters live under the lock parameter path',
        DescribeInstancesVolumesAndSnapshots: 'EC2 and Auto Scaling Describe calls support no resource-level permissions',
        ProtectTheMaster: 'An Auto Scaling group ARN holds a generated id; the name part pins the main group',
        CopyFromSourceSnapshots: 'The source snapshot is made at run time by this execution',
        SnapshotOwnVolumes: 'Volumes are created at run time; CreateSnapshot is conditioned on the cluster Environment tag',
        CreateSnapshots: 'Snapshot ids are created by the call itself',
        TagNewSnapshots: 'Tags only snapshots being created (ec2:CreateAction = CreateSnapshot)',
        RenameOwnVolumes: 'Volumes are created at run time; CreateTags is conditioned on the cluster Environment tag',
      },
      byActionPrefix: {
        ec2: 'Volumes and snapshots are created at run time, in this and the clone regions; creation requires the Environment tag or the create action',
        kms: 'Encrypting SNS messages and EBS data needs data keys from the cluster or AWS managed key',
        lambda: 'Step Functions invokes each function version (function ARN with :*)',
        xray: 'X-Ray tracing segments have no resource-level permissions',
        logs: 'Log delivery has no resource-level permissions',
      },
    });
  }
}

function sidSuffix(region: string): string {
  return region.replace(/[^A-Za-z0-9]/g, '');
}
