#!/usr/bin/env node
/**
 * The role-ordered upgrade of an ArangoDB cluster (seed 003) described with ArangoUpgradeTarget.fromAttributes:
 * 3 agents, 3 DB servers, 2 coordinators, each its own ECS service with its own data volume, both auxiliary
 * hooks (DC2DC replication, automatic restarts). The rehearsal passes the emulator's servers through context
 * `arangoServers` (JSON [{role, serverId, endpoint}]); without it, addresses of a deployment on ECS.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ArangoUpgradeTarget, ClusterServer, RoleOrderedUpgrade } from '../../../lib';

export const ARANGO_ENVIRONMENT = 'arango-rehearsal';
export const ARANGO_VOLUME_NAME = 'arango-data';
export const ARANGO_ECS_CLUSTER = 'arango-rehearsal';

/** The 3/3/2 cluster's servers as the starter names them, at their ECS service discovery addresses. */
export function defaultServers(): Array<Omit<ClusterServer, 'ecsServiceName'>> {
  const of = (role: string, prefix: string, count: number, host: string, port: number) => Array.from({ length: count }, (_, i) => ({
    role, serverId: `${prefix}-${String(i + 1).padStart(4, '0')}`, endpoint: `http://${host}-${i + 1}.arango.internal:${port}`,
  }));
  return [...of('agents', 'AGNT', 3, 'agent', 8531), ...of('dbServers', 'PRMR', 3, 'dbserver', 8530), ...of('coordinators', 'CRDN', 2, 'coordinator', 8529)];
}

/** A hook function of the operator's (here a stand-in that answers; the rehearsal plays what it does). */
function hookFunction(stack: Stack, id: string, what: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (event) => ({ action: event.action });'),
    description: `arango hook: ${what}`,
  });
}

export function arangoApp(app: App): Stack {
  const stack = new Stack(app, 'ArangoUpgrade', { env: { account: '123456789012', region: 'us-east-1' } });
  const given = app.node.tryGetContext('arangoServers') as string | undefined;
  const servers = (given ? JSON.parse(given) as ReturnType<typeof defaultServers> : defaultServers())
    .map((s) => ({ ...s, ecsServiceName: `arango-${s.serverId.toLowerCase()}` }));
  // No custom resource restricting the default group: moto's CloudFormation would wait for it forever.
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  const credentials = new secretsmanager.Secret(stack, 'Credentials', {
    description: 'ArangoDB root password and the deployment JWT secret',
    generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'root' }), generateStringKey: 'password', excludePunctuation: true },
  });
  const replication = hookFunction(stack, 'ReplicationHook', 'DC2DC replication (arangosync stop sync / reestablish)');
  const restarts = hookFunction(stack, 'RestartPolicyHook', 'automatic restarts (Restart=no / Restart=on-failure)');
  const target = ArangoUpgradeTarget.fromAttributes(stack, 'Arango', {
    stackName: 'ArangoCluster',
    ecsClusterName: ARANGO_ECS_CLUSTER,
    servers,
    clusterCredentials: credentials,
    environmentName: ARANGO_ENVIRONMENT,
    dataVolumeName: ARANGO_VOLUME_NAME,
    vpc,
    serverSecurityGroup: new ec2.SecurityGroup(stack, 'Servers', { vpc, description: 'ArangoDB servers' }),
    passedRoleArns: [`arn:aws:iam::123456789012:role/arango-task-role`],
    replicationHook: { stop: replication, restore: replication },
    restartPolicyHook: { stop: restarts, restore: restarts },
  });
  new RoleOrderedUpgrade(stack, 'Upgrade', { target, minimumPatchBeforeMinor: { '3.3': 20 } });
  return stack;
}

if (require.main === module) {
  const app = new App();
  arangoApp(app);
  app.synth();
}
