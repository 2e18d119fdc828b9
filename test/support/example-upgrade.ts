import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApprovalMode, Neo4jCluster, Neo4jStagedUpgrade, Neo4jStagedUpgradeProps } from '../../lib';
import { appWithFeatureFlags } from './app';
import { EXAMPLE_PROPS } from './example-cluster';

/** The example app's cluster plus its staged upgrade, in one stack. */
export function upgradeStack(props: Partial<Neo4jStagedUpgradeProps> = {}) {
  const app = appWithFeatureFlags();
  const stack = new Stack(app, 'Upgrade', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const cluster = new Neo4jCluster(stack, 'Neo4j', { ...EXAMPLE_PROPS, dataVolume: { ...EXAMPLE_PROPS.dataVolume, encryptionKey: key } });
  const upgrade = new Neo4jStagedUpgrade(stack, 'Upgrade', {
    cluster,
    boltUri: 'bolt://neo4j.production.internal:7687',
    finalCapacity: 3,
    cloneRegions: ['eu-west-1'],
    approvalMode: ApprovalMode.AFTER_STORE_UPGRADE,
    ...props,
  });
  return { app, stack, cluster, upgrade };
}
