import { Stack } from 'aws-cdk-lib';
import { Neo4jCluster, Neo4jClusterProps, Neo4jVersionFamily, ServerLayout } from '../../lib';
import { EXAMPLE_PROPS } from './example-cluster';

/** The example cluster as three servers in the per-server layout (what the rolling and offline procedures take). */
export function perServerCluster(stack: Stack, dockerImage: string, versionFamily: Neo4jVersionFamily, extra: Partial<Neo4jClusterProps> = {}): Neo4jCluster {
  return new Neo4jCluster(stack, 'Neo4j', {
    ...EXAMPLE_PROPS,
    dockerImage,
    versionFamily,
    capacity: { min: 3, max: 3, desired: 3 },
    slaveCapacity: { min: 0, max: 1, desired: 0 },
    serverLayout: ServerLayout.SERVICE_PER_SERVER,
    ...extra,
  });
}
