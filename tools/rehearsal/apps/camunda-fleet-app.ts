#!/usr/bin/env node
/**
 * The schema-first rolling upgrade of a Camunda 7 fleet (seed 002) described with
 * EngineFleetTarget.fromAttributes: three engine nodes, each its own ECS service behind one ALB target group,
 * an RDS PostgreSQL database and the one-off schema task; groups of one node, each checked at engine level
 * (the engine answers, its job executor runs) before it takes traffic again.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseSnapshot, EngineCheck, EngineFleetTarget, NodeGrouping, SchemaFirstRollingUpgrade } from '../../../lib';
import { acknowledgeRule, awsSolutions } from '../../../lib/private/acknowledge';

export const CAMUNDA_ECS_CLUSTER = 'camunda-rehearsal';
export const CAMUNDA_FLEET = 'camunda-rehearsal';
export const CAMUNDA_TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/camunda/0123456789abcdef';

/** The context key that overrides the target group ARN. */
export const TARGET_GROUP_CONTEXT = 'camunda:targetGroupArn';

export function camundaFleetApp(app: App, grouping: NodeGrouping = NodeGrouping.ONE_BY_ONE, nodeCount = 3): Stack {
  const stack = new Stack(app, 'CamundaUpgrade', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  const databaseSecret = new secretsmanager.Secret(stack, 'DatabaseSecret', {
    description: 'Camunda database credentials (host, port, username, password, dbname)',
    generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'camunda' }), generateStringKey: 'password', excludePunctuation: true },
  });
  // The VPC and the secret stand for the fleet's own, deployed elsewhere; the procedure's resources are checked in full.
  acknowledgeRule(vpc, awsSolutions('VPC7'), 'Stands for the engine fleet\'s VPC, whose flow logs its own stack configures');
  acknowledgeRule(databaseSecret, awsSolutions('SMG4'), 'Stands for the fleet\'s database secret, which RDS or its owner rotates');
  const target = EngineFleetTarget.fromAttributes(stack, 'Fleet', {
    stackName: 'CamundaFleet', fleetName: CAMUNDA_FLEET, ecsClusterName: CAMUNDA_ECS_CLUSTER,
    nodes: Array.from({ length: nodeCount }, (_, i) => ({ nodeId: `engine-${i + 1}`, ecsServiceName: `camunda-engine-${i + 1}` })),
    // The rehearsal passes the target group moto created (its ARN has moto's id).
    targetGroupArn: app.node.tryGetContext(TARGET_GROUP_CONTEXT) ?? CAMUNDA_TARGET_GROUP,
    databaseSecret,
    databaseSnapshot: DatabaseSnapshot.rdsInstance('camunda-db'),
    schemaTask: {
      taskDefinition: 'camunda-schema-upgrade', containerName: 'schema',
      subnets: vpc.privateSubnets, securityGroups: [new ec2.SecurityGroup(stack, 'SchemaTaskSg', { vpc })],
    },
    vpc,
    engineSecurityGroup: new ec2.SecurityGroup(stack, 'EngineSg', { vpc }),
    passedRoleArns: ['arn:aws:iam::123456789012:role/camunda-task'],
  });
  // CamundaNode's /health: 200 when the engine answers a query and its job executor is active.
  new SchemaFirstRollingUpgrade(stack, 'Upgrade', { target, grouping, engineCheck: EngineCheck.http({ path: '/health' }) });
  return stack;
}

if (require.main === module) {
  const app = new App();
  camundaFleetApp(app);
  app.synth();
}
