#!/usr/bin/env node
/**
 * The rolling rehearsal's app (tools/rehearsal/rolling/): a Neo4j 5 cluster of three servers in the
 * per-server layout (each main member its own ECS service and `Server<N>Image` parameter, no slave-only
 * node) at NEO4J_LTS_OLDER_PATCH_VERSION (an older 5.26 patch), and its rolling upgrade (the rehearsal rolls it to
 * NEO4J_LTS_VERSION: a patch roll within 5.26). The gates reach the rehearsal's servers through
 * context `neo4jBoltUri` (the world answers for the cluster, tools/rehearsal/rolling/cluster-answers.ts).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Neo4jCluster, Neo4jRollingUpgrade, Neo4jVersionFamily, ProcedurePolling, ServerLayout } from '../../../lib';
import { NEO4J_LTS_OLDER_PATCH_VERSION } from '../../neo4j-embedded';

const app = new App();
const stack = new Stack(app, 'Neo4jRollingRehearsal', {
  env: { account: '123456789012', region: 'us-east-1' },
  description: 'Neo4j 5 cluster of three servers in the per-server layout, rolled one server at a time (cdk-neo4j-ecs-upgrades local rehearsal)',
});
const cluster = new Neo4jCluster(stack, 'Neo4j', {
  dockerImage: `neo4j:${NEO4J_LTS_OLDER_PATCH_VERSION}-enterprise`,
  versionFamily: Neo4jVersionFamily.V5,
  environmentName: 'rolling',
  capacity: { min: 3, max: 3, desired: 3 },
  slaveCapacity: { min: 0, max: 1, desired: 0 },
  serverLayout: ServerLayout.SERVICE_PER_SERVER,
  dataVolume: { name: 'neo4j-rolling-data', sizeGiB: 50 },
});
new Neo4jRollingUpgrade(stack, 'Upgrade', {
  cluster,
  servers: cluster.servers,
  boltUri: app.node.tryGetContext('neo4jBoltUri') ?? 'bolt://neo4j.rolling.internal:7687',
  // 4 min instead of 30: the gate after a server starts once its service is steady (its Neo4j answering), and
  // a real Neo4j restart here took 24-28 s idle and a few minutes at most on this loaded machine; the fault
  // matrix's world fault (a database that stays starting) then times out into the rollback in minutes.
  polling: new ProcedurePolling({ healthGateTimeout: Duration.minutes(4) }),
});
app.synth();
