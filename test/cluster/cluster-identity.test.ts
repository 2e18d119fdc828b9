/**
 * Issue 17: every cluster has an identity that no other cluster in the region shares, carried by its
 * instances, claimed volumes and upgrade lock; what one app can see of two clusters sharing a volume pool,
 * an identity or a stack parameter is refused at synth with our validation error naming the props.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Neo4jCluster, Neo4jClusterProps, Neo4jStagedUpgrade } from '../../lib';
import { Neo4jUpgradesValidationError } from '../../lib/errors';
import { appWithFeatureFlags } from '../support/app';
import { EXAMPLE_PROPS } from '../support/example-cluster';

const ENV = { account: '123456789012', region: 'us-east-1' };

function cluster(stack: Stack, id: string, props: Partial<Neo4jClusterProps> = {}): Neo4jCluster {
  return new Neo4jCluster(stack, id, { ...EXAMPLE_PROPS, ...props });
}

function thrown(build: () => unknown): Neo4jUpgradesValidationError {
  try {
    build();
  } catch (e) {
    if (e instanceof Neo4jUpgradesValidationError) return e;
    throw new Error(`expected Neo4jUpgradesValidationError, got ${(e as Error).message}`, { cause: e });
  }
  throw new Error('nothing was thrown');
}

function userData(stack: Stack): string {
  const templates = Object.values<any>(Template.fromStack(stack).toJSON().Resources).filter((r) => r.Type === 'AWS::EC2::LaunchTemplate');
  return JSON.stringify(templates.map((t) => t.Properties.LaunchTemplateData.UserData));
}

describe('the cluster identity', () => {
  test('defaults to <stack name>/<hash of the construct path>, different for every cluster of an app', () => {
    const app = appWithFeatureFlags();
    const a = new Stack(app, 'StackA', { env: ENV });
    const b = new Stack(app, 'StackB', { env: ENV });
    const ids = [
      cluster(a, 'Neo4j', { environmentName: 'one' }),
      cluster(a, 'Other', { environmentName: 'two', parameterPrefix: 'Other' }),
      cluster(b, 'Neo4j', { environmentName: 'three' }),
    ].map((c) => c.clusterIdentity);
    expect(ids[0]).toMatch(/^StackA\/[0-9a-f]{8}$/);
    expect(ids[1]).toMatch(/^StackA\/[0-9a-f]{8}$/);
    expect(ids[2]).toMatch(/^StackB\/[0-9a-f]{8}$/);
    expect(new Set(ids).size).toBe(3);
  });

  test('is on every instance, in the claim script\'s environment, and in the attach and create conditions', () => {
    const app = appWithFeatureFlags();
    const stack = new Stack(app, 'Test', { env: ENV });
    const c = cluster(stack, 'Neo4j', { clusterIdentity: 'prod-graph' });
    const template = Template.fromStack(stack);
    for (const group of Object.values<any>(template.findResources('AWS::AutoScaling::AutoScalingGroup'))) {
      expect(group.Properties.Tags).toContainEqual({ Key: 'neo4j-upgrades:cluster', Value: 'prod-graph', PropagateAtLaunch: true });
    }
    expect(userData(stack)).toContain("export NEO4J_CLAIM_CLUSTER_ID='prod-graph'");
    expect(userData(stack)).toContain("export NEO4J_CLUSTER_TAG_VALUE='prod-graph'");
    expect(userData(stack)).toContain("export NEO4J_CLAIM_ADOPT_UNTAGGED='false'");
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = (sid: string) => statements.filter((s) => s.Sid === sid);
    expect(bySid('AttachClusterDataVolumes')[0].Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/Environment': 'production', 'aws:ResourceTag/neo4j-upgrades:cluster': 'prod-graph' },
    });
    expect(bySid('CreateTaggedDataVolume')[0].Condition.StringEquals['aws:RequestTag/neo4j-upgrades:cluster']).toBe('prod-graph');
    expect(bySid('AdoptUntaggedDataVolumes')).toEqual([]);
    expect(c.targetName).toBe('prod-graph');
  });

  test('adopting untagged volumes lets the nodes claim and tag a volume without an identity, and nothing else', () => {
    const app = appWithFeatureFlags();
    const stack = new Stack(app, 'Test', { env: ENV });
    cluster(stack, 'Neo4j', { clusterIdentity: 'prod-graph', adoptUntaggedVolumes: true });
    expect(userData(stack)).toContain("export NEO4J_CLAIM_ADOPT_UNTAGGED='true'");
    const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(bySid('AttachClusterDataVolumes').Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/Environment': 'production' },
      StringEqualsIfExists: { 'aws:ResourceTag/neo4j-upgrades:cluster': 'prod-graph' },
    });
    expect(bySid('AdoptUntaggedDataVolumes')).toMatchObject({
      Action: 'ec2:CreateTags',
      Condition: {
        StringEquals: { 'aws:ResourceTag/Environment': 'production', 'aws:RequestTag/neo4j-upgrades:cluster': 'prod-graph' },
        StringEqualsIfExists: { 'aws:ResourceTag/neo4j-upgrades:cluster': 'prod-graph' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['neo4j-upgrades:cluster'] },
      },
    });
  });

  test('names the default upgrade lock, so two clusters of one environment do not share it', () => {
    const app = appWithFeatureFlags();
    const stack = new Stack(app, 'Test', { env: ENV });
    const first = cluster(stack, 'First', { dataVolume: { name: 'first-data' }, parameterPrefix: 'First' });
    const second = cluster(stack, 'Second', { dataVolume: { name: 'second-data' }, parameterPrefix: 'Second' });
    const locks = [first, second].map((c, i) => new Neo4jStagedUpgrade(stack, `Upgrade${i}`, { cluster: c }).lockParameterName);
    expect(locks).toEqual([`/neo4j-upgrades/${first.clusterIdentity}/lock`, `/neo4j-upgrades/${second.clusterIdentity}/lock`]);
    expect(locks[0]).not.toBe(locks[1]);
  });

  test.each([
    ['an empty identity', ''],
    ['spaces', 'prod graph'],
    ['a double slash', 'prod//graph'],
    ['a leading slash', '/prod'],
  ])('refuses %s, naming clusterIdentity', (_case, identity) => {
    const error = thrown(() => cluster(new Stack(appWithFeatureFlags(), 'Test', { env: ENV }), 'Neo4j', { clusterIdentity: identity }));
    expect(error.prop).toBe('clusterIdentity');
    expect(error.message).toContain(`'${identity}'`);
  });
});

describe('what one app can see of two clusters is refused at synth', () => {
  test('the same environment and data volume name twice in one stack', () => {
    const stack = new Stack(appWithFeatureFlags(), 'Test', { env: ENV });
    cluster(stack, 'First', { parameterPrefix: 'First' });
    const error = thrown(() => cluster(stack, 'Second', { parameterPrefix: 'Second' }));
    expect(error.prop).toBe('environmentName and dataVolume.name');
    expect(error.message).toContain("'production' and 'neo4j-production-data'");
    expect(error.message).toContain('Test/First');
  });

  test('the same environment and data volume name in two stacks of one app', () => {
    const app: App = appWithFeatureFlags();
    cluster(new Stack(app, 'A', { env: ENV }), 'Neo4j');
    const error = thrown(() => cluster(new Stack(app, 'B', { env: ENV }), 'Neo4j'));
    expect(error.prop).toBe('environmentName and dataVolume.name');
    expect(error.message).toContain('A/Neo4j');
  });

  test('the same environment with other volume names is accepted, each cluster with its own identity', () => {
    const stack = new Stack(appWithFeatureFlags(), 'Test', { env: ENV });
    const a = cluster(stack, 'First', { parameterPrefix: 'First', dataVolume: { name: 'first-data' } });
    const b = cluster(stack, 'Second', { parameterPrefix: 'Second', dataVolume: { name: 'second-data' } });
    expect(a.clusterIdentity).not.toBe(b.clusterIdentity);
  });

  test('the same explicit identity twice', () => {
    const app = appWithFeatureFlags();
    cluster(new Stack(app, 'A', { env: ENV }), 'Neo4j', { clusterIdentity: 'graph', environmentName: 'a' });
    const error = thrown(() => cluster(new Stack(app, 'B', { env: ENV }), 'Neo4j', { clusterIdentity: 'graph', environmentName: 'b' }));
    expect(error.prop).toBe('clusterIdentity');
    expect(error.message).toContain("'graph'");
  });

  test.each([
    ['no prefix on both', undefined, undefined, 'DockerImage'],
    ['the same prefix', 'Graph', 'Graph', 'GraphDockerImage'],
    ['Graph and GraphSlave', 'Graph', 'GraphSlave', 'GraphSlaveMode'],
    ['GraphSlave and Graph', 'GraphSlave', 'Graph', 'GraphSlaveMode'],
  ])('parameter names that collide: %s', (_case, first, second, shared) => {
    const stack = new Stack(appWithFeatureFlags(), 'Test', { env: ENV });
    cluster(stack, 'First', { parameterPrefix: first, dataVolume: { name: 'first-data' } });
    const error = thrown(() => cluster(stack, 'Second', { parameterPrefix: second, dataVolume: { name: 'second-data' } }));
    expect(error.prop).toBe('parameterPrefix');
    expect(error.message).toContain(`'${second ?? ''}'`);
    expect(error.message).toContain(shared);
    expect(error.message).not.toContain('There is already a Construct');
  });

  test('the same prefixes in two stacks are fine (parameters are per stack)', () => {
    const app = appWithFeatureFlags();
    cluster(new Stack(app, 'A', { env: ENV }), 'Neo4j', { environmentName: 'a' });
    expect(() => cluster(new Stack(app, 'B', { env: ENV }), 'Neo4j', { environmentName: 'b' })).not.toThrow();
  });
});
