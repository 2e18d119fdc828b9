#!/usr/bin/env node
/**
 * The walkthrough's app (docs/architecture.md): a Neo4j 5 cluster and the two-stage image-roll procedure
 * built from the library's blocks. The rehearsal points the health gate at its Neo4j through context
 * `neo4jBoltUri`.
 */
import { App, Stack } from 'aws-cdk-lib';
import { ClusterMode, Neo4jCluster, Neo4jVersionFamily } from '../../lib';
import { NEO4J_LTS_VERSION } from '../../tools/neo4j-embedded';
import { ImageRollUpgrade } from './image-roll-upgrade';

export function imageRollApp(app: App): Stack {
  const stack = new Stack(app, 'Neo4jImageRoll', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new Neo4jCluster(stack, 'Neo4j', {
    dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
    versionFamily: Neo4jVersionFamily.V5,
    environmentName: 'roll',
    mode: ClusterMode.HA,
    slaveMode: ClusterMode.HA,
    capacity: { min: 1, max: 3, desired: 2 },
    slaveCapacity: { min: 0, max: 1, desired: 1 },
  });
  new ImageRollUpgrade(stack, 'Upgrade', {
    cluster, boltUri: app.node.tryGetContext('neo4jBoltUri') ?? 'bolt://neo4j.roll.internal:7687',
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  imageRollApp(app);
  app.synth();
}
