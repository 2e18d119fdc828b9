import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ClusterMode, Neo4jCluster, Neo4jClusterProps, Neo4jVersionFamily, ServerLayout } from '../../lib';
import { appWithFeatureFlags } from './app';

export const EXAMPLE_PROPS: Neo4jClusterProps = {
  dockerImage: 'neo4j:3.5.34-enterprise',
  versionFamily: Neo4jVersionFamily.V3_5_HA,
  environmentName: 'production',
  mode: ClusterMode.HA,
  slaveMode: ClusterMode.HA,
  capacity: { min: 1, max: 3, desired: 3 },
  slaveCapacity: { min: 1, max: 1, desired: 1 },
  dataVolume: { name: 'neo4j-production-data', sizeGiB: 200 },
};

/** A 5.x cluster in the per-server layout: three fixed servers and no slave-only node. */
export const PER_SERVER_PROPS: Partial<Neo4jClusterProps> = {
  dockerImage: 'neo4j:5.26.1-enterprise',
  versionFamily: Neo4jVersionFamily.V5,
  capacity: { min: 3, max: 3, desired: 3 },
  slaveCapacity: { min: 0, max: 1, desired: 0 },
  serverLayout: ServerLayout.SERVICE_PER_SERVER,
};

/** A stack holding one cluster built from `EXAMPLE_PROPS` overridden by `props`. */
export function clusterStack(props: Partial<Neo4jClusterProps> = {}, withKey = false) {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = withKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined;
  const cluster = new Neo4jCluster(stack, 'Neo4j', {
    ...EXAMPLE_PROPS,
    ...props,
    dataVolume: { ...EXAMPLE_PROPS.dataVolume, ...(key ? { encryptionKey: key } : {}), ...props.dataVolume },
  });
  return { app, stack, cluster };
}
