import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServerLayout } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { PER_SERVER_PROPS, clusterStack } from '../support/example-cluster';
import { unacknowledgedNagFindings } from '../support/nag';

const PER_SERVER = PER_SERVER_PROPS;

/** The image a server's task runs for given parameter values: Fn::If over the template's Fn::Equals condition. */
function imageOf(json: any, server: number, parameters: Record<string, string>): string {
  const value = (name: string) => parameters[name] ?? json.Parameters[name].Default;
  const taskDef = Object.values(json.Resources).find((r: any) => r.Type === 'AWS::ECS::TaskDefinition'
    && JSON.stringify(r.Properties.ContainerDefinitions[0].LogConfiguration).includes(`neo4j-server${server}`)) as any;
  const [condition, whenTrue, whenFalse] = taskDef.Properties.ContainerDefinitions[0].Image['Fn::If'];
  const [left, right] = json.Conditions[condition]['Fn::Equals'];
  const holds = value(left.Ref) === right;
  return value((holds ? whenTrue : whenFalse).Ref);
}

describe('Neo4jCluster with ServerLayout.SERVICE_PER_SERVER', () => {
  const { stack, cluster } = clusterStack(PER_SERVER);
  const template = Template.fromStack(stack);
  const json = template.toJSON();

  test('each server is its own one-task service, placed by its server attribute, stopped before it starts again', () => {
    expect(cluster.servers.map((s) => [s.serverNumber, s.imageParameterName])).toEqual([
      [1, 'Server1Image'], [2, 'Server2Image'], [3, 'Server3Image'],
    ]);
    expect(cluster.serverServices).toHaveLength(3);
    expect(cluster.stackParameters).toMatchObject({ dockerImage: 'DockerImage', server1Image: 'Server1Image', server3Image: 'Server3Image' });
    expect(cluster.mainService).toBe(cluster.serverServices[0]);
    // Each server is a node group of its own service; the main group is its Auto Scaling group alone.
    expect(cluster.nodeGroups.map((g) => [g.role, g.autoScalingGroupName !== undefined, g.ecsServiceName !== undefined])).toEqual([
      ['main', true, false], ['slave', true, true], ['server1', false, true], ['server2', false, true], ['server3', false, true],
    ]);
    for (const n of [1, 2, 3]) {
      template.hasResourceProperties('AWS::ECS::Service', {
        SchedulingStrategy: 'REPLICA', DesiredCount: 1,
        DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 0, MaximumPercent: 100 }),
        PlacementConstraints: [{ Type: 'memberOf', Expression: `attribute:neo4j.server == ${n}` }],
      });
    }
    // The slave-only group's daemon service remains (with no instance) and no main daemon service exists.
    template.resourcePropertiesCountIs('AWS::ECS::Service', { SchedulingStrategy: 'DAEMON' }, 1);
    template.hasResourceProperties('AWS::ECS::Service', {
      SchedulingStrategy: 'DAEMON', PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:neo4j.group == slave' }],
    });
  });

  test('a server parameter rolls that server alone; empty, it runs the cluster DockerImage', () => {
    expect(json.Parameters.Server2Image).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(json.Parameters.Server2Image.AllowedPattern);
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('neo4j:5.26.2-enterprise')).toBe(true);
    expect(pattern.test('neo4j with spaces')).toBe(false);
    expect([1, 2, 3].map((n) => imageOf(json, n, {}))).toEqual(Array(3).fill('neo4j:5.26.1-enterprise'));
    expect([1, 2, 3].map((n) => imageOf(json, n, { Server2Image: 'neo4j:5.26.2-enterprise' })))
      .toEqual(['neo4j:5.26.1-enterprise', 'neo4j:5.26.2-enterprise', 'neo4j:5.26.1-enterprise']);
    // The final update: DockerImage at the target, the server parameters cleared: the same image everywhere.
    expect([1, 2, 3].map((n) => imageOf(json, n, { DockerImage: 'neo4j:5.26.2-enterprise', Server1Image: 'neo4j:5.26.2-enterprise' })))
      .toEqual(Array(3).fill('neo4j:5.26.2-enterprise'));
  });

  test('a main node learns its server from its volume before joining ECS, and may write only the server tag', () => {
    const userData = Object.values(template.findResources('AWS::EC2::LaunchTemplate'))
      .map((lt: any) => JSON.stringify(lt.Properties.LaunchTemplateData.UserData))
      .find((u) => u.includes('claim-server-number.sh'))!;
    expect(userData).toBeDefined();
    const claimAt = userData.indexOf('NEO4J_SERVER=$(/opt/neo4j-upgrades/claim-server-number.sh)');
    expect(claimAt).toBeGreaterThan(userData.indexOf('/mount-data-volume.sh\\n'));
    expect(userData.indexOf('ECS_CLUSTER=')).toBeGreaterThan(claimAt);
    expect(userData).toContain('ECS_INSTANCE_ATTRIBUTES={\\\\\\"neo4j.group\\\\\\":\\\\\\"main\\\\\\",\\\\\\"neo4j.server\\\\\\":\\\\\\"$NEO4J_SERVER\\\\\\"}');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'TagServerNumber', Action: 'ec2:CreateTags',
        Condition: Match.objectLike({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['neo4j-upgrades:server'] } }),
      })]) },
    });
  });

  test('a main node claims its server number in the cluster\'s own SSM ledger: create and list under its path only', () => {
    const prefix = cluster.serverClaimParameterPrefix!;
    expect(prefix).toMatch(/^\/neo4j-upgrades\/[A-Za-z0-9_.-]+\/servers-claimed$/);
    const userData = Object.values(template.findResources('AWS::EC2::LaunchTemplate'))
      .map((lt: any) => JSON.stringify(lt.Properties.LaunchTemplateData.UserData))
      .find((u) => u.includes('claim-server-number.sh'))!;
    const exportAt = userData.indexOf(`export NEO4J_SERVER_CLAIM_PARAMETER_PREFIX='${prefix}'`);
    expect(exportAt).toBeGreaterThan(0);
    expect(exportAt).toBeLessThan(userData.indexOf('NEO4J_SERVER=$(/opt/neo4j-upgrades/claim-server-number.sh)'));
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: any) => statement.Sid === 'ServerClaimLedger');
    expect(statements).toHaveLength(1); // the main group's role only
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: ['ssm:GetParametersByPath', 'ssm:PutParameter'] });
    expect(statements[0].Resource.map((r: unknown) => JSON.stringify(r).replace(/^.*:parameter/, '').replace(/"\]\]}$|"$/, '')))
      .toEqual([prefix, `${prefix}/*`]);
    const deny = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: any) => statement.Sid === 'ServerClaimsAreNeverOverwritten');
    expect(deny).toHaveLength(1);
    expect(deny[0]).toMatchObject({ Effect: 'Deny', Action: 'ssm:PutParameter', Condition: { StringEquals: { 'ssm:Overwrite': 'true' } } });
    expect(deny[0].Resource).toEqual(statements[0].Resource);
  });

  test('the ledger path is one safe SSM segment per identity: kept when safe, else sanitized and told apart by a hash', () => {
    const pinned = (clusterIdentity: string) => clusterStack({ ...PER_SERVER, clusterIdentity }).cluster.serverClaimParameterPrefix;
    expect(pinned('prod-graph')).toBe('/neo4j-upgrades/prod-graph/servers-claimed');
    const slashed = pinned('prod/graph')!;
    const coloned = pinned('prod:graph')!;
    expect(slashed).toMatch(/^\/neo4j-upgrades\/prod-graph-[0-9a-f]{8}\/servers-claimed$/);
    expect(coloned).toMatch(/^\/neo4j-upgrades\/prod-graph-[0-9a-f]{8}\/servers-claimed$/);
    expect(new Set([slashed, coloned, pinned('prod-graph')]).size).toBe(3);
    expect(clusterStack().cluster.serverClaimParameterPrefix).toBeUndefined();
  });

  test('cdk-nag AwsSolutions leaves no unacknowledged finding', () => {
    const { app } = clusterStack(PER_SERVER, true);
    expect(unacknowledgedNagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test('every server task role is passed on a parameter change', () => {
    expect(cluster.passedRoleArns).toHaveLength(6 + 4);
  });

  test('the default layout has no servers and no server parameters', () => {
    const { cluster: plain, stack: plainStack } = clusterStack();
    expect(plain.servers).toEqual([]);
    expect(Object.keys(plain.stackParameters).filter((role) => role.startsWith('server'))).toEqual([]);
    expect(plain.serverLayout).toBe(ServerLayout.DAEMON_PER_GROUP);
    expect(Object.keys(Template.fromStack(plainStack).toJSON().Parameters).filter((p) => p.startsWith('Server'))).toEqual([]);
  });

  test.each([
    [{ capacity: { min: 1, max: 3, desired: 3 } }, /capacity.*min = max = desired/],
    [{ slaveCapacity: { min: 0, max: 1, desired: 1 } }, /slaveCapacity.*"desired":1.*no slave-only node/],
  ])('refuses a layout it cannot pin (%j)', (override, message) => {
    const build = () => clusterStack({ ...PER_SERVER, ...override });
    expect(build).toThrow(Neo4jUpgradesValidationError);
    expect(build).toThrow(message);
  });
});
