import { App, Stack } from 'aws-cdk-lib';
import { Neo4jOfflineUpgrade, Neo4jOfflineUpgradeProps, Neo4jVersionFamily } from '../../lib';
import { appWithFeatureFlags } from './app';
import { perServerCluster } from './per-server-cluster';

/** A 4.4 cluster of three servers in the per-server layout and its offline upgrade, in one stack. */
export function offlineUpgradeStack(app: App = appWithFeatureFlags(), props: Partial<Neo4jOfflineUpgradeProps> = {},
  image = 'neo4j:4.4.40-enterprise', family = Neo4jVersionFamily.V4_4_CAUSAL) {
  const stack = new Stack(app, 'Offline', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = perServerCluster(stack, image, family);
  const upgrade = new Neo4jOfflineUpgrade(stack, 'Offline', { cluster, servers: cluster.servers, boltUri: 'bolt://neo4j.production.internal:7687', ...props });
  return { app, stack, cluster, upgrade };
}
