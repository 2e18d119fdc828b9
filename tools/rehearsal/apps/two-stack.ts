/**
 * A cluster in one stack and its staged upgrade in another, the way an app that keeps its database and
 * its operations tooling apart composes the library. The upgrade stack depends on the cluster stack
 * (it reads the cluster's names, groups, secret, VPC and security group); nothing in the cluster stack
 * refers to the upgrade stack, so the cluster deploys first and never needs the upgrade redeployed.
 *
 * How the upgrade stack learns about the cluster (`reference`):
 * - `cluster`: the Neo4jCluster object itself is passed across.
 * - `attributes`: Neo4jUpgradeTarget.fromAttributes fed with the cluster stack's objects.
 * - `names`: Neo4jUpgradeTarget.fromAttributes with literal names and ids only, no reference at all.
 *
 * The cluster stack holds a second, smaller cluster in the same environment (`otherCluster`, parameter
 * prefix `Other`, its own volume name) that the upgrade must leave alone: its volumes and snapshots, its
 * instances' discovery and its lock are kept apart by its own cluster identity (issue 17).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { exampleCluster } from '../../../bin/example-stack';
import {
  ApprovalMode, INeo4jUpgradeTarget, Neo4jCluster, Neo4jStagedUpgrade, Neo4jUpgradeTarget, Neo4jVersionFamily,
} from '../../../lib';

export type TargetReference = 'cluster' | 'attributes' | 'names';

export interface TwoStackOptions {
  readonly reference: TargetReference;
  readonly dockerImage: string;
  readonly versionFamily: Neo4jVersionFamily;
  readonly environmentName: string;
  /** Bolt URI the health gates use. */
  readonly boltUri: string;
  readonly clusterStackName?: string;
  readonly upgradeStackName?: string;
}

export interface TwoStacks {
  readonly clusterStack: Stack;
  readonly upgradeStack: Stack;
  readonly cluster: Neo4jCluster;
  /** A second cluster of the same environment in the cluster stack, never upgraded here. */
  readonly otherCluster: Neo4jCluster;
  readonly upgrade: Neo4jStagedUpgrade;
}

const ENV = { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };

export function twoStackApp(app: App, o: TwoStackOptions): TwoStacks {
  const clusterStack = new Stack(app, o.clusterStackName ?? 'Neo4jClusterStack', { env: ENV, description: 'Neo4j cluster on ECS (two-stack app)' });
  const cluster = exampleCluster(clusterStack, o);
  const otherCluster = new Neo4jCluster(clusterStack, 'OtherNeo4j', {
    dockerImage: o.dockerImage,
    versionFamily: o.versionFamily,
    environmentName: o.environmentName,
    parameterPrefix: 'Other',
    capacity: { min: 1, max: 1, desired: 1 },
    slaveCapacity: { min: 0, max: 1, desired: 0 },
    dataVolume: { name: `neo4j-${o.environmentName}-other-data`, sizeGiB: 20 },
    vpc: cluster.vpc,
  });

  const upgradeStack = new Stack(app, o.upgradeStackName ?? 'Neo4jUpgradeStack', { env: ENV, description: 'Staged upgrade of the Neo4j cluster (two-stack app)' });
  const target = targetIn(upgradeStack, cluster, o.reference);
  const upgrade = new Neo4jStagedUpgrade(upgradeStack, 'Upgrade', {
    cluster: target,
    boltUri: o.boltUri,
    finalCapacity: 3,
    cloneVolumes: true,
    cloneRegions: ['eu-west-1'],
    approvalMode: ApprovalMode.AFTER_STORE_UPGRADE,
  });
  return { clusterStack, upgradeStack, cluster, otherCluster, upgrade };
}

function targetIn(scope: Stack, cluster: Neo4jCluster, reference: TargetReference): INeo4jUpgradeTarget {
  if (reference === 'cluster') return cluster;
  const common = {
    stackName: cluster.stackName,
    parameterNames: cluster.parameterNames,
    environmentName: cluster.environmentName,
    dataVolumeName: cluster.dataVolumeName,
    versionFamily: cluster.versionFamily,
    // A literal in `names` too: the identity is known at synth (the cluster stack's name and construct path).
    clusterIdentity: cluster.clusterIdentity,
  };
  if (reference === 'attributes') {
    return Neo4jUpgradeTarget.fromAttributes(scope, 'Cluster', {
      ...common,
      mainAutoScalingGroupName: cluster.mainAutoScalingGroupName,
      slaveAutoScalingGroupName: cluster.slaveAutoScalingGroupName,
      ecsClusterName: cluster.ecsClusterName,
      mainServiceName: cluster.mainServiceName,
      slaveServiceName: cluster.slaveServiceName,
      adminCredentials: cluster.adminCredentials,
      vpc: cluster.vpc,
      nodeSecurityGroup: cluster.securityGroup,
      passedRoleArns: cluster.passedRoleArns,
      dataVolumeKey: cluster.dataVolumeKey,
    });
  }
  // Literal names, as an operator copies them from the deployed cluster stack's outputs.
  return Neo4jUpgradeTarget.fromAttributes(scope, 'Cluster', {
    ...common,
    mainAutoScalingGroupName: 'neo4j-main-asg',
    slaveAutoScalingGroupName: 'neo4j-slave-asg',
    ecsClusterName: 'neo4j-ecs',
    mainServiceName: 'neo4j-main',
    slaveServiceName: 'neo4j-slave',
    adminCredentials: secretsmanager.Secret.fromSecretCompleteArn(scope, 'Credentials',
      `arn:aws:secretsmanager:${ENV.region}:${ENV.account}:secret:neo4j-admin-AbCdEf`),
    vpc: ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: [`${ENV.region}a`, `${ENV.region}b`],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
    }),
    nodeSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(scope, 'NodeSg', 'sg-0123456789abcdef0'),
    passedRoleArns: [`arn:aws:iam::${ENV.account}:role/neo4j-instance`, `arn:aws:iam::${ENV.account}:role/neo4j-task`],
  });
}
