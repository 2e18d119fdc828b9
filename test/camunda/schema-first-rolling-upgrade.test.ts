import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ApprovalMode, DatabaseSnapshot, EngineCheck, EngineFleetTarget, EngineNode, NodeGrouping, SchemaFirstRollingUpgrade } from '../../lib';
import { camundaFleetApp } from '../../tools/rehearsal/apps/camunda-fleet-app';
import { cfnLintErrors } from '../support/cfn-lint';
import { upgradeStack } from '../support/example-upgrade';
import { unacknowledgedNagFindings } from '../support/nag';
import { resolvedDefinition } from '../support/state-machine-definition';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

function fleetIn(stack: Stack, nodes: EngineNode[]) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  return EngineFleetTarget.fromAttributes(stack, 'Fleet', {
    stackName: 'F', fleetName: 'f', ecsClusterName: 'c', nodes, targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1',
    databaseSecret: new secretsmanager.Secret(stack, 'S'), databaseSnapshot: DatabaseSnapshot.rdsInstance('db'),
    schemaTask: { taskDefinition: 'schema', containerName: 'schema', subnets: vpc.privateSubnets, securityGroups: [] },
    vpc, passedRoleArns: ['arn:aws:iam::1:role/t'],
  });
}
const nodes = (n: number): EngineNode[] => Array.from({ length: n }, (_, i) => ({ nodeId: `n${i + 1}`, ecsServiceName: `s${i + 1}` }));

describe('SchemaFirstRollingUpgrade', () => {
  const app = new App();
  const stack = camundaFleetApp(app);
  const template = Template.fromStack(stack);
  const definition = resolvedDefinition(template.toJSON()).definition;
  const states = definition.States as Record<string, any>;

  test('the definition is valid ASL', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  test('preflight validates, locks and snapshots the database before the schema task; the groups come after it', () => {
    const order = ['Preflight: validate the input and the version path', 'Preflight: keep the plan', 'Preflight: take the upgrade lock',
      'Preflight: snapshot the database'];
    for (let i = 0; i < order.length - 1; i++) expect([order[i], states[order[i]].Next]).toEqual([order[i], order[i + 1]]);
    expect(states['Preflight: validate the input and the version path'].Catch[0].Next).toBe('Refused before any change');
    expect(states['Preflight: snapshot the database'].Catch[0].Next).toBe('Preflight failed after the lock: release the lock');
    const schema = states['Schema: run the upgrade task once'];
    expect(schema.Catch[0].Next).toBe('Rollback: the groups this execution touched');
    expect(schema.Retry.some((r: any) => r.ErrorEquals.includes('StillInProgressError'))).toBe(true);
  });

  test('the groups run in a Map of MaxConcurrency 1 over the plan: isolate, drain, upgrade, engine check, integrate, approval; caught into the rollback', () => {
    const map = states['Node groups one at a time'];
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 1, ItemsPath: '$.plan.groups' });
    expect(map.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Rollback: the groups this execution touched' })]);
    const inner = map.ItemProcessor.States;
    expect(inner[map.ItemProcessor.StartAt].Parameters.Payload.action).toBe('isolate');
    expect(inner['Group: out of the load balancer'].Next).toBe('Group: wait out the deregistration delay');
    expect(inner['Group: wait out the deregistration delay'].Next).toBe('Group: its services on the new image');
    // The engine check asks the new tasks directly before they are registered again, polled on its own error until its timeout.
    expect(inner['Group: its services on the new image'].Next).toBe('Group: engine check (answers, job executor runs)');
    const check = inner['Group: engine check (answers, job executor runs)'];
    expect(check.Parameters.Payload).toMatchObject({ checkPath: '/health', 'groupId.$': '$.group.groupId', 'nodes.$': '$.group.nodes' });
    expect(check.Retry.find((r: any) => r.ErrorEquals.includes('EngineCheckFailedError'))).toMatchObject({ IntervalSeconds: 5 });
    expect(check.Catch).toBeUndefined();
    expect(check.Next).toBe('Group: back in the load balancer and healthy');
    expect(inner['Group: back in the load balancer and healthy'].Retry.some((r: any) => r.ErrorEquals.includes('TargetsUnhealthyError'))).toBe(true);
    expect(inner['Group: back in the load balancer and healthy'].Next).toBe('Group: Approval requested?');
  });

  test('the rollback returns the touched groups one at a time, each out of the load balancer first; then every node back in, the lock released; its failures keep the lock', () => {
    expect(states['Rollback: the groups this execution touched'].Parameters.Payload).toMatchObject({ action: 'touched', 'groups.$': '$.plan.groups' });
    expect(states['Rollback: the groups this execution touched'].ResultPath).toBe('$.progress.rollback');
    const turns = states['Rollback: touched groups back on the old image, one at a time'];
    expect(turns).toMatchObject({ Type: 'Map', MaxConcurrency: 1, ItemsPath: '$.progress.rollback.Payload.toReturn' });
    expect(states['Rollback: the groups this execution touched'].Next).toBe('Rollback: touched groups back on the old image, one at a time');
    const inner = turns.ItemProcessor.States;
    // A group's image changes only once it takes no traffic, as in its upgrade turn.
    expect(turns.ItemProcessor.StartAt).toBe('Rollback group: out of the load balancer');
    expect(inner['Rollback group: out of the load balancer'].Next).toBe('Rollback group: wait out the deregistration delay');
    expect(inner['Rollback group: wait out the deregistration delay'].Next).toBe('Rollback group: its services on the old image');
    expect(inner['Rollback group: its services on the old image'].Parameters.Payload).toMatchObject({ action: 'rollback', 'groups.$': 'States.Array($.group)' });
    expect(inner['Rollback group: its services on the old image'].Next).toBe('Rollback group: back in the load balancer and healthy');
    expect(inner['Rollback group: back in the load balancer and healthy'].Parameters.Payload).toMatchObject({ action: 'integrate', 'nodes.$': '$.group.nodes' });
    expect(turns.Next).toBe('Rollback: every node back in the load balancer and healthy');
    expect(states['Rollback: every node back in the load balancer and healthy'].Parameters.Payload).toMatchObject({ action: 'integrate', pruneStale: true, 'nodes.$': '$.cluster.nodes' });
    expect(states['Rollback: every node back in the load balancer and healthy'].Next).toBe('Rollback: release the lock');
    for (const name of ['Rollback: the groups this execution touched', 'Rollback: touched groups back on the old image, one at a time']) {
      expect(states[name].Catch[0].Next).toBe('Rollback failed: lock kept for an operator');
    }
  });

  test('the engine check\'s handler runs in the fleet\'s VPC, reads ECS only, and the engines\' security group admits it on the engine port', () => {
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('engine-check') } });
    expect(Object.keys(fns)).toHaveLength(1);
    const fn = Object.values(fns)[0] as any;
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toHaveLength(1);
    const handlerSg = fn.Properties.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: { 'Fn::GetAtt': [handlerSg, 'GroupId'] },
    });
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role));
    const actions = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat()));
    expect(actions.filter((a: string) => !a.startsWith('ec2:')).sort()).toEqual(['ecs:DescribeServices', 'ecs:DescribeTasks', 'ecs:ListTasks']);
  });

  test('without an engine check a group goes from its new image straight back into the load balancer; a bad check path or timeout is refused, naming it', () => {
    const s = new Stack(new App(), 'NoCheck');
    new SchemaFirstRollingUpgrade(s, 'U', { target: fleetIn(s, nodes(3)) });
    const inner = (Object.values(resolvedDefinition(Template.fromStack(s).toJSON()).definition.States as Record<string, any>).find((x: any) => x.Type === 'Map') as any).ItemProcessor.States;
    expect(inner['Group: its services on the new image'].Next).toBe('Group: back in the load balancer and healthy');
    expect(Object.keys(inner).some((k) => k.startsWith('Group: engine check'))).toBe(false);
    expect(() => EngineCheck.http({ path: 'actuator/health' })).toThrow('Invalid engineCheck.path (got "actuator/health"): must be an absolute path');
    expect(() => EngineCheck.http({ path: '/a b' })).toThrow('Invalid engineCheck.path');
    expect(() => EngineCheck.http({ path: '/health', timeout: Duration.seconds(5) })).toThrow('Invalid engineCheck.timeout (got 5 s)');
    expect(EngineCheck.CAMUNDA_SPRING_BOOT_ACTUATOR.path).toBe('/actuator/health');
  });

  test('the fleet context bakes the groups: stable membership in node-id order', () => {
    const start = states['Read the request and the fleet'];
    expect(start.Parameters.cluster.nodeGroups).toEqual([
      { groupId: 'group-1', position: '1/3', nodes: [{ nodeId: 'engine-1', serviceName: 'camunda-engine-1' }] },
      { groupId: 'group-2', position: '2/3', nodes: [{ nodeId: 'engine-2', serviceName: 'camunda-engine-2' }] },
      { groupId: 'group-3', position: '3/3', nodes: [{ nodeId: 'engine-3', serviceName: 'camunda-engine-3' }] },
    ]);
  });

  test('IAM: targets steered only in the fleet\'s target group, snapshots created but never deleted', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const steer = statements.find((s: any) => s.Sid === 'SteerTheTargets');
    expect(steer.Resource).toBe('arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/camunda/0123456789abcdef');
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => /Delete(DB|Snapshot|Volume)/.test(a))).toEqual([]);
  });

  test('cdk-nag AwsSolutions leaves no unacknowledged finding, and cfn-lint no error', () => {
    const nagApp = new App();
    camundaFleetApp(nagApp);
    expect(unacknowledgedNagFindings(nagApp).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
    expect(cfnLintErrors(template.toJSON())).toEqual([]);
  });

  test('groups: a percentage outside (0, 100), a size below 1 and a group that would leave no node in service are refused, naming them', () => {
    expect(() => NodeGrouping.percentage(0)).toThrow('Invalid grouping.percentage (got 0): must be in (0, 100)');
    expect(() => NodeGrouping.percentage(100)).toThrow('Invalid grouping.percentage (got 100): must be in (0, 100)');
    expect(() => NodeGrouping.ofSize(0)).toThrow('Invalid grouping.size (got 0): must be an integer of at least 1');
    const s = new Stack(new App(), 'S');
    expect(() => new SchemaFirstRollingUpgrade(s, 'U', { target: fleetIn(s, nodes(3)), grouping: NodeGrouping.ofSize(3) }))
      .toThrow("Invalid grouping (got size 3): a group of 3 of the fleet's 3 node(s) would leave no node in service");
    expect(() => NodeGrouping.percentage(60).groupsOf(nodes(2))).toThrow(/a group of 2 of the fleet's 2 node\(s\) would leave no node in service/);
  });

  test('approvals: between groups here, never after a store upgrade; and the staged Neo4j upgrade refuses between-groups', () => {
    const s = new Stack(new App(), 'S');
    expect(() => new SchemaFirstRollingUpgrade(s, 'U', { target: fleetIn(s, nodes(3)), approvalMode: ApprovalMode.AFTER_STORE_UPGRADE }))
      .toThrow('Invalid approvalMode (got after-store-upgrade): a rolling upgrade upgrades no store: use NONE or BETWEEN_GROUPS');
    const t = new Stack(new App(), 'T');
    new SchemaFirstRollingUpgrade(t, 'U', { target: fleetIn(t, nodes(3)), approvalMode: ApprovalMode.BETWEEN_GROUPS });
    const start = resolvedDefinition(Template.fromStack(t).toJSON()).definition.States['Read the request and the fleet'];
    expect(start.Parameters.defaults).toEqual({ approvalMode: 'between-groups', approvalSeconds: 86400 });
    expect(() => upgradeStack({ approvalMode: ApprovalMode.BETWEEN_GROUPS }))
      .toThrow('Invalid approvalMode (got between-groups): the staged upgrade has no node groups: use NONE or AFTER_STORE_UPGRADE');
  });

  test('groups: 33 % of 7 nodes is groups of 3, in node-id order whatever the given order', () => {
    const given = [...nodes(7)].reverse();
    expect(NodeGrouping.percentage(33).groupsOf(given).map((g) => g.nodes.map((n) => n.nodeId))).toEqual([['n1', 'n2', 'n3'], ['n4', 'n5', 'n6'], ['n7']]);
  });

  test('the fleet refuses one node, a node id given twice and an empty service name', () => {
    expect(() => fleetIn(new Stack(new App(), 'A'), nodes(1))).toThrow(/Invalid nodes \(got 1 node\(s\)\): a rolling upgrade needs at least two nodes/);
    expect(() => fleetIn(new Stack(new App(), 'B'), [...nodes(2), { nodeId: 'n1', ecsServiceName: 'x' }])).toThrow('Invalid nodes[2].nodeId (got "n1"): is given twice');
    expect(() => fleetIn(new Stack(new App(), 'C'), [...nodes(2), { nodeId: 'n3', ecsServiceName: '' }])).toThrow('Invalid nodes[2].ecsServiceName (got ""): must be a non-empty string');
  });
});
