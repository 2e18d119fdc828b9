import { App, Stack } from 'aws-cdk-lib';
import { Neo4jClusterProps, Neo4jRollingUpgrade, Neo4jRollingUpgradeProps, Neo4jVersionFamily } from '../../lib';
import { appWithFeatureFlags } from './app';
import { perServerCluster } from './per-server-cluster';

/** A 5.x cluster of three servers in the per-server layout and its rolling upgrade, in one stack. */
export function rollingUpgradeStack(
  app: App = appWithFeatureFlags(), clusterProps: Partial<Neo4jClusterProps> = {}, props: Partial<Neo4jRollingUpgradeProps> = {},
) {
  const stack = new Stack(app, 'Rolling', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = perServerCluster(stack, 'neo4j:5.26.1-enterprise', Neo4jVersionFamily.V5, clusterProps);
  const upgrade = new Neo4jRollingUpgrade(stack, 'Rolling', { cluster, servers: cluster.servers, boltUri: 'bolt://neo4j.production.internal:7687', ...props });
  return { app, stack, cluster, upgrade };
}
