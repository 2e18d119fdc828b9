/**
 * What the blue/green upgrade's rehearsal needs beyond the switch's: blue's stack on moto (its parameters,
 * as the preflight reads them) and its tagged data volumes, the dependencies every handler's logic takes
 * (real SDK clients on moto, the real Neo4j servers over Bolt), and the harness's one seam for what
 * embedded Community cannot do: `ALTER DATABASE ... SET ACCESS READ ONLY` (Enterprise) answered by the
 * load balancer's stand-in refusing blue's connections while the freeze holds; and moto's missing drift
 * detection answered in sync.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { performance } from 'node:perf_hooks';
import type { Driver } from 'neo4j-driver';
import { connectBolt } from '../../lambda/shared/bolt';
import { Logger } from '../../lambda/shared/log';
import { ListenerProxy } from '../../tools/listener-proxy';
import { connect } from '../../validator/connect';
import { MotoServer, motoClientConfig } from '../support/moto';

export const BLUE_IMAGE = 'neo4j:5.26.30-enterprise';

/** Blue's stack (the parameters the preflight reads and records) and two data volumes tagged as blue's. */
export async function createBlueOnMoto(moto: MotoServer): Promise<string> {
  const config = motoClientConfig(moto);
  const parameters: Record<string, string> = {
    DockerImage: BLUE_IMAGE, Mode: 'CORE', SlaveMode: 'READ_REPLICA', AllowUpgrade: 'false', MinSize: '1', MaxSize: '1',
    DesiredCapacity: '1', SlaveMinSize: '1', SlaveMaxSize: '1', SlaveDesiredCapacity: '1', VersionFamily: '5',
  };
  const stackId = (await new CloudFormationClient(config).send(new CreateStackCommand({
    StackName: 'neo4j-prod',
    TemplateBody: JSON.stringify({
      Parameters: Object.fromEntries(Object.keys(parameters).map((k) => [k, { Type: 'String' }])),
      Resources: { Marker: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'blue', Name: '/neo4j-prod/marker' } } },
    }),
    Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  }))).StackId!;
  const ec2 = new EC2Client(config);
  for (const zone of ['us-east-1a', 'us-east-1b']) {
    await ec2.send(new CreateVolumeCommand({
      AvailabilityZone: zone, Size: 20, VolumeType: 'gp3',
      TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'neo4j-prod-data' }, { Key: 'Environment', Value: 'prod' }] }],
    }));
  }
  return stackId;
}

/**
 * moto 5.2.1 does not implement drift detection: answered DETECTION_COMPLETE, IN_SYNC (as the full
 * rehearsal's `drift` adaptation does, tools/rehearsal/adaptations.ts).
 */
function inSyncDrift(cfn: CloudFormationClient, stackId: string): CloudFormationClient {
  const answers: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeStackResourceDriftsCommand: () => ({ StackResourceDrifts: [] }),
    DetectStackDriftCommand: () => ({ StackDriftDetectionId: `rehearsal-drift-${Date.now()}` }),
    DescribeStackDriftDetectionStatusCommand: (input) => ({
      StackId: stackId, StackDriftDetectionId: input.StackDriftDetectionId, StackDriftStatus: 'IN_SYNC',
      DetectionStatus: 'DETECTION_COMPLETE', DriftedStackResourceCount: 0, Timestamp: new Date(),
    }),
  };
  cfn.middlewareStack.add((next, context) => async (args) => {
    const answer = answers[context.commandName ?? ''];
    return answer ? { output: answer(args.input as Record<string, unknown>) as never, response: {} } : next(args);
  }, { step: 'initialize', name: 'inSyncDrift' });
  return cfn;
}

/** The write freeze's seam: the statement blue would run (Enterprise) becomes the stand-in refusing blue. */
export function freezeSeam(proxy: ListenerProxy, blueGroup: string, events: { access: string; at: number }[]) {
  return (): Driver => ({
    executeQuery: async (cypher: string) => {
      const access = /SET ACCESS (READ ONLY|READ WRITE)/.exec(cypher)?.[1];
      if (!access) throw new Error(`the freeze seam answers only ALTER DATABASE ... SET ACCESS, got ${cypher}`);
      if (access === 'READ ONLY') proxy.hold(blueGroup); else proxy.unhold();
      events.push({ access, at: Date.now() });
      return { records: [], summary: {} };
    },
    close: async () => undefined,
  }) as unknown as Driver;
}

/** Every handler's dependencies as its index.ts builds them, on moto and the real servers. */
export function handlerDeps(moto: MotoServer, handler: string, log: Logger, seams: { freeze: () => Driver; stackId: string }): Record<string, unknown> {
  const config = motoClientConfig(moto);
  const boltFor: Record<string, unknown> = { 'bake-watch': connectBolt, 'write-freeze': seams.freeze };
  return {
    region: 'us-east-1', now: () => new Date(), clock: () => performance.now(), log,
    cfn: inSyncDrift(new CloudFormationClient(config), seams.stackId), ssm: new SSMClient(config), ec2: new EC2Client(config), autoScaling: new AutoScalingClient(config),
    ecs: new ECSClient(config), secrets: new SecretsManagerClient(config), sns: new SNSClient(config), cloudwatch: new CloudWatchClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    connect: boltFor[handler] ?? ((uri: string, credentials: { username: string; password: string }) => connect(uri, credentials)),
  };
}
