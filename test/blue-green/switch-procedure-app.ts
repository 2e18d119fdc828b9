/**
 * A small procedure built only from the blue/green fragments, for the synth test and the rehearsal:
 * the compatibility stop on green, then the switch with a bake; any failure ends at a Fail state after
 * the fragment's own switch-back. The client endpoint, the alarms and the credentials are given as
 * literal ARNs (an imported endpoint), so the definition resolves without a deployed stack.
 */
import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  CompatibilityQuery, CompatibilityStop, IClientEndpoint, Neo4jUpgradeTarget, Neo4jVersionFamily, StageContext,
  TrafficSwitchWithBake, UpgradeHandlers,
} from '../../lib';
import { appWithFeatureFlags } from '../support/app';
import { ACCOUNT, REGION, functionArn, resolvedDefinition } from '../support/state-machine-definition';

export const LOCK = '/neo4j-upgrades/prod/blue-green-lock';

export interface SwitchProcedureProps {
  readonly endpoint: IClientEndpoint;
  readonly alarmArns: string[];
  readonly credentialsSecretArn: string;
  readonly greenBoltUri: string;
  readonly queries: CompatibilityQuery[];
  readonly bakeTime: Duration;
  readonly switchTimeout?: Duration;
  readonly trafficSteps?: number[];
}

export function buildSwitchProcedure(props: SwitchProcedureProps) {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'BlueGreen', { env: { account: ACCOUNT, region: REGION } });
  const target = importedCluster(stack, 'Blue', 'prod', props.credentialsSecretArn);
  const handlers = new UpgradeHandlers(stack, 'Handlers', {
    target, lockParameterName: LOCK, clientEndpoint: props.endpoint,
    notificationTopic: new sns.Topic(stack, 'Notifications', { masterKey: kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns'), enforceSSL: true }),
    bakeAlarms: props.alarmArns.map((arn, i) => cloudwatch.Alarm.fromAlarmArn(stack, `Alarm${i}`, arn)),
  });
  const stopped = new sfn.Fail(stack, 'Stopped: traffic on blue', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const context = new StageContext(stopped, handlers);
  const definition = sfn.Chain
    .start(new CompatibilityStop(stack, 'Proof', {
      context, key: 'proof', title: 'Proof before the switch', greenBoltUri: props.greenBoltUri, queries: props.queries,
    }))
    .next(new TrafficSwitchWithBake(stack, 'Switch', {
      context, key: 'switch', title: 'Switch', bakeTime: props.bakeTime, switchTimeout: props.switchTimeout, trafficSteps: props.trafficSteps,
    }))
    .next(new sfn.Succeed(stack, 'Traffic on green'));
  new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(definition) });
  return { stack, handlers };
}

/** The synthesized definition (test/support/state-machine-definition.ts) and each task state's handler name. */
export function switchProcedureDefinition(built: ReturnType<typeof buildSwitchProcedure>) {
  return definitionWithHandlers(built.stack, built.handlers);
}

/** A stack's one state machine definition, resolved, and the handler each task state invokes. */
export function definitionWithHandlers(stack: Stack, handlers: UpgradeHandlers) {
  const template = Template.fromStack(stack).toJSON();
  const { definition } = resolvedDefinition(template);
  const handlerOfArn = new Map(Object.entries(handlers.deployed).map(([name, fn]) => [functionArn(stack.getLogicalId(fn.node.defaultChild as CfnElement)), name]));
  const handlerOfState: Record<string, string> = {};
  for (const [name, state] of Object.entries<{ Type: string; Parameters?: { FunctionName?: string } }>(definition.States)) {
    if (state.Type === 'Task') handlerOfState[name] = handlerOfArn.get(String(state.Parameters?.FunctionName)) ?? '';
  }
  return { template, definition, handlerOfState };
}

/** A cluster imported by its attributes (literal names and ARNs, so definitions resolve without a deployed stack). */
export function importedCluster(scope: Construct, id: string, environment: string, credentialsSecretArn: string) {
  return Neo4jUpgradeTarget.fromAttributes(scope, id, {
    stackName: `neo4j-${environment}`,
    parameterNames: {
      dockerImage: 'DockerImage', mode: 'Mode', slaveMode: 'SlaveMode', allowUpgrade: 'AllowUpgrade', minSize: 'MinSize',
      maxSize: 'MaxSize', desiredCapacity: 'DesiredCapacity', slaveMinSize: 'SlaveMinSize', slaveMaxSize: 'SlaveMaxSize',
      slaveDesiredCapacity: 'SlaveDesiredCapacity', versionFamily: 'VersionFamily',
    },
    environmentName: environment, dataVolumeName: `neo4j-${environment}-data`, versionFamily: Neo4jVersionFamily.V5,
    mainAutoScalingGroupName: `neo4j-${environment}-main`, slaveAutoScalingGroupName: `neo4j-${environment}-slave`, ecsClusterName: `neo4j-${environment}`,
    mainServiceName: 'neo4j-main', slaveServiceName: 'neo4j-slave',
    adminCredentials: secretsmanager.Secret.fromSecretCompleteArn(scope, `${id}Credentials`, credentialsSecretArn),
    vpc: ec2.Vpc.fromVpcAttributes(scope, `${id}Vpc`, {
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
    }),
    nodeSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(scope, `${id}NodeSg`, 'sg-0123456789abcdef0'),
    passedRoleArns: [`arn:aws:iam::${ACCOUNT}:role/neo4j-${environment}-instance`],
  });
}
