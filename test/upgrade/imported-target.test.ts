/**
 * The staged upgrade of a cluster this app did not build: seed 000's own stack, described by its stack
 * name, parameter names, groups, services, secret, VPC and node security group.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Neo4jStagedUpgrade, Neo4jUpgradeTarget, Neo4jUpgradeTargetAttributes, Neo4jVersionFamily } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { appWithFeatureFlags } from '../support/app';
import { cfnLintErrors } from '../support/cfn-lint';
import { unacknowledgedNagFindings } from '../support/nag';
import { resolvedDefinition } from '../support/state-machine-definition';

// asl-validator has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

const PARAMETER_NAMES = {
  dockerImage: 'DockerImage', mode: 'Mode', slaveMode: 'SlaveMode', allowUpgrade: 'AllowUpgrade', minSize: 'MinSize',
  maxSize: 'MaxSize', desiredCapacity: 'DesiredCapacity', slaveMinSize: 'SlaveMinSize', slaveMaxSize: 'SlaveMaxSize',
  slaveDesiredCapacity: 'SlaveDesiredCapacity',
};
const ROLES = ['arn:aws:iam::123456789012:role/neo4j-prod-instance', 'arn:aws:iam::123456789012:role/neo4j-prod-task'];

function build(over: Partial<Neo4jUpgradeTargetAttributes> = {}) {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'Neo4jUpgrades', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = Neo4jUpgradeTarget.fromAttributes(stack, 'Seed000Cluster', {
    stackName: 'neo4j-prod',
    parameterNames: PARAMETER_NAMES,
    environmentName: 'prod',
    dataVolumeName: 'neo4j-prod-data',
    versionFamily: Neo4jVersionFamily.V3_5_HA,
    mainAutoScalingGroupName: 'neo4j-prod-main',
    slaveAutoScalingGroupName: 'neo4j-prod-slave',
    ecsClusterName: 'neo4j-prod',
    mainServiceName: 'neo4j-main',
    slaveServiceName: 'neo4j-slave',
    adminCredentials: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Credentials',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-prod-admin-AbCdEf'),
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
    }),
    nodeSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'NodeSg', 'sg-0123456789abcdef0'),
    passedRoleArns: ROLES,
    ...over,
  });
  const upgrade = new Neo4jStagedUpgrade(stack, 'Upgrade', { cluster, boltUri: 'bolt://neo4j.prod.internal:7687', finalCapacity: 3 });
  return { app, stack, upgrade };
}

describe('Neo4jStagedUpgrade of a cluster deployed by another stack', () => {
  const { app, stack } = build();
  const template = Template.fromStack(stack);
  const { definition } = resolvedDefinition(template.toJSON());
  const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
  const bySid = (sid: string) => statements.filter((s) => s.Sid === sid);

  test('the definition is valid and carries the described cluster', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(definition.States['Read the request and the cluster settings'].Parameters.cluster).toMatchObject({
      stackName: 'neo4j-prod', parameterNames: PARAMETER_NAMES, dataVolumeName: 'neo4j-prod-data', environmentName: 'prod',
      mainAutoScalingGroupName: 'neo4j-prod-main', slaveAutoScalingGroupName: 'neo4j-prod-slave', ecsClusterName: 'neo4j-prod',
      mainServiceName: 'neo4j-main', slaveServiceName: 'neo4j-slave', versionFamily: '3.5',
      credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-prod-admin-AbCdEf',
    });
  });

  test('IAM is scoped to the described stack, services, group and roles', () => {
    const resources = (sid: string) => bySid(sid).flatMap((s) => [].concat(s.Resource)).map((r) => JSON.stringify(r));
    expect(resources('UpdateTheTargetStack').join()).toContain(':stack/neo4j-prod/*');
    expect(resources('DescribeTheServices').join()).toMatch(/:service\/neo4j-prod\/neo4j-main.*:service\/neo4j-prod\/neo4j-slave/);
    expect(resources('ProtectTheMaster').join()).toContain('autoScalingGroupName/neo4j-prod-main');
    expect(bySid('PassTheTargetRoles').flatMap((s) => s.Resource)).toEqual(ROLES);
  });

  test('the Bolt handlers get ingress to the nodes\' security group on 7687', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 7687, ToPort: 7687 });
  });

  test('cdk-nag stays clean and cfn-lint reports no errors', () => {
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
    expect(cfnLintErrors(app.synth().getStackByName('Neo4jUpgrades').template)).toEqual([]);
  });
});

describe('Neo4jUpgradeTarget.fromAttributes refuses', () => {
  test.each([
    [{ stackName: ' ' }, 'stackName'],
    [{ mainServiceName: '' }, 'mainServiceName'],
    [{ parameterNames: { ...PARAMETER_NAMES, mode: 'Mode-1' } }, 'parameterNames.mode'],
    [{ passedRoleArns: [] }, 'passedRoleArns'],
  ])('%j naming %s', (over, prop) => {
    let error: unknown;
    try {
      build(over);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Neo4jUpgradesValidationError);
    expect(error).toMatchObject({ prop });
  });
});
