import { App, Stack } from 'aws-cdk-lib';
import { Neo4jCluster, Neo4jOfflineUpgrade, Neo4jVersionFamily, ServerLayout } from '../../lib';
import { appWithFeatureFlags } from './app';
import { EXAMPLE_PROPS } from './example-cluster';

/** A 4.4 cluster of three servers in the per-server layout and its offline upgrade, in one stack. */
export function offlineUpgradeStack(app: App = appWithFeatureFlags()) {
  const stack = new Stack(app, 'Offline', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new Neo4jCluster(stack, 'Neo4j', {
    ...EXAMPLE_PROPS,
    dockerImage: 'neo4j:4.4.40-enterprise',
    versionFamily: Neo4jVersionFamily.V4_4_CAUSAL,
    capacity: { min: 3, max: 3, desired: 3 },
    slaveCapacity: { min: 0, max: 1, desired: 0 },
    serverLayout: ServerLayout.SERVICE_PER_SERVER,
  });
  const upgrade = new Neo4jOfflineUpgrade(stack, 'Offline', { cluster, servers: cluster.servers, boltUri: 'bolt://neo4j.production.internal:7687' });
  return { app, stack, cluster, upgrade };
}
