/**
 * The blue/green upgrade as an app would declare it, for the synth test and the rehearsal: blue and
 * green imported by their attributes (green shares blue's credentials secret), the client endpoint and
 * the bake alarms as literal ARNs, so the definition resolves without a deployed stack.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CompatibilityQuery, IClientEndpoint, Neo4jBlueGreenUpgrade } from '../../lib';
import { appWithFeatureFlags } from '../support/app';
import { ACCOUNT, REGION } from '../support/state-machine-definition';
import { definitionWithHandlers, importedCluster } from './switch-procedure-app';

export const UPGRADE_LOCK = '/neo4j-upgrades/prod/blue-green-lock';
export const UPGRADE_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:neo4j-blue-green`;

export interface BlueGreenAppProps {
  readonly endpoint: IClientEndpoint;
  readonly alarmArns: string[];
  readonly credentialsSecretArn: string;
  readonly blueBoltUri: string;
  readonly greenBoltUri: string;
  readonly queries: CompatibilityQuery[];
  readonly bakeTime: Duration;
  readonly maxWriteFreeze?: Duration;
  readonly maxSlowdown?: number;
  readonly trafficSteps?: number[];
}

export function buildBlueGreenUpgrade(props: BlueGreenAppProps) {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'BlueGreenUpgrade', { env: { account: ACCOUNT, region: REGION } });
  const upgrade = new Neo4jBlueGreenUpgrade(stack, 'Upgrade', {
    blue: importedCluster(stack, 'Blue', 'prod', props.credentialsSecretArn),
    green: importedCluster(stack, 'Green', 'prod-green', props.credentialsSecretArn),
    blueBoltUri: props.blueBoltUri, greenBoltUri: props.greenBoltUri, endpoint: props.endpoint,
    compatibilityQueries: props.queries, bakeTime: props.bakeTime, maxWriteFreeze: props.maxWriteFreeze, maxSlowdown: props.maxSlowdown, trafficSteps: props.trafficSteps,
    bakeAlarms: props.alarmArns.map((arn, i) => cloudwatch.Alarm.fromAlarmArn(stack, `Alarm${i}`, arn)),
    lockParameterName: UPGRADE_LOCK, notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', UPGRADE_TOPIC),
  });
  return { app, stack, upgrade };
}

/** The synthesized definition and each task state's handler name. */
export function blueGreenDefinition(built: ReturnType<typeof buildBlueGreenUpgrade>) {
  return definitionWithHandlers(built.stack, built.upgrade.handlers);
}
