/**
 * With several clusters in one app, the rehearsal plays the upgraded cluster with that cluster's own
 * admin secret: upgradedCluster() finds which generated secret the state machine's baked
 * cluster.credentialsSecretArn names.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClusterMode, Neo4jCluster, Neo4jStagedUpgrade, Neo4jVersionFamily } from '../../lib';
import { upgradedCluster } from '../../tools/rehearsal/upgraded-cluster';
import { CfnTemplate } from '../../tools/rehearsal/synth';
import { appWithFeatureFlags } from '../support/app';

function twoClusters(upgraded: 'First' | 'Second') {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'TwoClusters', { env: { account: '123456789012', region: 'us-east-1' } });
  const clusters = Object.fromEntries((['First', 'Second'] as const).map((id) => [id, new Neo4jCluster(stack, id, {
    dockerImage: 'neo4j:5.26.0-enterprise',
    versionFamily: Neo4jVersionFamily.V5,
    environmentName: id.toLowerCase(),
    mode: ClusterMode.HA,
    slaveMode: ClusterMode.HA,
    capacity: { min: 1, max: 3, desired: 3 },
    slaveCapacity: { min: 1, max: 1, desired: 1 },
    dataVolume: { name: `neo4j-${id.toLowerCase()}-data`, sizeGiB: 20 },
    parameterPrefix: id,
  })]));
  new Neo4jStagedUpgrade(stack, 'Upgrade', { cluster: clusters[upgraded], boltUri: 'bolt://neo4j.internal:7687', finalCapacity: 3 });
  return { template: Template.fromStack(stack).toJSON() as CfnTemplate, stack, clusters };
}

describe('the cluster the state machine upgrades', () => {
  test.each(['First', 'Second'] as const)('names the %s cluster and its own secret', (which) => {
    const { template, stack, clusters } = twoClusters(which);
    const secrets = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret').map(([id]) => id);
    expect(secrets.length).toBe(2);
    const expected = stack.getLogicalId(clusters[which].adminCredentials.node.defaultChild as never);
    expect(upgradedCluster(template)).toMatchObject({ environmentName: which.toLowerCase(), secretLogicalId: expected });
  });

  test('a template without a state machine names nothing', () => {
    expect(upgradedCluster({ Resources: {} })).toEqual({});
  });
});
