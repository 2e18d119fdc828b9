import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseSnapshot, EngineCheck, EngineFleet, EngineFleetProps, NodeGrouping, SchemaFirstRollingUpgrade } from '../../lib';
import { acknowledgeRule, awsSolutions } from '../../lib/private/acknowledge';
import { unacknowledgedNagFindings } from '../support/nag';
import { resolvedDefinition } from '../support/state-machine-definition';

/** What a fleet's own stack has besides the fleet: the VPC, the load balancer, the database's secret and security group. */
function surroundings(stack: Stack) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
  const listener = alb.addListener('Http', { port: 80, open: false });
  const databaseSecret = new secretsmanager.Secret(stack, 'DatabaseSecret');
  const database = new ec2.SecurityGroup(stack, 'DatabaseSg', { vpc });
  acknowledgeRule(vpc, awsSolutions('VPC7'), 'The test\'s VPC: its flow logs are the owner\'s');
  acknowledgeRule(alb, awsSolutions('ELB2'), 'The test\'s load balancer: its access logs are the owner\'s');
  acknowledgeRule(databaseSecret, awsSolutions('SMG4'), 'The test\'s database secret: RDS or its owner rotates it');
  return { vpc, listener, databaseSecret, database };
}

function fleetProps(stack: Stack, over: Partial<EngineFleetProps> = {}): EngineFleetProps {
  const s = surroundings(stack);
  return {
    fleetName: 'camunda', image: 'camunda/camunda-bpm-platform:run-7.23.0', vpc: s.vpc, listener: s.listener,
    databaseSecret: s.databaseSecret, databaseJdbcUrl: 'jdbc:postgresql://db.example:5432/camunda', database: s.database,
    databaseSnapshot: DatabaseSnapshot.rdsInstance('camunda-db'), schemaImage: 'example/camunda-schema-upgrade:7.24.0',
    ...over,
  };
}

describe('EngineFleet', () => {
  const app = new App();
  const stack = new Stack(app, 'Fleet', { env: { account: '123456789012', region: 'us-east-1' } });
  const fleet = new EngineFleet(stack, 'Engines', fleetProps(stack));
  // The whole declaration of the upgrade: the fleet is its target as it is.
  new SchemaFirstRollingUpgrade(stack, 'Upgrade', { target: fleet, grouping: NodeGrouping.ONE_BY_ONE, engineCheck: EngineCheck.http({ path: '/engine-rest/engine' }) });
  const nag = unacknowledgedNagFindings(app);
  const template = Template.fromStack(stack);
  const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);

  test('one Fargate service of one task per node, each registered by ECS in the one IP target group with its health check', () => {
    const services = template.findResources('AWS::ECS::Service');
    expect(Object.keys(services)).toHaveLength(3);
    const tg = logicalId(fleet.targetGroup);
    for (const s of Object.values(services) as any[]) {
      expect(s.Properties).toMatchObject({ DesiredCount: 1, LaunchType: 'FARGATE', LoadBalancers: [{ ContainerName: 'camunda', ContainerPort: 8080, TargetGroupArn: { Ref: tg } }] });
    }
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip', Port: 8080, Protocol: 'HTTP', HealthCheckPath: '/engine-rest/engine', Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: tg } }] });
  });

  test('the engines get the pinned image, the JDBC settings and the database secret\'s username and password; the schema task all of its connection', () => {
    const secret = { Ref: Match.stringLikeRegexp('^DatabaseSecret') };
    const from = (key: string) => ({ 'Fn::Join': ['', [secret, `:${key}::`]] });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'camunda', Image: 'camunda/camunda-bpm-platform:run-7.23.0', PortMappings: [Match.objectLike({ ContainerPort: 8080 })],
        Environment: [{ Name: 'DB_DRIVER', Value: 'org.postgresql.Driver' }, { Name: 'DB_URL', Value: 'jdbc:postgresql://db.example:5432/camunda' }],
        Secrets: [{ Name: 'DB_USERNAME', ValueFrom: from('username') }, { Name: 'DB_PASSWORD', ValueFrom: from('password') }],
      })],
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'schema', Image: 'example/camunda-schema-upgrade:7.24.0', Environment: [{ Name: 'CAMUNDA_DATABASE_TYPE', Value: 'postgres' }],
        Secrets: ['PGHOST:host', 'PGPORT:port', 'PGUSER:username', 'PGPASSWORD:password', 'PGDATABASE:dbname']
          .map((pair) => ({ Name: pair.split(':')[0], ValueFrom: from(pair.split(':')[1]) })),
      })],
    });
  });

  test('the upgrade\'s fleet context names every node\'s service, the target group, the schema task and the roles it passes', () => {
    const definition = resolvedDefinition(template.toJSON()).definition;
    const cluster = definition.States['Read the request and the fleet'].Parameters.cluster;
    const serviceName = (i: number) => `${logicalId(fleet.services[i])}.Name`;
    expect(cluster.nodeGroups.map((g: any) => [g.groupId, g.nodes])).toEqual([0, 1, 2].map((i) => [`group-${i + 1}`, [{ nodeId: `engine-${i + 1}`, serviceName: serviceName(i) }]]));
    expect(cluster).toMatchObject({ fleetName: 'camunda', enginePort: 8080, engineContainerName: 'camunda', databaseSnapshot: { kind: 'rds-instance', identifier: 'camunda-db' } });
    expect(cluster.schemaTask).toMatchObject({ containerName: 'schema', databaseType: 'postgres', subnets: expect.arrayContaining([expect.any(String)]) });
    expect(cluster.schemaTask.securityGroups).toEqual([`${logicalId(fleet.schemaSecurityGroup)}.GroupId`]);
    expect(fleet.passedRoleArns).toHaveLength(4);
  });

  test('security groups: the load balancer and the engine check reach the engines on 8080; the engines and the schema task reach the database on 5432', () => {
    const engines = logicalId(fleet.engineSecurityGroup);
    const sources = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: { 'Fn::GetAtt': [engines, 'GroupId'] } } }))
      .map((r: any) => [r.Properties.FromPort, r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]]);
    expect(sources).toEqual(expect.arrayContaining([[8080, expect.stringMatching(/^AlbSecurityGroup/)], [8080, expect.stringMatching(/^UpgradeHandlers.*EngineCheck/)]]));
    for (const from of [engines, logicalId(fleet.schemaSecurityGroup)]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 5432, ToPort: 5432, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseSg'), 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [from, 'GroupId'] },
      });
    }
  });

  test('cdk-nag AwsSolutions leaves no unacknowledged finding', () => {
    expect(nag.map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test('node ids are zero-padded from 10 nodes, so groups follow the numeric order', () => {
    const s = new Stack(new App(), 'Twelve');
    const twelve = new EngineFleet(s, 'F', fleetProps(s, { nodeCount: 12 }));
    expect(NodeGrouping.percentage(25).groupsOf(twelve.nodes).map((g) => g.nodes.map((n) => n.nodeId.slice(7)).join(' ')))
      .toEqual(['01 02 03', '04 05 06', '07 08 09', '10 11 12']);
  });

  test('bad props are refused at synth, naming the prop and the value', () => {
    const refused = (over: Partial<EngineFleetProps>) => {
      const s = new Stack(new App(), 'Bad');
      return () => new EngineFleet(s, 'F', fleetProps(s, over));
    };
    expect(refused({ image: 'camunda/camunda-bpm-platform:latest' })).toThrow("Invalid image (got 'camunda/camunda-bpm-platform:latest'): the 'latest' tag");
    expect(refused({ image: 'camunda/camunda-bpm-platform' })).toThrow("Invalid image (got 'camunda/camunda-bpm-platform'): the image has no tag or digest");
    expect(refused({ image: 'camunda/camunda-bpm-platform:7.24' })).toThrow("Invalid image (got 'camunda/camunda-bpm-platform:7.24'): its tag must name the whole engine version");
    expect(refused({ image: `camunda/camunda-bpm-platform@sha256:${'a'.repeat(64)}` })).toThrow('its tag must name the whole engine version');
    expect(refused({ schemaImage: 'schema' })).toThrow("Invalid schemaImage (got 'schema'): the image has no tag or digest");
    expect(refused({ nodeCount: 1 })).toThrow('Invalid nodeCount (got 1): must be an integer from 2');
    expect(refused({ nodeCount: 2.5 })).toThrow('Invalid nodeCount (got 2.5)');
    expect(refused({ nodeCount: 100 })).toThrow('Invalid nodeCount (got 100)');
    expect(refused({ enginePort: 0 })).toThrow('Invalid enginePort (got 0): must be a TCP port');
    expect(refused({ databasePort: 70000 })).toThrow('Invalid databasePort (got 70000)');
    expect(refused({ deregistrationDelay: Duration.hours(2) })).toThrow('Invalid deregistrationDelay (got 7200 s): must be between 0 seconds and 1 hour');
    expect(refused({ fleetName: 'Camunda_Fleet' })).toThrow('Invalid fleetName (got "Camunda_Fleet")');
    expect(refused({ healthCheckPath: 'health' })).toThrow('Invalid healthCheckPath (got "health")');
    expect(refused({ listenerRulePriority: 10 })).toThrow('Invalid listenerRulePriority (got 10): is given with listenerConditions or not at all');
    expect(refused({ databaseType: 'Postgres!' })).toThrow('Invalid databaseType (got "Postgres!")');
    // The upgrade refuses a grouping that would leave no node of this fleet in service.
    const s = new Stack(new App(), 'Two');
    const two = new EngineFleet(s, 'F', fleetProps(s, { nodeCount: 2 }));
    expect(() => new SchemaFirstRollingUpgrade(s, 'U', { target: two, grouping: NodeGrouping.percentage(50) })).not.toThrow();
    expect(() => new SchemaFirstRollingUpgrade(s, 'V', { target: two, grouping: NodeGrouping.percentage(60) }))
      .toThrow("Invalid grouping (got 60 %): a group of 2 of the fleet's 2 node(s) would leave no node in service");
  });
});
