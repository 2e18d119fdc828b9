import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Neo4jClientEndpoint, UpgradeHandler, UpgradeHandlers } from '../../lib';
import { cfnLintErrors } from '../support/cfn-lint';
import { clusterStack } from '../support/example-cluster';
import { unacknowledgedNagFindings } from '../support/nag';

const LOCK = '/neo4j-upgrades/production/blue-green-lock';

/** The example cluster with its client endpoint and the traffic switch's function. */
function endpointStack() {
  const { app, stack, cluster } = clusterStack();
  const endpoint = new Neo4jClientEndpoint(stack, 'Endpoint', { cluster });
  const notificationTopic = new sns.Topic(stack, 'Topic', { masterKey: kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns'), enforceSSL: true });
  const handlers = new UpgradeHandlers(stack, 'Handlers', { target: cluster, lockParameterName: LOCK, notificationTopic, clientEndpoint: endpoint });
  handlers.functionFor(UpgradeHandler.TRAFFIC_SWITCH);
  return { app, stack, cluster, endpoint };
}

describe('Neo4jClientEndpoint', () => {
  const { app, stack, cluster, endpoint } = endpointStack();
  const template = Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

  test('an internal network load balancer whose Bolt listener forwards to blue', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', Scheme: 'internal' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 7687, Protocol: 'TCP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: id(endpoint.blueTargetGroup) } }],
    });
    expect(Stack.of(stack).resolve(endpoint.boltUri)).toEqual({ 'Fn::Join': ['', ['bolt://', { 'Fn::GetAtt': [id(endpoint.loadBalancer), 'DNSName'] }, ':7687']] });
    expect(Stack.of(stack).resolve(endpoint.targetGroupArns)).toEqual({ blue: { Ref: id(endpoint.blueTargetGroup) }, green: { Ref: id(endpoint.greenTargetGroup) } });
  });

  test('both node groups are blue\'s targets; green has none yet; both check Bolt over TCP', () => {
    for (const asg of [cluster.mainAutoScalingGroup, cluster.slaveAutoScalingGroup]) {
      expect(template.toJSON().Resources[id(asg)].Properties.TargetGroupARNs).toEqual([{ Ref: id(endpoint.blueTargetGroup) }]);
    }
    const groups = template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(Object.keys(groups).sort()).toEqual([id(endpoint.blueTargetGroup), id(endpoint.greenTargetGroup)].sort());
    for (const g of Object.values(groups)) {
      expect(g.Properties).toMatchObject({ Port: 7687, Protocol: 'TCP', TargetType: 'instance', HealthCheckProtocol: 'TCP' });
      expect(g.Properties.Targets).toBeUndefined();
    }
  });

  test('the load balancer reaches the nodes on Bolt only, and the nodes let it in on Bolt only', () => {
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).filter((r) =>
      JSON.stringify(r.Properties.GroupId).includes('EndpointSecurityGroup'));
    expect(egress.map((r) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.DestinationSecurityGroupId]))
      .toEqual([[7687, 7687, { 'Fn::GetAtt': [id(cluster.securityGroup), 'GroupId'] }]]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [id(cluster.securityGroup), 'GroupId'] }, FromPort: 7687, ToPort: 7687,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] },
    });
    const fromEndpoint = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) =>
      JSON.stringify(r.Properties.SourceSecurityGroupId ?? '').includes('EndpointSecurityGroup'));
    expect(fromEndpoint.map((r) => r.Properties.FromPort)).toEqual([7687]);
  });

  test('the traffic switch may modify this listener only, and its record under the lock path', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p).includes('MoveTheListener'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'MoveTheListener', Action: 'elasticloadbalancing:ModifyListener', Resource: { Ref: id(endpoint.listener) } }),
      expect.objectContaining({ Sid: 'DescribeTheListeners', Action: 'elasticloadbalancing:DescribeListeners', Resource: '*' }),
      expect.objectContaining({ Sid: 'TheSwitchRecord', Action: ['ssm:GetParameter', 'ssm:PutParameter'] }),
    ]));
    expect(JSON.stringify(statements.find((s) => s.Sid === 'TheSwitchRecord').Resource)).toContain(`parameter${LOCK}/traffic-switch"`);
    expect(statements).toHaveLength(3);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding; cfn-lint: no error', () => {
    expect(cfnLintErrors(template.toJSON())).toEqual([]);
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });
});

describe('Neo4jClientEndpoint and the traffic switch refuse bad props at synth', () => {
  test.each([
    [Duration.seconds(3601), /Invalid deregistrationDelay \(got 3601 seconds\): must be a whole number of seconds from 0 to 3600/],
    [Duration.millis(1500), /Invalid deregistrationDelay \(got 1.5 seconds\)/],
  ])('deregistrationDelay %s', (deregistrationDelay, message) => {
    const { stack, cluster } = clusterStack();
    expect(() => new Neo4jClientEndpoint(stack, 'Endpoint', { cluster, deregistrationDelay })).toThrow(message);
  });

  test('a traffic switch without a client endpoint names the missing prop', () => {
    const { stack, cluster } = clusterStack();
    const handlers = new UpgradeHandlers(stack, 'Handlers', { target: cluster, lockParameterName: LOCK, notificationTopic: new sns.Topic(stack, 'Topic') });
    expect(() => handlers.functionFor(UpgradeHandler.TRAFFIC_SWITCH)).toThrow(/Invalid clientEndpoint \(got undefined\).*give UpgradeHandlers a clientEndpoint/);
  });
});
